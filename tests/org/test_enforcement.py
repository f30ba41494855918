"""SCPs enforced on every call: principals of member accounts are held to the SCPs on their path (root → OUs
→ account), with AWS's denial message; the management account is not; changes apply on the next call."""

from __future__ import annotations

import json

from tests.org.helpers import (
    ACCESS_ROLE,
    allow,
    assume_access_role,
    create_scp,
    deny,
    fails,
    new_account,
    new_ou,
    organization,
    orgs,
    root_id,
    unique,
)
from tests.servers import RunningServer


def _member_in_new_ou(server: RunningServer) -> tuple[str, str, str]:
    root = root_id(server)
    ou_id = new_ou(server, root)
    account = new_account(server)
    orgs(server).move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou_id)
    return root, ou_id, account


def test_scp_on_an_ou_denies_with_awss_message(server: RunningServer) -> None:
    _, ou_id, account = _member_in_new_ou(server)
    creds = assume_access_role(server, account, session="alice")
    user = unique("u")
    assert server.client("iam", creds).create_user(UserName=user)["User"]["UserName"] == user

    policy = create_scp(server, deny("iam:CreateUser"))
    orgs(server).attach_policy(PolicyId=policy["Id"], TargetId=ou_id)
    blocked = unique("u")
    code, message, _ = fails(server.client("iam", creds).create_user, UserName=blocked)
    org_id = organization(server)["Id"]
    policy_arn = f"arn:aws:organizations::{server.account_id}:policy/{org_id}/service_control_policy/{policy['Id']}"
    assert code == "AccessDenied"
    assert message == (
        f"User: arn:aws:sts::{account}:assumed-role/{ACCESS_ROLE}/alice is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{account}:user/{blocked} with an explicit deny in a "
        f"service control policy: {policy_arn}"
    )
    assert policy["Arn"] == policy_arn
    # Other actions stay allowed, and the management account's administrator is not held to SCPs.
    assert server.client("iam", creds).get_role(RoleName=ACCESS_ROLE)["Role"]["RoleName"] == ACCESS_ROLE
    mine = unique("mgmt")
    assert (
        server.client("iam")
        .create_user(UserName=mine)["User"]["Arn"]
        .startswith(f"arn:aws:iam::{server.account_id}:user/")
    )

    orgs(server).detach_policy(PolicyId=policy["Id"], TargetId=ou_id)
    assert server.client("iam", creds).create_user(UserName=blocked)["User"]["UserName"] == blocked


def test_scp_on_the_root_reaches_every_member_but_not_the_management_account(server: RunningServer) -> None:
    client = orgs(server)
    root = root_id(server)
    account = new_account(server)
    creds = assume_access_role(server, account)
    policy = create_scp(server, deny("organizations:DescribeOrganization"))
    client.attach_policy(PolicyId=policy["Id"], TargetId=root)
    try:
        code, message, _ = fails(orgs(server, creds).describe_organization)
        assert code == "AccessDeniedException"
        assert message.endswith(f"with an explicit deny in a service control policy: {policy['Arn']}")
        assert "organizations:DescribeOrganization" in message and " on resource: " not in message
        assert client.describe_organization()["Organization"]["MasterAccountId"] == server.account_id
    finally:
        client.detach_policy(PolicyId=policy["Id"], TargetId=root)
    assert orgs(server, creds).describe_organization()["Organization"]["MasterAccountId"] == server.account_id


def test_allow_list_without_full_aws_access_implicitly_denies_the_rest(server: RunningServer) -> None:
    client = orgs(server)
    _, ou_id, account = _member_in_new_ou(server)
    creds = assume_access_role(server, account, session="bob")
    allow_list = create_scp(server, allow("sts:*", "iam:Get*", "iam:List*"))
    client.attach_policy(PolicyId=allow_list["Id"], TargetId=ou_id)
    client.detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou_id)

    iam = server.client("iam", creds)
    assert iam.get_role(RoleName=ACCESS_ROLE)["Role"]["RoleName"] == ACCESS_ROLE
    user = unique("u")
    code, message, _ = fails(iam.create_user, UserName=user)
    assert code == "AccessDenied"
    assert message.startswith(
        f"User: arn:aws:sts::{account}:assumed-role/{ACCESS_ROLE}/bob is not authorized "
        f"to perform: iam:CreateUser on resource: arn:aws:iam::{account}:user/{user}"
    )
    assert "with an explicit deny in a service control policy" in message

    client.attach_policy(PolicyId="p-FullAWSAccess", TargetId=ou_id)
    assert iam.create_user(UserName=user)["User"]["UserName"] == user


def test_moving_the_account_changes_the_next_decision(server: RunningServer) -> None:
    client = orgs(server)
    root, guarded, account = _member_in_new_ou(server)
    open_ou = new_ou(server, root)
    policy = create_scp(server, deny("iam:CreateUser"))
    client.attach_policy(PolicyId=policy["Id"], TargetId=guarded)
    iam = server.client("iam", assume_access_role(server, account))
    code, _, _ = fails(iam.create_user, UserName=unique("u"))
    assert code == "AccessDenied"
    client.move_account(AccountId=account, SourceParentId=guarded, DestinationParentId=open_ou)
    assert iam.create_user(UserName=unique("u"))["User"]["Arn"].startswith(f"arn:aws:iam::{account}:user/")
    client.move_account(AccountId=account, SourceParentId=open_ou, DestinationParentId=guarded)
    code, _, _ = fails(iam.create_user, UserName=unique("u"))
    assert code == "AccessDenied"


def test_nested_ous_each_level_must_allow(server: RunningServer) -> None:
    client = orgs(server)
    root = root_id(server)
    outer = new_ou(server, root)
    inner = new_ou(server, outer)
    account = new_account(server)
    client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=inner)
    iam = server.client("iam", assume_access_role(server, account))
    # The inner OU allows everything, the outer OU only sts and reads: the outer level decides.
    outer_allow = create_scp(server, allow("sts:*", "iam:Get*"))
    client.attach_policy(PolicyId=outer_allow["Id"], TargetId=outer)
    client.detach_policy(PolicyId="p-FullAWSAccess", TargetId=outer)
    code, _, _ = fails(iam.create_user, UserName=unique("u"))
    assert code == "AccessDenied"
    assert iam.get_role(RoleName=ACCESS_ROLE)["Role"]["RoleName"] == ACCESS_ROLE
    client.attach_policy(PolicyId="p-FullAWSAccess", TargetId=outer)
    assert iam.create_user(UserName=unique("u"))["User"]["UserName"]


def test_scp_resource_arns_name_organizations_resources(server: RunningServer) -> None:
    """A member's call is authorized against the Organizations resource ARN (and condition keys) before the
    operation refuses a member; the SCP's deny names it."""
    client = orgs(server)
    _, ou_id, account = _member_in_new_ou(server)
    org_id = organization(server)["Id"]
    target_arn = f"arn:aws:organizations::{server.account_id}:ou/{org_id}/{ou_id}"
    scp = create_scp(
        server,
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Action": "organizations:DescribeOrganizationalUnit",
                        "Resource": target_arn,
                    },
                    {
                        "Effect": "Deny",
                        "Action": "organizations:ListPolicies",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"organizations:PolicyType": "TAG_POLICY"}},
                    },
                    {
                        "Effect": "Deny",
                        "Action": "organizations:DescribePolicy",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"organizations:PolicyType": "SERVICE_CONTROL_POLICY"}},
                    },
                ],
            }
        ),
    )
    client.attach_policy(PolicyId=scp["Id"], TargetId=account)
    member = orgs(server, assume_access_role(server, account))
    code, message, _ = fails(member.describe_organizational_unit, OrganizationalUnitId=ou_id)
    assert code == "AccessDeniedException"
    assert f"on resource: {target_arn} with an explicit deny in a service control policy" in message
    code, message, _ = fails(member.list_policies, Filter="TAG_POLICY")
    assert "explicit deny in a service control policy" in message
    code, message, _ = fails(member.list_policies, Filter="SERVICE_CONTROL_POLICY")
    assert message == "You don't have permissions to access this resource."
    code, message, _ = fails(member.describe_policy, PolicyId="p-FullAWSAccess")
    assert (
        "on resource: arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess with an "
        "explicit deny in a service control policy" in message
    )
    code, message, _ = fails(member.describe_policy, PolicyId=scp["Id"])
    assert "explicit deny in a service control policy" in message


def test_member_accounts_cannot_manage_the_organization(server: RunningServer) -> None:
    member = orgs(server, assume_access_role(server, new_account(server)))
    attempts = [
        (member.list_roots, {}),
        (member.list_accounts, {}),
        (member.create_account, {"Email": f"{unique('m')}@example.com", "AccountName": "m"}),
        (
            member.create_policy,
            {
                "Name": unique("p"),
                "Description": "",
                "Type": "SERVICE_CONTROL_POLICY",
                "Content": allow("s3:*"),
            },
        ),
        (member.describe_policy, {"PolicyId": "p-FullAWSAccess"}),
    ]
    for call, params in attempts:
        code, message, _ = fails(call, **params)
        assert (code, message) == (
            "AccessDeniedException",
            "You don't have permissions to access this resource.",
        )
    cli = server.aws(
        "organizations",
        "list-roots",
        credentials=assume_access_role(server, new_account(server)),
        check=False,
    )
    assert cli.returncode != 0 and "AccessDeniedException" in cli.stderr


def test_member_calls_on_organization_resources_get_the_organizations_message(server: RunningServer) -> None:
    member = orgs(server, assume_access_role(server, new_account(server)))
    root = root_id(server)
    ou_id = new_ou(server, root)
    tag_policy = orgs(server).create_policy(Name=unique("tags"), Description="", Type="TAG_POLICY", Content="{}")
    attempts = [
        (member.create_organizational_unit, {"ParentId": root, "Name": unique("x")}),
        (member.describe_organizational_unit, {"OrganizationalUnitId": ou_id}),
        (member.attach_policy, {"PolicyId": "p-FullAWSAccess", "TargetId": root}),
        (member.describe_policy, {"PolicyId": tag_policy["Policy"]["PolicySummary"]["Id"]}),
    ]
    for call, params in attempts:
        code, message, _ = fails(call, **params)
        assert (code, message) == ("AccessDeniedException", "You don't have permissions to access this resource.")


def test_service_linked_role_path_cannot_be_used_to_escape_scps(server: RunningServer) -> None:
    """SCPs exempt service-linked roles (path `/aws-service-role/`), so IAM must keep that path to AWS."""
    _, ou_id, account = _member_in_new_ou(server)
    orgs(server).attach_policy(PolicyId=create_scp(server, deny("iam:CreateUser"))["Id"], TargetId=ou_id)
    iam = server.client("iam", assume_access_role(server, account))
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{server.account_id}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    code, message, _ = fails(
        iam.create_role,
        RoleName=unique("AWSServiceRoleForFake"),
        Path="/aws-service-role/x/",
        AssumeRolePolicyDocument=trust,
    )
    assert code == "InvalidInput"
    assert message == "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles"

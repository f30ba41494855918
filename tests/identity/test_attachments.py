"""Managed policy attachments to users, groups and roles, and ListEntitiesForPolicy."""

from __future__ import annotations

from tests.identity.helpers import ADMIN_ACCESS, READ_ONLY_ACCESS, allow, error, trust_account, unique
from tests.servers import RunningServer


def test_attach_list_detach_for_each_principal(server: RunningServer) -> None:
    iam = server.client("iam")
    user, group, role = unique("au"), unique("ag"), unique("ar")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_account(server.account_id))
    iam.attach_user_policy(UserName=user, PolicyArn=READ_ONLY_ACCESS)
    iam.attach_group_policy(GroupName=group, PolicyArn=READ_ONLY_ACCESS)
    server.aws("iam", "attach-role-policy", "--role-name", role, "--policy-arn", READ_ONLY_ACCESS)
    expected = [{"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY_ACCESS}]
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == expected
    assert iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"] == expected
    cli = server.aws_json("iam", "list-attached-role-policies", "--role-name", role)
    assert cli["AttachedPolicies"] == expected

    iam.attach_user_policy(UserName=user, PolicyArn=READ_ONLY_ACCESS)
    assert len(iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]) == 1

    iam.detach_user_policy(UserName=user, PolicyArn=READ_ONLY_ACCESS)
    iam.detach_group_policy(GroupName=group, PolicyArn=READ_ONLY_ACCESS)
    iam.detach_role_policy(RoleName=role, PolicyArn=READ_ONLY_ACCESS)
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    assert iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"] == []
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []

    not_attached = error(iam.detach_user_policy, UserName=user, PolicyArn=READ_ONLY_ACCESS)
    assert (not_attached["Code"], not_attached["Status"]) == ("NoSuchEntity", 404)
    assert not_attached["Message"] == f"Policy {READ_ONLY_ACCESS} was not found."


def test_attach_errors_and_the_ten_policy_quota(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("many")
    iam.create_user(UserName=user)
    missing = f"arn:aws:iam::{server.account_id}:policy/{unique('absent')}"
    failure = error(iam.attach_user_policy, UserName=user, PolicyArn=missing)
    assert (failure["Code"], failure["Status"]) == ("NoSuchEntity", 404)
    assert failure["Message"] == f"Policy {missing} does not exist or is not attachable."
    assert error(iam.attach_role_policy, RoleName=unique("norole"), PolicyArn=ADMIN_ACCESS)["Code"] == "NoSuchEntity"

    prefix = unique("q")
    for n in range(10):
        arn = iam.create_policy(PolicyName=f"{prefix}-{n}", PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    over = error(iam.attach_user_policy, UserName=user, PolicyArn=READ_ONLY_ACCESS)
    assert (over["Code"], over["Status"]) == ("LimitExceeded", 409)
    assert over["Message"] == "Cannot exceed quota for PoliciesPerUser: 10"


def test_list_entities_for_policy(server: RunningServer) -> None:
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName=unique("ent"), PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    user, group, role, bounded = unique("eu"), unique("eg"), unique("er"), unique("eb")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    role_id = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_account(server.account_id))["Role"][
        "RoleId"
    ]
    iam.create_user(UserName=bounded, PermissionsBoundary=arn)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)

    everything = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in everything["PolicyUsers"]] == sorted([user, bounded])
    assert [g["GroupName"] for g in everything["PolicyGroups"]] == [group]
    assert everything["PolicyRoles"] == [{"RoleName": role, "RoleId": role_id}]

    roles_only = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert roles_only["PolicyUsers"] == [] and len(roles_only["PolicyRoles"]) == 1
    as_policy = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")
    assert [u["UserName"] for u in as_policy["PolicyUsers"]] == [user]
    as_boundary = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert [u["UserName"] for u in as_boundary["PolicyUsers"]] == [bounded]
    assert as_boundary["PolicyGroups"] == [] and as_boundary["PolicyRoles"] == []

    first = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2, Marker=first["Marker"])
    assert rest["IsTruncated"] is False
    seen = [
        *(g["GroupName"] for page in (first, rest) for g in page["PolicyGroups"]),
        *(r["RoleName"] for page in (first, rest) for r in page["PolicyRoles"]),
        *(u["UserName"] for page in (first, rest) for u in page["PolicyUsers"]),
    ]
    assert sorted(seen) == sorted([user, bounded, group, role])

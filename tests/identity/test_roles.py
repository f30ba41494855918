"""IAM roles: CRUD, trust policies, and assuming a role with the AWS CLI."""

from __future__ import annotations

import json

from tests.identity.helpers import ADMIN_ACCESS, READ_ONLY_ACCESS, allow, error, trust_account, unique
from tests.servers import RunningServer

EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def test_role_crud_through_boto3(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("builder")
    created = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=EC2_TRUST,
        Description="builds things",
        MaxSessionDuration=7200,
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::{server.account_id}:role/{name}"
    assert created["RoleId"].startswith("AROA")
    assert created["AssumeRolePolicyDocument"] == json.loads(EC2_TRUST)

    role = iam.get_role(RoleName=name)["Role"]
    assert role["Description"] == "builds things"
    assert role["MaxSessionDuration"] == 7200
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}

    iam.update_role(RoleName=name, Description="builds more", MaxSessionDuration=3600)
    assert iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"] == 3600
    described = iam.update_role_description(RoleName=name, Description="the builder")["Role"]
    assert described["Description"] == "the builder"

    new_trust = trust_account(server.account_id)
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=new_trust)
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == json.loads(new_trust)

    listed = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert name in listed

    iam.delete_role(RoleName=name)
    failure = error(iam.get_role, RoleName=name)
    assert (failure["Code"], failure["Status"]) == ("NoSuchEntity", 404)
    assert failure["Message"] == f"The role with name {name} cannot be found."


def test_role_errors(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("dup")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST)
    duplicate = error(iam.create_role, RoleName=name.upper(), AssumeRolePolicyDocument=EC2_TRUST)
    assert duplicate["Code"] == "EntityAlreadyExists"
    assert duplicate["Message"] == f"Role with name {name.upper()} already exists."

    malformed = error(iam.create_role, RoleName=unique("bad"), AssumeRolePolicyDocument="{not json")
    assert (malformed["Code"], malformed["Status"]) == ("MalformedPolicyDocument", 400)
    assert malformed["Message"]

    no_principal = error(iam.create_role, RoleName=unique("bad"), AssumeRolePolicyDocument=allow("sts:AssumeRole"))
    assert no_principal["Code"] == "MalformedPolicyDocument"

    statement = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    huge = json.dumps({"Version": "2012-10-17", "Statement": [statement] * 40})
    too_big = error(iam.create_role, RoleName=unique("big"), AssumeRolePolicyDocument=huge)
    assert (too_big["Code"], too_big["Status"]) == ("LimitExceeded", 409)
    assert too_big["Message"] == "Cannot exceed quota for ACLSizePerRole: 2048"

    bad_update = error(iam.update_assume_role_policy, RoleName=name, PolicyDocument='{"Version":"2012-10-17"}')
    assert bad_update["Code"] == "MalformedPolicyDocument"


def test_delete_role_refuses_while_policies_remain(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("busy")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST)
    iam.attach_role_policy(RoleName=name, PolicyArn=READ_ONLY_ACCESS)
    failure = error(iam.delete_role, RoleName=name)
    assert (failure["Code"], failure["Status"]) == ("DeleteConflict", 409)
    assert failure["Message"] == "Cannot delete entity, must detach all policies first."
    iam.detach_role_policy(RoleName=name, PolicyArn=READ_ONLY_ACCESS)
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=allow("s3:GetObject"))
    assert error(iam.delete_role, RoleName=name)["Message"] == "Cannot delete entity, must delete policies first."
    iam.delete_role_policy(RoleName=name, PolicyName="inline")
    iam.delete_role(RoleName=name)


def test_cli_assume_role_trusting_the_account(server: RunningServer) -> None:
    role = unique("deployer")
    server.aws(
        "iam",
        "create-role",
        "--role-name",
        role,
        "--assume-role-policy-document",
        trust_account(server.account_id),
    )
    server.aws("iam", "attach-role-policy", "--role-name", role, "--policy-arn", ADMIN_ACCESS)
    assumed = server.aws_json(
        "sts",
        "assume-role",
        "--role-arn",
        f"arn:aws:iam::{server.account_id}:role/{role}",
        "--role-session-name",
        "release",
    )
    session = assumed["Credentials"]
    identity = server.aws_json("sts", "get-caller-identity", credentials=session)
    assert identity["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/{role}/release"
    assert identity["Account"] == server.account_id

    as_role = server.client("iam", credentials=session)
    assert as_role.get_role(RoleName=role)["Role"]["RoleName"] == role
    not_a_user = error(as_role.get_user)
    assert not_a_user["Code"] == "ValidationError"


def test_deleting_a_role_ends_its_sessions(server: RunningServer) -> None:
    iam = server.client("iam")
    role = unique("shortlived")
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_account(server.account_id))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=READ_ONLY_ACCESS)
    session = server.client("sts").assume_role(RoleArn=arn, RoleSessionName="short")["Credentials"]
    as_role = server.client("iam", credentials=session)
    assert as_role.get_role(RoleName=role)["Role"]["Arn"] == arn
    iam.detach_role_policy(RoleName=role, PolicyArn=READ_ONLY_ACCESS)
    iam.delete_role(RoleName=role)
    assert error(as_role.list_roles)["Code"] == "InvalidClientTokenId"

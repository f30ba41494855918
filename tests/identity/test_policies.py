"""Managed policies and their versions: create, read, list, version, delete, and AWS-managed policies."""

from __future__ import annotations

import json

from tests.identity.helpers import ADMIN_ACCESS, READ_ONLY_ACCESS, allow, document, error, unique
from tests.servers import RunningServer


def test_cli_create_and_get_policy(server: RunningServer) -> None:
    name = unique("s3-read")
    text = allow(["s3:GetObject", "s3:ListBucket"])
    created = server.aws_json(
        "iam",
        "create-policy",
        "--policy-name",
        name,
        "--path",
        "/data/",
        "--policy-document",
        text,
        "--description",
        "read the data",
    )["Policy"]
    arn = f"arn:aws:iam::{server.account_id}:policy/data/{name}"
    assert created["Arn"] == arn
    assert created["PolicyId"].startswith("ANPA")
    assert created["DefaultVersionId"] == "v1"
    assert created["AttachmentCount"] == 0
    assert created["IsAttachable"] is True

    fetched = server.aws_json("iam", "get-policy", "--policy-arn", arn)["Policy"]
    assert fetched["Description"] == "read the data"
    version = server.aws_json("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    assert version["PolicyVersion"]["Document"] == json.loads(text)
    assert version["PolicyVersion"]["IsDefaultVersion"] is True


def test_policy_errors(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("pol")
    iam.create_policy(PolicyName=name, PolicyDocument=allow("s3:GetObject"))
    duplicate = error(iam.create_policy, PolicyName=name, Path="/elsewhere/", PolicyDocument=allow("s3:GetObject"))
    assert (duplicate["Code"], duplicate["Status"]) == ("EntityAlreadyExists", 409)
    assert duplicate["Message"] == f"A policy called {name} already exists. Duplicate names are not allowed."

    malformed = error(iam.create_policy, PolicyName=unique("bad"), PolicyDocument='{"Version": "2012-10-17"}')
    assert (malformed["Code"], malformed["Status"]) == ("MalformedPolicyDocument", 400)
    assert "Statement" in malformed["Message"]
    not_json = error(iam.create_policy, PolicyName=unique("bad"), PolicyDocument="{")
    assert not_json["Code"] == "MalformedPolicyDocument"

    actions = [f"s3:GetObject{n:05d}" for n in range(400)]
    too_big = error(iam.create_policy, PolicyName=unique("big"), PolicyDocument=allow(actions))
    assert (too_big["Code"], too_big["Status"]) == ("LimitExceeded", 409)
    assert too_big["Message"] == "Cannot exceed quota for PolicySize: 6144"

    padded = json.dumps(json.loads(allow("s3:GetObject")), indent=2000)
    assert len(padded) > 6144
    iam.create_policy(PolicyName=unique("spaces"), PolicyDocument=padded)

    missing = f"arn:aws:iam::{server.account_id}:policy/{unique('absent')}"
    gone = error(iam.get_policy, PolicyArn=missing)
    assert (gone["Code"], gone["Status"]) == ("NoSuchEntity", 404)
    assert gone["Message"] == f"Policy {missing} was not found."


def test_versions_up_to_five_and_the_default(server: RunningServer) -> None:
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName=unique("ver"), PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    for n in range(2, 6):
        version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow(f"s3:Action{n}"))["PolicyVersion"]
        assert version["VersionId"] == f"v{n}"
        assert version["IsDefaultVersion"] is False
    full = error(iam.create_policy_version, PolicyArn=arn, PolicyDocument=allow("s3:Six"))
    assert (full["Code"], full["Status"]) == ("LimitExceeded", 409)
    assert full["Message"].startswith("A managed policy can have up to 5 versions.")

    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in listed] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in listed] == [False, False, False, False, True]

    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    default = error(iam.delete_policy_version, PolicyArn=arn, VersionId="v3")
    assert (default["Code"], default["Status"]) == ("DeleteConflict", 409)
    assert default["Message"] == "Cannot delete the default version of a policy."

    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    newest = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:Seven"), SetAsDefault=True)
    assert newest["PolicyVersion"]["VersionId"] == "v6"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v6"
    missing = error(iam.get_policy_version, PolicyArn=arn, VersionId="v1")
    assert missing["Code"] == "NoSuchEntity"

    conflict = error(iam.delete_policy, PolicyArn=arn)
    assert (conflict["Code"], conflict["Status"]) == ("DeleteConflict", 409)
    assert conflict["Message"].startswith("This policy has more than one version.")
    for version_id in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version_id)
    iam.delete_policy(PolicyArn=arn)
    assert error(iam.get_policy, PolicyArn=arn)["Code"] == "NoSuchEntity"


def test_delete_policy_refuses_while_attached_or_a_boundary(server: RunningServer) -> None:
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName=unique("inuse"), PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    user = unique("holder")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    failure = error(iam.delete_policy, PolicyArn=arn)
    assert failure["Code"] == "DeleteConflict"
    assert failure["Message"] == "Cannot delete a policy attached to entities."
    iam.detach_user_policy(UserName=user, PolicyArn=arn)

    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    assert error(iam.delete_policy, PolicyArn=arn)["Code"] == "DeleteConflict"
    iam.delete_user_permissions_boundary(UserName=user)
    iam.delete_policy(PolicyArn=arn)


def test_aws_managed_policies_are_visible_but_unchangeable(server: RunningServer) -> None:
    iam = server.client("iam")
    admin = iam.get_policy(PolicyArn=ADMIN_ACCESS)["Policy"]
    assert admin["PolicyName"] == "AdministratorAccess"
    version = iam.get_policy_version(PolicyArn=ADMIN_ACCESS, VersionId=admin["DefaultVersionId"])
    assert version["PolicyVersion"]["Document"]["Statement"][0]["Action"] == "*"

    for call, kwargs in (
        (iam.delete_policy, {}),
        (iam.create_policy_version, {"PolicyDocument": allow("s3:GetObject"), "SetAsDefault": True}),
        (iam.set_default_policy_version, {"VersionId": "v1"}),
        (iam.tag_policy, {"Tags": [{"Key": "k", "Value": "v"}]}),
    ):
        failure = error(call, PolicyArn=ADMIN_ACCESS, **kwargs)
        assert (failure["Code"], failure["Status"]) == ("AccessDenied", 403), call
    assert iam.get_policy(PolicyArn=ADMIN_ACCESS)["Policy"]["DefaultVersionId"] == admin["DefaultVersionId"]


def test_list_policies_scope_only_attached_and_path(server: RunningServer) -> None:
    iam = server.client("iam")
    path = f"/{unique('lp')}/"
    names = sorted(unique("local") for _ in range(2))
    arns = [
        iam.create_policy(PolicyName=n, Path=path, PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"] for n in names
    ]
    local = iam.list_policies(Scope="Local", PathPrefix=path)["Policies"]
    assert [p["PolicyName"] for p in local] == names
    assert "Description" not in local[0]

    aws = {p["PolicyName"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert {"AdministratorAccess", "ReadOnlyAccess"} <= aws
    assert not aws & set(names)
    everything = {p["Arn"] for p in iam.list_policies(Scope="All", MaxItems=1000)["Policies"]}
    assert ADMIN_ACCESS in everything

    role = unique("lp-role")
    iam.create_role(
        RoleName=role,
        AssumeRolePolicyDocument=document(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    iam.attach_role_policy(RoleName=role, PolicyArn=arns[1])
    attached = iam.list_policies(Scope="Local", OnlyAttached=True, PathPrefix=path)["Policies"]
    assert [p["Arn"] for p in attached] == [arns[1]]
    assert attached[0]["AttachmentCount"] == 1

    cli = server.aws_json("iam", "list-policies", "--scope", "Local", "--only-attached", "--path-prefix", path)
    assert [p["Arn"] for p in cli["Policies"]] == [arns[1]]

    aws_attached = iam.list_policies(Scope="AWS", OnlyAttached=True, MaxItems=1000)["Policies"]
    admin = next(p for p in aws_attached if p["Arn"] == ADMIN_ACCESS)
    assert admin["AttachmentCount"] >= 1
    assert READ_ONLY_ACCESS in {p["Arn"] for p in iam.list_policies(Scope="AWS")["Policies"]}

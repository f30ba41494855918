"""Inline policies of users, groups and roles: put, get, list, delete, size quotas and malformed documents."""

from __future__ import annotations

import json

from tests.identity.helpers import allow, error, trust_account, unique
from tests.servers import RunningServer


def test_user_inline_policy_lifecycle_via_cli(server: RunningServer) -> None:
    user = unique("iu")
    server.aws("iam", "create-user", "--user-name", user)
    text = allow("s3:GetObject", "arn:aws:s3:::bucket/*")
    server.aws("iam", "put-user-policy", "--user-name", user, "--policy-name", "read", "--policy-document", text)
    got = server.aws_json("iam", "get-user-policy", "--user-name", user, "--policy-name", "read")
    assert got["UserName"] == user
    assert got["PolicyName"] == "read"
    assert got["PolicyDocument"] == json.loads(text)
    assert server.aws_json("iam", "list-user-policies", "--user-name", user)["PolicyNames"] == ["read"]

    replacement = allow("s3:PutObject")
    server.aws(
        "iam",
        "put-user-policy",
        "--user-name",
        user,
        "--policy-name",
        "read",
        "--policy-document",
        replacement,
    )
    got = server.client("iam").get_user_policy(UserName=user, PolicyName="read")
    assert got["PolicyDocument"] == json.loads(replacement)

    server.aws("iam", "delete-user-policy", "--user-name", user, "--policy-name", "read")
    assert server.aws_json("iam", "list-user-policies", "--user-name", user)["PolicyNames"] == []
    failure = error(server.client("iam").get_user_policy, UserName=user, PolicyName="read")
    assert (failure["Code"], failure["Status"]) == ("NoSuchEntity", 404)
    assert failure["Message"] == "The user policy with name read cannot be found."


def test_group_and_role_inline_policies(server: RunningServer) -> None:
    iam = server.client("iam")
    group, role = unique("ig"), unique("ir")
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_account(server.account_id))
    for name in ("b", "a"):
        iam.put_group_policy(GroupName=group, PolicyName=name, PolicyDocument=allow(f"s3:{name}"))
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=allow(f"s3:{name}"))
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["a", "b"]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["a", "b"]
    got = iam.get_role_policy(RoleName=role, PolicyName="a")
    assert got["RoleName"] == role and got["PolicyDocument"]["Statement"][0]["Action"] == "s3:a"
    assert iam.get_group_policy(GroupName=group, PolicyName="b")["GroupName"] == group
    iam.delete_group_policy(GroupName=group, PolicyName="a")
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["b"]
    missing = error(iam.delete_role_policy, RoleName=role, PolicyName="zzz")
    assert missing["Message"] == "The role policy with name zzz cannot be found."


def test_inline_size_quota_counts_every_policy_of_the_principal(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("big")
    iam.create_user(UserName=user)
    actions = [f"s3:Get{n:04d}" for n in range(60)]
    half = allow(actions)
    assert 800 < len(half.replace(" ", "")) < 1024
    iam.put_user_policy(UserName=user, PolicyName="one", PolicyDocument=half)
    over = error(iam.put_user_policy, UserName=user, PolicyName="two", PolicyDocument=allow(actions * 2))
    assert (over["Code"], over["Status"]) == ("LimitExceeded", 409)
    assert over["Message"] == f"Maximum policy size of 2048 bytes exceeded for user {user}"
    iam.put_user_policy(UserName=user, PolicyName="one", PolicyDocument=allow(actions * 2))

    role = unique("bigrole")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_account(server.account_id))
    iam.put_role_policy(RoleName=role, PolicyName="fits", PolicyDocument=allow(actions * 5))


def test_inline_policy_documents_are_validated(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("val")
    iam.create_user(UserName=user)
    bad_effect = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}
    )
    failure = error(iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=bad_effect)
    assert (failure["Code"], failure["Status"]) == ("MalformedPolicyDocument", 400)
    assert failure["Message"]
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    assert (
        error(iam.put_user_policy, UserName=unique("nouser"), PolicyName="p", PolicyDocument=allow("s3:Get"))["Code"]
        == "NoSuchEntity"
    )

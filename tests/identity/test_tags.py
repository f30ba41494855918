"""Tags on users, roles and managed policies."""

from __future__ import annotations

from tests.identity.helpers import allow, error, trust_account, unique
from tests.servers import RunningServer


def test_user_tags(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("tagged")
    iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "a"}])
    iam.tag_user(UserName=user, Tags=[{"Key": "Team", "Value": "b"}, {"Key": "env", "Value": "prod"}])
    tags = iam.list_user_tags(UserName=user)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("Team", "b"), ("env", "prod")]
    iam.untag_user(UserName=user, TagKeys=["TEAM"])
    assert iam.list_user_tags(UserName=user)["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert iam.get_user(UserName=user)["User"]["Tags"] == [{"Key": "env", "Value": "prod"}]
    duplicate = error(iam.tag_user, UserName=user, Tags=[{"Key": "k", "Value": "1"}, {"Key": "K", "Value": "2"}])
    assert (duplicate["Code"], duplicate["Status"]) == ("InvalidInput", 400)
    assert error(iam.list_user_tags, UserName=unique("nobody"))["Code"] == "NoSuchEntity"


def test_role_and_policy_tags_via_cli(server: RunningServer) -> None:
    role = unique("tagrole")
    server.aws(
        "iam",
        "create-role",
        "--role-name",
        role,
        "--assume-role-policy-document",
        trust_account(server.account_id),
    )
    server.aws("iam", "tag-role", "--role-name", role, "--tags", "Key=cost,Value=42")
    assert server.aws_json("iam", "list-role-tags", "--role-name", role)["Tags"] == [{"Key": "cost", "Value": "42"}]
    server.aws("iam", "untag-role", "--role-name", role, "--tag-keys", "cost")
    assert server.aws_json("iam", "list-role-tags", "--role-name", role)["Tags"] == []

    iam = server.client("iam")
    arn = iam.create_policy(
        PolicyName=unique("tagpol"), PolicyDocument=allow("s3:GetObject"), Tags=[{"Key": "a", "Value": "1"}]
    )["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_fifty_tags_at_most(server: RunningServer) -> None:
    iam = server.client("iam")
    user = unique("manytags")
    iam.create_user(UserName=user, Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(50)])
    over = error(iam.tag_user, UserName=user, Tags=[{"Key": "one-more", "Value": "v"}])
    assert (over["Code"], over["Status"]) == ("LimitExceeded", 409)
    iam.tag_user(UserName=user, Tags=[{"Key": "k0", "Value": "replaced"}])
    first = iam.list_user_tags(UserName=user, MaxItems=30)
    assert first["IsTruncated"] is True and len(first["Tags"]) == 30
    rest = iam.list_user_tags(UserName=user, MaxItems=30, Marker=first["Marker"])
    assert rest["IsTruncated"] is False and len(rest["Tags"]) == 20
    values = {t["Key"]: t["Value"] for t in first["Tags"] + rest["Tags"]}
    assert len(values) == 50 and values["k0"] == "replaced"

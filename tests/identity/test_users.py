"""IAM users through boto3 and the AWS CLI: create, read, list, rename, delete, and their errors."""

from __future__ import annotations

from tests.identity.helpers import ADMIN_ACCESS, allow, error, unique
from tests.servers import RunningServer


def test_cli_create_get_and_delete_user(server: RunningServer) -> None:
    name = unique("alice")
    created = server.aws_json("iam", "create-user", "--user-name", name, "--path", "/engineering/")["User"]
    assert created["UserName"] == name
    assert created["Path"] == "/engineering/"
    assert created["Arn"] == f"arn:aws:iam::{server.account_id}:user/engineering/{name}"
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21

    fetched = server.aws_json("iam", "get-user", "--user-name", name)["User"]
    assert fetched["UserId"] == created["UserId"]
    assert fetched["Arn"] == created["Arn"]

    server.aws("iam", "delete-user", "--user-name", name)
    gone = server.aws("iam", "get-user", "--user-name", name, check=False)
    assert gone.returncode != 0
    assert "NoSuchEntity" in gone.stderr
    assert f"The user with name {name} cannot be found." in gone.stderr


def test_user_names_are_unique_regardless_of_case(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("Bob")
    iam.create_user(UserName=name)
    failure = error(iam.create_user, UserName=name.upper())
    assert failure["Code"] == "EntityAlreadyExists"
    assert failure["Status"] == 409
    assert failure["Message"] == f"User with name {name.upper()} already exists."
    assert iam.get_user(UserName=name.lower())["User"]["UserName"] == name


def test_get_user_without_a_name_is_the_caller(server: RunningServer) -> None:
    me = server.client("iam").get_user()["User"]
    assert me["UserName"] == "baryon-admin"
    assert me["Arn"] == f"arn:aws:iam::{server.account_id}:user/baryon-admin"


def test_missing_user_errors_name_the_user(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("ghost")
    for call in (iam.get_user, iam.delete_user, iam.list_groups_for_user, iam.list_access_keys):
        failure = error(call, UserName=name)
        assert failure["Code"] == "NoSuchEntity", call
        assert failure["Status"] == 404
        assert failure["Message"] == f"The user with name {name} cannot be found."


def test_user_name_must_match_the_iam_pattern(server: RunningServer) -> None:
    iam = server.client("iam")
    failure = error(iam.create_user, UserName="bad name!")
    assert failure["Code"] == "ValidationError"
    assert "userName" in failure["Message"]
    non_ascii = error(iam.create_user, UserName="jos\u00e9-" + unique("x"))
    assert non_ascii["Code"] == "ValidationError"


def test_update_user_renames_and_moves(server: RunningServer) -> None:
    iam = server.client("iam")
    old, new = unique("carol"), unique("caroline")
    user_id = iam.create_user(UserName=old)["User"]["UserId"]
    iam.update_user(UserName=old, NewUserName=new, NewPath="/ops/")
    renamed = iam.get_user(UserName=new)["User"]
    assert renamed["UserId"] == user_id
    assert renamed["Arn"] == f"arn:aws:iam::{server.account_id}:user/ops/{new}"
    assert error(iam.get_user, UserName=old)["Code"] == "NoSuchEntity"

    taken = unique("taken")
    iam.create_user(UserName=taken)
    clash = error(iam.update_user, UserName=new, NewUserName=taken.upper())
    assert clash["Code"] == "EntityAlreadyExists"


def test_list_users_with_path_prefix(server: RunningServer) -> None:
    iam = server.client("iam")
    path = f"/{unique('team')}/"
    names = sorted(unique("member") for _ in range(3))
    for name in names:
        iam.create_user(UserName=name, Path=path)
    listed = iam.list_users(PathPrefix=path)
    assert [u["UserName"] for u in listed["Users"]] == names
    assert listed["IsTruncated"] is False
    assert all(u["Path"] == path for u in listed["Users"])
    cli = server.aws_json("iam", "list-users", "--path-prefix", path)
    assert [u["UserName"] for u in cli["Users"]] == names


def test_delete_user_refuses_while_anything_is_attached(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("dave")
    group = unique("grp")
    iam.create_user(UserName=name)
    iam.create_group(GroupName=group)

    key_id = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    failure = error(iam.delete_user, UserName=name)
    assert (failure["Code"], failure["Status"]) == ("DeleteConflict", 409)
    assert failure["Message"] == "Cannot delete entity, must delete access keys first."
    iam.delete_access_key(UserName=name, AccessKeyId=key_id)

    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=allow("s3:GetObject"))
    assert error(iam.delete_user, UserName=name)["Message"] == "Cannot delete entity, must delete policies first."
    iam.delete_user_policy(UserName=name, PolicyName="p")

    iam.attach_user_policy(UserName=name, PolicyArn=ADMIN_ACCESS)
    assert error(iam.delete_user, UserName=name)["Message"] == ("Cannot delete entity, must detach all policies first.")
    iam.detach_user_policy(UserName=name, PolicyArn=ADMIN_ACCESS)

    iam.add_user_to_group(GroupName=group, UserName=name)
    assert error(iam.delete_user, UserName=name)["Message"] == (
        "Cannot delete entity, must remove users from group first."
    )
    iam.remove_user_from_group(GroupName=group, UserName=name)

    iam.delete_user(UserName=name)
    assert error(iam.get_user, UserName=name)["Code"] == "NoSuchEntity"


def test_create_user_with_tags_and_boundary(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("erin")
    created = iam.create_user(
        UserName=name,
        PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess",
        Tags=[{"Key": "team", "Value": "platform"}],
    )["User"]
    assert created["Tags"] == [{"Key": "team", "Value": "platform"}]
    fetched = iam.get_user(UserName=name)["User"]
    assert fetched["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }
    missing = f"arn:aws:iam::{server.account_id}:policy/{unique('nope')}"
    failure = error(iam.create_user, UserName=unique("frank"), PermissionsBoundary=missing)
    assert failure["Code"] == "NoSuchEntity"
    assert missing in failure["Message"]

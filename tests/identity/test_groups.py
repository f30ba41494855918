"""IAM groups and membership through boto3 and the AWS CLI."""

from __future__ import annotations

from tests.identity.helpers import ADMIN_ACCESS, allow, error, unique
from tests.servers import RunningServer


def test_cli_group_lifecycle_with_members(server: RunningServer) -> None:
    group = unique("devs")
    users = sorted(unique("member") for _ in range(2))
    created = server.aws_json("iam", "create-group", "--group-name", group)["Group"]
    assert created["Arn"] == f"arn:aws:iam::{server.account_id}:group/{group}"
    assert created["GroupId"].startswith("AGPA")
    for user in users:
        server.aws("iam", "create-user", "--user-name", user)
        server.aws("iam", "add-user-to-group", "--group-name", group, "--user-name", user)

    fetched = server.aws_json("iam", "get-group", "--group-name", group)
    assert fetched["Group"]["GroupName"] == group
    assert [u["UserName"] for u in fetched["Users"]] == users

    memberships = server.aws_json("iam", "list-groups-for-user", "--user-name", users[0])["Groups"]
    assert [g["GroupName"] for g in memberships] == [group]

    server.aws("iam", "remove-user-from-group", "--group-name", group, "--user-name", users[0])
    after = server.client("iam").get_group(GroupName=group)
    assert [u["UserName"] for u in after["Users"]] == users[1:]
    assert server.client("iam").list_groups_for_user(UserName=users[0])["Groups"] == []


def test_group_errors(server: RunningServer) -> None:
    iam = server.client("iam")
    group, user = unique("ops"), unique("olga")
    iam.create_group(GroupName=group)
    iam.create_user(UserName=user)

    duplicate = error(iam.create_group, GroupName=group.upper())
    assert duplicate["Code"] == "EntityAlreadyExists"
    assert duplicate["Message"] == f"Group with name {group.upper()} already exists."

    missing = unique("nogroup")
    failure = error(iam.get_group, GroupName=missing)
    assert (failure["Code"], failure["Status"]) == ("NoSuchEntity", 404)
    assert failure["Message"] == f"The group with name {missing} cannot be found."
    assert error(iam.add_user_to_group, GroupName=group, UserName=unique("nobody"))["Code"] == "NoSuchEntity"
    assert error(iam.remove_user_from_group, GroupName=group, UserName=user)["Code"] == "NoSuchEntity"


def test_delete_group_refuses_members_and_policies(server: RunningServer) -> None:
    iam = server.client("iam")
    group, user = unique("grp"), unique("gus")
    iam.create_group(GroupName=group)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    failure = error(iam.delete_group, GroupName=group)
    assert (failure["Code"], failure["Status"]) == ("DeleteConflict", 409)
    assert failure["Message"] == "Cannot delete entity, must remove users from group first."
    iam.remove_user_from_group(GroupName=group, UserName=user)

    iam.attach_group_policy(GroupName=group, PolicyArn=ADMIN_ACCESS)
    assert error(iam.delete_group, GroupName=group)["Message"] == (
        "Cannot delete entity, must detach all policies first."
    )
    iam.detach_group_policy(GroupName=group, PolicyArn=ADMIN_ACCESS)

    iam.put_group_policy(GroupName=group, PolicyName="inline", PolicyDocument=allow("s3:ListBucket"))
    assert error(iam.delete_group, GroupName=group)["Message"] == "Cannot delete entity, must delete policies first."
    iam.delete_group_policy(GroupName=group, PolicyName="inline")

    iam.delete_group(GroupName=group)
    assert error(iam.get_group, GroupName=group)["Code"] == "NoSuchEntity"


def test_list_groups_and_rename(server: RunningServer) -> None:
    iam = server.client("iam")
    path = f"/{unique('dept')}/"
    names = sorted(unique("g") for _ in range(3))
    for name in names:
        iam.create_group(GroupName=name, Path=path)
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix=path)["Groups"]] == names

    renamed = unique("renamed")
    iam.update_group(GroupName=names[0], NewGroupName=renamed)
    group = iam.get_group(GroupName=renamed)["Group"]
    assert group["Arn"] == f"arn:aws:iam::{server.account_id}:group{path}{renamed}"
    assert error(iam.get_group, GroupName=names[0])["Code"] == "NoSuchEntity"


def test_adding_a_member_twice_is_harmless(server: RunningServer) -> None:
    iam = server.client("iam")
    group, user = unique("twice"), unique("tom")
    iam.create_group(GroupName=group)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    assert [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]] == [user]

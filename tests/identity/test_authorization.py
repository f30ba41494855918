"""IAM's own policies decide IAM calls: managed, inline, group and boundary policies, and explicit denies."""

from __future__ import annotations

from tests.identity.helpers import ADMIN_ACCESS, READ_ONLY_ACCESS, allow, deny, error, unique, user_with_key
from tests.servers import RunningServer


def test_read_only_user_is_denied_create_user_with_aws_message(server: RunningServer) -> None:
    name, credentials = user_with_key(server, READ_ONLY_ACCESS)
    as_user = server.client("iam", credentials=credentials)
    assert any(u["UserName"] == name for u in as_user.list_users(MaxItems=1000)["Users"])
    other = unique("other")
    failure = error(as_user.create_user, UserName=other)
    assert (failure["Code"], failure["Status"]) == ("AccessDenied", 403)
    assert failure["Message"] == (
        f"User: arn:aws:iam::{server.account_id}:user/{name} is not authorized to perform: iam:CreateUser "
        f"on resource: arn:aws:iam::{server.account_id}:user/{other} because no identity-based policy allows "
        "the iam:CreateUser action"
    )
    cli = server.aws("iam", "create-user", "--user-name", other, credentials=credentials, check=False)
    assert cli.returncode != 0 and "AccessDenied" in cli.stderr
    assert error(server.client("iam").get_user, UserName=other)["Code"] == "NoSuchEntity"


def test_explicit_deny_inline_wins_over_administrator_access(server: RunningServer) -> None:
    name, credentials = user_with_key(server, ADMIN_ACCESS, inline=deny("iam:CreateUser"))
    as_user = server.client("iam", credentials=credentials)
    other = unique("blocked")
    failure = error(as_user.create_user, UserName=other)
    assert (failure["Code"], failure["Status"]) == ("AccessDenied", 403)
    assert failure["Message"].startswith(
        f"User: arn:aws:iam::{server.account_id}:user/{name} is not authorized to perform: iam:CreateUser"
    )
    assert "explicit deny" in failure["Message"]
    allowed = unique("allowed-group")
    as_user.create_group(GroupName=allowed)
    assert server.client("iam").get_group(GroupName=allowed)["Group"]["GroupName"] == allowed


def test_policy_changes_take_effect_on_the_next_request(server: RunningServer) -> None:
    iam = server.client("iam")
    name, credentials = user_with_key(server)
    as_user = server.client("iam", credentials=credentials)
    assert error(as_user.list_roles)["Code"] == "AccessDenied"

    group = unique("readers")
    iam.create_group(GroupName=group)
    iam.attach_group_policy(GroupName=group, PolicyArn=READ_ONLY_ACCESS)
    iam.add_user_to_group(GroupName=group, UserName=name)
    assert "Roles" in as_user.list_roles()

    iam.put_group_policy(GroupName=group, PolicyName="no-roles", PolicyDocument=deny("iam:ListRoles"))
    assert error(as_user.list_roles)["Code"] == "AccessDenied"
    iam.delete_group_policy(GroupName=group, PolicyName="no-roles")
    assert "Roles" in as_user.list_roles()

    iam.remove_user_from_group(GroupName=group, UserName=name)
    assert error(as_user.list_roles)["Code"] == "AccessDenied"


def test_managed_policy_default_version_decides(server: RunningServer) -> None:
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName=unique("switch"), PolicyDocument=allow("iam:ListGroups"))["Policy"]["Arn"]
    _, credentials = user_with_key(server, arn)
    as_user = server.client("iam", credentials=credentials)
    assert "Groups" in as_user.list_groups()
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("iam:ListUsers"), SetAsDefault=True)
    assert error(as_user.list_groups)["Code"] == "AccessDenied"
    assert "Users" in as_user.list_users()
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert "Groups" in as_user.list_groups()


def test_permissions_boundary_caps_administrator_access(server: RunningServer) -> None:
    iam = server.client("iam")
    name, credentials = user_with_key(server, ADMIN_ACCESS)
    as_user = server.client("iam", credentials=credentials)
    as_user.create_group(GroupName=unique("before"))
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=READ_ONLY_ACCESS)
    assert iam.get_user(UserName=name)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == READ_ONLY_ACCESS
    failure = error(as_user.create_group, GroupName=unique("after"))
    assert (failure["Code"], failure["Status"]) == ("AccessDenied", 403)
    assert "permissions boundary" in failure["Message"]
    assert "Groups" in as_user.list_groups()
    iam.delete_user_permissions_boundary(UserName=name)
    as_user.create_group(GroupName=unique("again"))
    assert "PermissionsBoundary" not in iam.get_user(UserName=name)["User"]


def test_role_boundary_and_session(server: RunningServer) -> None:
    iam = server.client("iam")
    role = unique("bounded")
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'
        f'{server.account_id}:root"}},"Action":"sts:AssumeRole"}}]}}'
    )
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust, PermissionsBoundary=READ_ONLY_ACCESS)["Role"][
        "Arn"
    ]
    iam.attach_role_policy(RoleName=role, PolicyArn=ADMIN_ACCESS)
    session = server.client("sts").assume_role(RoleArn=arn, RoleSessionName="capped")["Credentials"]
    as_role = server.client("iam", credentials=session)
    assert "Users" in as_role.list_users()
    assert error(as_role.create_user, UserName=unique("nope"))["Code"] == "AccessDenied"
    iam.delete_role_permissions_boundary(RoleName=role)
    created = unique("now-allowed")
    as_role.create_user(UserName=created)
    assert iam.get_user(UserName=created)["User"]["UserName"] == created


def test_membership_changes_are_authorized_on_the_group(server: RunningServer) -> None:
    iam = server.client("iam")
    allowed_group, other_group, member = unique("mine"), unique("theirs"), unique("member")
    for group in (allowed_group, other_group):
        iam.create_group(GroupName=group)
    iam.create_user(UserName=member)
    policy = allow(
        ["iam:AddUserToGroup", "iam:RemoveUserFromGroup"],
        f"arn:aws:iam::{server.account_id}:group/{allowed_group}",
    )
    _, credentials = user_with_key(server, inline=policy)
    as_user = server.client("iam", credentials=credentials)
    as_user.add_user_to_group(GroupName=allowed_group, UserName=member)
    failure = error(as_user.add_user_to_group, GroupName=other_group, UserName=member)
    assert failure["Code"] == "AccessDenied"
    assert f"on resource: arn:aws:iam::{server.account_id}:group/{other_group}" in failure["Message"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=member)["Groups"]] == [allowed_group]


def test_create_policy_is_authorized_on_the_new_policy_arn(server: RunningServer) -> None:
    iam = server.client("iam")
    prefix = unique("team")
    policy = allow("iam:CreatePolicy", f"arn:aws:iam::{server.account_id}:policy/{prefix}-*")
    _, credentials = user_with_key(server, inline=policy)
    as_user = server.client("iam", credentials=credentials)
    created = as_user.create_policy(PolicyName=f"{prefix}-ok", PolicyDocument=allow("s3:GetObject"))["Policy"]
    assert created["Arn"] == f"arn:aws:iam::{server.account_id}:policy/{prefix}-ok"
    other = unique("other")
    failure = error(as_user.create_policy, PolicyName=other, PolicyDocument=allow("s3:GetObject"))
    assert failure["Code"] == "AccessDenied"
    assert f"on resource: arn:aws:iam::{server.account_id}:policy/{other}" in failure["Message"]
    denied_arn = f"arn:aws:iam::{server.account_id}:policy/{other}"
    assert error(iam.get_policy, PolicyArn=denied_arn)["Code"] == "NoSuchEntity"


def test_policies_see_the_real_path_of_existing_entities(server: RunningServer) -> None:
    iam = server.client("iam")
    path = f"/{unique('protected')}/"
    guarded, plain = unique("guarded"), unique("plain")
    iam.create_user(UserName=guarded, Path=path)
    iam.create_user(UserName=plain)
    fence = deny("iam:*", f"arn:aws:iam::{server.account_id}:user{path}*")
    _, credentials = user_with_key(server, ADMIN_ACCESS, inline=fence)
    as_user = server.client("iam", credentials=credentials)
    failure = error(as_user.tag_user, UserName=guarded, Tags=[{"Key": "k", "Value": "v"}])
    assert (failure["Code"], failure["Status"]) == ("AccessDenied", 403)
    assert f"arn:aws:iam::{server.account_id}:user{path}{guarded}" in failure["Message"]
    assert error(as_user.delete_user, UserName=guarded)["Code"] == "AccessDenied"
    assert iam.get_user(UserName=guarded)["User"]["Path"] == path
    as_user.tag_user(UserName=plain, Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_user_tags(UserName=plain)["Tags"] == [{"Key": "k", "Value": "v"}]


def test_an_allow_written_for_a_path_covers_the_entities_under_it(server: RunningServer) -> None:
    iam = server.client("iam")
    path = f"/{unique('eng')}/"
    inside, outside = unique("inside"), unique("outside")
    iam.create_user(UserName=inside, Path=path)
    iam.create_user(UserName=outside)
    only_path = allow(["iam:GetUser", "iam:TagUser"], f"arn:aws:iam::{server.account_id}:user{path}*")
    _, credentials = user_with_key(server, inline=only_path)
    as_user = server.client("iam", credentials=credentials)
    assert as_user.get_user(UserName=inside)["User"]["Arn"] == f"arn:aws:iam::{server.account_id}:user{path}{inside}"
    as_user.tag_user(UserName=inside, Tags=[{"Key": "team", "Value": "eng"}])
    failure = error(as_user.get_user, UserName=outside)
    assert failure["Code"] == "AccessDenied"
    assert (
        f"on resource: arn:aws:iam::{server.account_id}:user/{outside} because no identity-based" in failure["Message"]
    )

    iam.update_user(UserName=inside, NewPath="/")
    moved = error(as_user.get_user, UserName=inside)
    assert moved["Code"] == "AccessDenied", "a path change is seen on the next call"


def test_access_key_last_used_is_authorized_on_the_key_owner(server: RunningServer) -> None:
    iam = server.client("iam")
    other = unique("keyowner")
    iam.create_user(UserName=other)
    other_key = iam.create_access_key(UserName=other)["AccessKey"]["AccessKeyId"]
    name, credentials = user_with_key(server)
    own_only = allow("iam:GetAccessKeyLastUsed", f"arn:aws:iam::{server.account_id}:user/{name}")
    iam.put_user_policy(UserName=name, PolicyName="own", PolicyDocument=own_only)
    as_user = server.client("iam", credentials=credentials)
    assert as_user.get_access_key_last_used(AccessKeyId=credentials["AccessKeyId"])["UserName"] == name
    failure = error(as_user.get_access_key_last_used, AccessKeyId=other_key)
    assert failure["Code"] == "AccessDenied"
    assert f"user/{other}" in failure["Message"]

"""IAM groups and their members: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
RemoveUserFromGroup, ListGroupsForUser. A user's permissions include its groups', so membership changes
bump the generation."""

from __future__ import annotations

from sqlalchemy import func, select

from baryon import ids
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, errors, iam, paging
from baryon.identity.tables import Group, GroupMember, InlinePolicy, PolicyAttachment, User


def _find(call: Call, name: str) -> Group | None:
    return call.db.scalars(
        select(Group).where(Group.account_id == call.account_id, Group.name_key == common.name_key(name))
    ).one_or_none()


@iam("CreateGroup")
def create_group(call: Call) -> Result:
    name = common.check_name(call.params["GroupName"], "group")
    path = call.params.get("Path", "/")
    if _find(call, name) is not None:
        raise errors.already_exists("group", name)
    row = Group(
        id=ids.unique_id(common.id_prefix("group")),
        account_id=call.account_id,
        name=name,
        name_key=common.name_key(name),
        path=path,
        arn=common.iam_arn(call.account_id, "group", path, name),
        created_at=call.now,
    )
    call.db.add(row)
    common.flush_unique(call, errors.already_exists("group", name))
    return {"Group": common.group_shape(row)}


@iam("GetGroup")
def get_group(call: Call) -> Result:
    row = common.group(call, call.params["GroupName"])
    statement = select(User).join(GroupMember, GroupMember.user_id == User.id).where(GroupMember.group_id == row.id)
    users, fields = paging.page_query(call, paging.scope(call, row.id), statement, User.name_key, User.id)
    return {
        "Group": common.group_shape(row),
        "Users": [common.user_shape(u, detail=False) for u in users],
        **fields,
    }


@iam("ListGroups")
def list_groups(call: Call) -> Result:
    prefix = call.params.get("PathPrefix", "/")
    statement = select(Group).where(Group.account_id == call.account_id, Group.path.startswith(prefix, autoescape=True))
    rows, fields = paging.page_query(call, paging.scope(call, prefix), statement, Group.name_key, Group.id)
    return {"Groups": [common.group_shape(row) for row in rows], **fields}


@iam("UpdateGroup")
def update_group(call: Call) -> Result:
    params = call.params
    row = common.group(call, params["GroupName"])
    new_name = params.get("NewGroupName")
    if new_name is not None:
        common.check_name(new_name, "group")
        other = _find(call, new_name)
        if other is not None and other.id != row.id:
            raise errors.already_exists("group", new_name)
        row.name, row.name_key = new_name, common.name_key(new_name)
    if params.get("NewPath") is not None:
        row.path = params["NewPath"]
    row.arn = common.iam_arn(call.account_id, "group", row.path, row.name)
    common.flush_unique(call, errors.already_exists("group", new_name or row.name))
    call.runtime.watch.bump(call.db)
    return {}


@iam("DeleteGroup")
def delete_group(call: Call) -> Result:
    row = common.group(call, call.params["GroupName"])
    db = call.db
    if db.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == row.id)):
        raise errors.delete_conflict("Cannot delete entity, must remove users from group first.")
    if db.scalar(
        select(func.count())
        .select_from(InlinePolicy)
        .where(InlinePolicy.principal_type == "group", InlinePolicy.principal_id == row.id)
    ):
        raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
    if db.scalar(
        select(func.count())
        .select_from(PolicyAttachment)
        .where(PolicyAttachment.principal_type == "group", PolicyAttachment.principal_id == row.id)
    ):
        raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
    db.delete(row)
    call.runtime.watch.bump(db)
    return {}


@iam("AddUserToGroup")
def add_user_to_group(call: Call) -> Result:
    row = common.group(call, call.params["GroupName"])
    member = common.user(call, call.params["UserName"])
    if call.db.get(GroupMember, (row.id, member.id)) is not None:
        return {}
    if common.group_count(call.db, member.id) >= errors.GROUPS_PER_USER:
        raise errors.quota("GroupsPerUser", errors.GROUPS_PER_USER)
    call.db.add(GroupMember(group_id=row.id, user_id=member.id))
    call.runtime.watch.bump(call.db)
    return {}


@iam("RemoveUserFromGroup")
def remove_user_from_group(call: Call) -> Result:
    row = common.group(call, call.params["GroupName"])
    member = common.user(call, call.params["UserName"])
    membership = call.db.get(GroupMember, (row.id, member.id))
    if membership is None:
        raise errors.no_such_entity(f"User {member.name} is not a member of group {row.name}.")
    call.db.delete(membership)
    call.runtime.watch.bump(call.db)
    return {}


@iam("ListGroupsForUser")
def list_groups_for_user(call: Call) -> Result:
    member = common.user(call, call.params["UserName"])
    statement = (
        select(Group).join(GroupMember, GroupMember.group_id == Group.id).where(GroupMember.user_id == member.id)
    )
    rows, fields = paging.page_query(call, paging.scope(call, member.id), statement, Group.name_key, Group.id)
    return {"Groups": [common.group_shape(row) for row in rows], **fields}

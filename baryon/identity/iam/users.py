"""IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from baryon import ids
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, errors, iam, paging
from baryon.identity.iam.tags import checked_tags
from baryon.identity.tables import AccessKey, GroupMember, InlinePolicy, PolicyAttachment, User
from baryon.org.tables import Account


@iam("CreateUser")
def create_user(call: Call) -> Result:
    params = call.params
    name = common.check_name(params["UserName"], "user")
    path = params.get("Path", "/")
    if common.find_user(call, name) is not None:
        raise errors.already_exists("user", name)
    boundary = params.get("PermissionsBoundary")
    row = User(
        id=ids.unique_id(common.id_prefix("user")),
        account_id=call.account_id,
        name=name,
        name_key=common.name_key(name),
        path=path,
        arn=common.iam_arn(call.account_id, "user", path, name),
        permissions_boundary_arn=common.boundary_arn(call, boundary) if boundary else None,
        tags=checked_tags(params.get("Tags", [])),
        created_at=call.now,
    )
    call.db.add(row)
    common.flush_unique(call, errors.already_exists("user", name))
    call.runtime.watch.bump(call.db)
    return {"User": common.user_shape(row)}


@iam("GetUser")
def get_user(call: Call) -> Result:
    if call.params.get("UserName") is None and call.caller.kind == "root":
        account = call.db.get(Account, call.account_id)
        return {
            "User": {
                "Path": "/",
                "UserName": "root",
                "UserId": call.account_id,
                "Arn": call.caller.arn,
                "CreateDate": account.joined_at if account else call.now,
            }
        }
    return {"User": common.user_shape(common.user_or_caller(call))}


@iam("ListUsers")
def list_users(call: Call) -> Result:
    prefix = call.params.get("PathPrefix", "/")
    statement = select(User).where(User.account_id == call.account_id, User.path.startswith(prefix, autoescape=True))
    rows, fields = paging.page_query(call, paging.scope(call, prefix), statement, User.name_key, User.id)
    return {"Users": [common.user_shape(row, detail=False) for row in rows], **fields}


@iam("UpdateUser")
def update_user(call: Call) -> Result:
    params = call.params
    row = common.user(call, params["UserName"])
    new_name = params.get("NewUserName")
    if new_name is not None:
        common.check_name(new_name, "user")
        other = common.find_user(call, new_name)
        if other is not None and other.id != row.id:
            raise errors.already_exists("user", new_name)
        row.name, row.name_key = new_name, common.name_key(new_name)
    if params.get("NewPath") is not None:
        row.path = params["NewPath"]
    row.arn = common.iam_arn(call.account_id, "user", row.path, row.name)
    common.flush_unique(call, errors.already_exists("user", new_name or row.name))
    call.runtime.watch.bump(call.db)
    return {}


def _count(call: Call, table: type[Any], *where: ColumnElement[bool]) -> int:
    return int(call.db.scalar(select(func.count()).select_from(table).where(*where)) or 0)


@iam("DeleteUser")
def delete_user(call: Call) -> Result:
    row = common.user(call, call.params["UserName"])
    if _count(call, AccessKey, AccessKey.user_id == row.id):
        raise errors.delete_conflict("Cannot delete entity, must delete access keys first.")
    if _count(call, InlinePolicy, InlinePolicy.principal_type == "user", InlinePolicy.principal_id == row.id):
        raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
    if _count(
        call,
        PolicyAttachment,
        PolicyAttachment.principal_type == "user",
        PolicyAttachment.principal_id == row.id,
    ):
        raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
    if _count(call, GroupMember, GroupMember.user_id == row.id):
        raise errors.delete_conflict("Cannot delete entity, must remove users from group first.")
    call.db.delete(row)
    call.runtime.watch.bump(call.db)
    return {}

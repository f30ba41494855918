"""Permissions boundaries: Put/Delete{User,Role}PermissionsBoundary. A boundary caps what a user's or role's
policies can grant, so setting or removing one bumps the generation."""

from __future__ import annotations

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, iam


@iam("PutUserPermissionsBoundary")
def put_user_permissions_boundary(call: Call) -> Result:
    row = common.user(call, call.params["UserName"])
    row.permissions_boundary_arn = common.boundary_arn(call, call.params["PermissionsBoundary"])
    call.runtime.watch.bump(call.db)
    return {}


@iam("PutRolePermissionsBoundary")
def put_role_permissions_boundary(call: Call) -> Result:
    row = common.role(call, call.params["RoleName"])
    row.permissions_boundary_arn = common.boundary_arn(call, call.params["PermissionsBoundary"])
    call.runtime.watch.bump(call.db)
    return {}


@iam("DeleteUserPermissionsBoundary")
def delete_user_permissions_boundary(call: Call) -> Result:
    row = common.user(call, call.params["UserName"])
    row.permissions_boundary_arn = None
    call.runtime.watch.bump(call.db)
    return {}


@iam("DeleteRolePermissionsBoundary")
def delete_role_permissions_boundary(call: Call) -> Result:
    row = common.role(call, call.params["RoleName"])
    row.permissions_boundary_arn = None
    call.runtime.watch.bump(call.db)
    return {}

"""IAM roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
DeleteRole. The trust policy (who may assume the role) is checked with the policy engine's trust grammar."""

from __future__ import annotations

from sqlalchemy import func, select

from baryon import ids
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, documents, errors, iam, paging
from baryon.identity.iam.tags import checked_tags
from baryon.identity.tables import InlinePolicy, PolicyAttachment, Role


def _find(call: Call, name: str) -> Role | None:
    return call.db.scalars(
        select(Role).where(Role.account_id == call.account_id, Role.name_key == common.name_key(name))
    ).one_or_none()


SERVICE_LINKED_PATH = "/aws-service-role/"


@iam("CreateRole")
def create_role(call: Call) -> Result:
    params = call.params
    name = common.check_name(params["RoleName"], "role")
    path = params.get("Path", "/")
    if path.startswith(SERVICE_LINKED_PATH):
        # Service-linked roles are exempt from SCPs; only AWS services may create them.
        raise errors.invalid_input(f"Path prefix '{SERVICE_LINKED_PATH}' can only be used for AWS Service linked Roles")
    if _find(call, name) is not None:
        raise errors.already_exists("role", name)
    trust = documents.trust(params["AssumeRolePolicyDocument"])
    boundary = params.get("PermissionsBoundary")
    row = Role(
        id=ids.unique_id(common.id_prefix("role")),
        account_id=call.account_id,
        name=name,
        name_key=common.name_key(name),
        path=path,
        arn=common.iam_arn(call.account_id, "role", path, name),
        assume_role_policy=trust,
        description=params.get("Description"),
        max_session_duration=params.get("MaxSessionDuration", 3600),
        permissions_boundary_arn=common.boundary_arn(call, boundary) if boundary else None,
        tags=checked_tags(params.get("Tags", [])),
        created_at=call.now,
    )
    call.db.add(row)
    common.flush_unique(call, errors.already_exists("role", name))
    call.runtime.watch.bump(call.db)
    return {"Role": common.role_shape(row)}


@iam("GetRole")
def get_role(call: Call) -> Result:
    return {"Role": common.role_shape(common.role(call, call.params["RoleName"]))}


@iam("ListRoles")
def list_roles(call: Call) -> Result:
    prefix = call.params.get("PathPrefix", "/")
    statement = select(Role).where(Role.account_id == call.account_id, Role.path.startswith(prefix, autoescape=True))
    rows, fields = paging.page_query(call, paging.scope(call, prefix), statement, Role.name_key, Role.id)
    return {"Roles": [common.role_shape(row, detail=False) for row in rows], **fields}


@iam("UpdateRole")
def update_role(call: Call) -> Result:
    row = common.role(call, call.params["RoleName"])
    if "Description" in call.params:
        row.description = call.params["Description"]
    if "MaxSessionDuration" in call.params:
        row.max_session_duration = call.params["MaxSessionDuration"]
    return {}


@iam("UpdateRoleDescription")
def update_role_description(call: Call) -> Result:
    row = common.role(call, call.params["RoleName"])
    row.description = call.params["Description"]
    return {"Role": common.role_shape(row)}


@iam("UpdateAssumeRolePolicy")
def update_assume_role_policy(call: Call) -> Result:
    row = common.role(call, call.params["RoleName"])
    row.assume_role_policy = documents.trust(call.params["PolicyDocument"])
    call.runtime.watch.bump(call.db)
    return {}


@iam("DeleteRole")
def delete_role(call: Call) -> Result:
    row = common.role(call, call.params["RoleName"])
    db = call.db
    if db.scalar(
        select(func.count())
        .select_from(InlinePolicy)
        .where(InlinePolicy.principal_type == "role", InlinePolicy.principal_id == row.id)
    ):
        raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
    if db.scalar(
        select(func.count())
        .select_from(PolicyAttachment)
        .where(PolicyAttachment.principal_type == "role", PolicyAttachment.principal_id == row.id)
    ):
        raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
    db.delete(row)
    call.runtime.watch.bump(db)
    return {}

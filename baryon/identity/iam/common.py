"""Lookups by name within the caller's account, and the wire shapes of users, groups and roles."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baryon.edge.context import Call
from baryon.edge.errors import AccessDenied
from baryon.identity.iam import errors
from baryon.identity.tables import Group, GroupMember, ManagedPolicy, Role, User

AWS_ACCOUNT = "aws"
_ASCII_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]+")
_ID_PREFIX = {"user": "AIDA", "group": "AGPA", "role": "AROA", "policy": "ANPA"}
_PARAMETER = {"user": "userName", "group": "groupName", "role": "roleName", "policy": "policyName"}


def name_key(name: str) -> str:
    """IAM names are unique per account regardless of case."""
    return name.lower()


def check_name(name: str, kind: str) -> str:
    """IAM names are ASCII (`[\\w+=,.@-]+` with Java's ASCII `\\w`); the model check lets other letters by."""
    if not _ASCII_NAME.fullmatch(name):
        raise errors.validation(
            f"1 validation error detected: Value '{name}' at '{_PARAMETER[kind]}' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
        )
    return name


def id_prefix(kind: str) -> str:
    return _ID_PREFIX[kind]


def iam_arn(account_id: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def encode_document(document: str) -> str:
    """IAM returns policy documents URL-encoded (RFC 3986); SDKs and the CLI decode them."""
    return quote(document, safe="")


def flush_unique(call: Call, conflict: Exception) -> None:
    """Write pending rows now; a concurrent request that took the same name loses with `conflict`."""
    try:
        call.db.flush()
    except IntegrityError:
        raise conflict from None


def confirm(call: Call, arn: str) -> None:
    """Authorize the call on the resource's ARN too, when the request does not name it (GetAccessKeyLastUsed
    names only a key; the action map could not know whose it is)."""
    ctx = call.ctx
    if arn in ctx.resources or ctx.action is None:
        return
    outcome = call.runtime.authorizer.check(call.caller, ctx.action, (arn,), ctx.authz_context)
    if not outcome.allowed:
        ctx.decision, ctx.reason = outcome.decision.effect.value, outcome.message
        raise AccessDenied(outcome.message or "Access denied")


def _by_name(db: Session, table: Any, account_id: str, name: str) -> Any:
    return db.scalars(
        select(table).where(table.account_id == account_id, table.name_key == name_key(name))
    ).one_or_none()


def find_user(call: Call, name: str) -> User | None:
    return _by_name(call.db, User, call.account_id, name)  # type: ignore[no-any-return]


def user(call: Call, name: str) -> User:
    found = find_user(call, name)
    if found is None:
        raise errors.not_found("user", name)
    return found


def user_or_caller(call: Call) -> User:
    """The user a call names, or the calling IAM user when `UserName` is left out."""
    name = call.params.get("UserName")
    if name is not None:
        return user(call, name)
    caller = call.caller
    if caller.kind != "user":
        raise errors.validation("Must specify userName when calling with non-User credentials")
    found = call.db.get(User, caller.principal_id)
    if found is None:
        raise errors.not_found("user", caller.name)
    return found


def group(call: Call, name: str) -> Group:
    found = _by_name(call.db, Group, call.account_id, name)
    if found is None:
        raise errors.not_found("group", name)
    return found


def role(call: Call, name: str) -> Role:
    found = _by_name(call.db, Role, call.account_id, name)
    if found is None:
        raise errors.not_found("role", name)
    return found


def principal(call: Call, kind: str, name: str) -> User | Group | Role:
    find: dict[str, Any] = {"user": user, "group": group, "role": role}
    return find[kind](call, name)  # type: ignore[no-any-return]


def find_policy(call: Call, arn: str) -> ManagedPolicy | None:
    """A managed policy this account may see: its own customer-managed policies and the AWS-managed ones."""
    return call.db.scalars(
        select(ManagedPolicy).where(
            ManagedPolicy.arn == arn, ManagedPolicy.account_id.in_((call.account_id, AWS_ACCOUNT))
        )
    ).one_or_none()


def policy(call: Call, arn: str) -> ManagedPolicy:
    found = find_policy(call, arn)
    if found is None:
        raise errors.policy_not_found(arn)
    return found


def own_policy(call: Call, arn: str, operation: str) -> ManagedPolicy:
    """A customer-managed policy the call may change; AWS-managed policies are refused."""
    found = policy(call, arn)
    if found.account_id == AWS_ACCOUNT:
        raise errors.aws_managed(operation, call.caller.arn, arn)
    return found


def boundary_arn(call: Call, arn: str) -> str:
    """A permissions boundary must be a managed policy this account can attach."""
    if find_policy(call, arn) is None:
        if not arn.startswith("arn:aws:iam::") or ":policy/" not in arn:
            raise errors.invalid_input(f"ARN {arn} is not valid.")
        raise errors.boundary_not_found(arn)
    return arn


def group_count(db: Session, user_id: str) -> int:
    return int(db.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.user_id == user_id)) or 0)


def _boundary(arn: str | None) -> dict[str, str] | None:
    if arn is None:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def tag_list(tags: list[Any] | None) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags or []]


def user_shape(row: User, detail: bool = True) -> dict[str, Any]:
    """A `User`; ListUsers leaves out the boundary and tags, as AWS does."""
    shape: dict[str, Any] = {
        "Path": row.path,
        "UserName": row.name,
        "UserId": row.id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
    }
    if detail:
        shape["PermissionsBoundary"] = _boundary(row.permissions_boundary_arn)
        if row.tags:
            shape["Tags"] = tag_list(row.tags)
    return {k: v for k, v in shape.items() if v is not None}


def group_shape(row: Group) -> dict[str, Any]:
    return {
        "Path": row.path,
        "GroupName": row.name,
        "GroupId": row.id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
    }


def role_shape(row: Role, detail: bool = True) -> dict[str, Any]:
    """A `Role`; ListRoles leaves out the boundary, tags and last use, as AWS does."""
    shape: dict[str, Any] = {
        "Path": row.path,
        "RoleName": row.name,
        "RoleId": row.id,
        "Arn": row.arn,
        "CreateDate": row.created_at,
        "AssumeRolePolicyDocument": encode_document(row.assume_role_policy),
        "Description": row.description,
        "MaxSessionDuration": row.max_session_duration,
    }
    if detail:
        shape["PermissionsBoundary"] = _boundary(row.permissions_boundary_arn)
        if row.tags:
            shape["Tags"] = tag_list(row.tags)
        shape["RoleLastUsed"] = {}
    return {k: v for k, v in shape.items() if v is not None}

"""Managed policies attached to users, groups and roles: Attach{User,Group,Role}Policy,
Detach{User,Group,Role}Policy, ListAttached{User,Group,Role}Policies, ListEntitiesForPolicy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, errors, iam, paging
from baryon.identity.tables import Group, ManagedPolicy, PolicyAttachment, Role, User

_NOUNS = {"user": "User", "group": "Group", "role": "Role"}
_QUOTAS = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}


def _attach(call: Call, kind: str) -> Result:
    owner = common.principal(call, kind, call.params[f"{_NOUNS[kind]}Name"])
    arn = call.params["PolicyArn"]
    policy = common.find_policy(call, arn)
    if policy is None:
        raise errors.policy_not_attachable(arn)
    if call.db.get(PolicyAttachment, (kind, owner.id, policy.id)) is not None:
        return {}
    count = call.db.scalar(
        select(func.count())
        .select_from(PolicyAttachment)
        .where(PolicyAttachment.principal_type == kind, PolicyAttachment.principal_id == owner.id)
    )
    if (count or 0) >= errors.MANAGED_POLICIES_PER_PRINCIPAL:
        raise errors.quota(_QUOTAS[kind], errors.MANAGED_POLICIES_PER_PRINCIPAL)
    call.db.add(PolicyAttachment(principal_type=kind, principal_id=owner.id, policy_id=policy.id))
    common.flush_unique(call, errors.concurrent("The attachment was changed by another request; try again."))
    call.runtime.watch.bump(call.db)
    return {}


def _detach(call: Call, kind: str) -> Result:
    owner = common.principal(call, kind, call.params[f"{_NOUNS[kind]}Name"])
    arn = call.params["PolicyArn"]
    policy = common.find_policy(call, arn)
    attachment = call.db.get(PolicyAttachment, (kind, owner.id, policy.id)) if policy is not None else None
    if attachment is None:
        raise errors.policy_not_found(arn)
    call.db.delete(attachment)
    call.runtime.watch.bump(call.db)
    return {}


def _list_attached(call: Call, kind: str) -> Result:
    owner = common.principal(call, kind, call.params[f"{_NOUNS[kind]}Name"])
    prefix = call.params.get("PathPrefix", "/")
    statement = (
        select(ManagedPolicy)
        .join(PolicyAttachment, PolicyAttachment.policy_id == ManagedPolicy.id)
        .where(
            PolicyAttachment.principal_type == kind,
            PolicyAttachment.principal_id == owner.id,
            ManagedPolicy.path.startswith(prefix, autoescape=True),
        )
    )
    listing = paging.scope(call, owner.id, prefix)
    rows, fields = paging.page_query(call, listing, statement, ManagedPolicy.name_key, ManagedPolicy.id)
    return {"AttachedPolicies": [{"PolicyName": r.name, "PolicyArn": r.arn} for r in rows], **fields}


def _register(kind: str) -> None:
    noun = _NOUNS[kind]
    iam(f"Attach{noun}Policy")(lambda call: _attach(call, kind))
    iam(f"Detach{noun}Policy")(lambda call: _detach(call, kind))
    iam(f"ListAttached{noun}Policies")(lambda call: _list_attached(call, kind))


for _kind in _NOUNS:
    _register(_kind)


_ENTITY_FILTERS = {"User": ("user",), "Group": ("group",), "Role": ("role",)}


@iam("ListEntitiesForPolicy")
def list_entities_for_policy(call: Call) -> Result:
    params = call.params
    policy = common.policy(call, params["PolicyArn"])
    prefix = params.get("PathPrefix", "/")
    entity_filter = params.get("EntityFilter")
    usage_filter = params.get("PolicyUsageFilter")
    kinds: tuple[str, ...] = _ENTITY_FILTERS.get(entity_filter or "", ("user", "group", "role"))
    if entity_filter in ("LocalManagedPolicy", "AWSManagedPolicy"):
        wanted = common.AWS_ACCOUNT if entity_filter == "AWSManagedPolicy" else call.account_id
        kinds = kinds if policy.account_id == wanted else ()
    entities: list[tuple[str, Any]] = []
    tables: dict[str, Any] = {"user": User, "group": Group, "role": Role}
    for kind in kinds:
        table = tables[kind]
        base = select(table).where(table.account_id == call.account_id, table.path.startswith(prefix, autoescape=True))
        found: dict[str, Any] = {}
        if usage_filter != "PermissionsBoundary":
            attached = base.join(PolicyAttachment, PolicyAttachment.principal_id == table.id).where(
                PolicyAttachment.principal_type == kind, PolicyAttachment.policy_id == policy.id
            )
            found.update((row.id, row) for row in call.db.scalars(attached))
        if usage_filter != "PermissionsPolicy" and kind != "group":
            bounded = base.where(table.permissions_boundary_arn == policy.arn)
            found.update((row.id, row) for row in call.db.scalars(bounded))
        entities.extend((kind, row) for row in found.values())
    listing = paging.scope(call, policy.id, entity_filter, prefix, usage_filter)
    page, fields = paging.page_list(call, listing, entities, lambda e: (e[0], e[1].name_key, e[1].id))
    result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], **fields}
    for kind, row in page:
        noun = _NOUNS[kind]
        result[f"Policy{noun}s"].append({f"{noun}Name": row.name, f"{noun}Id": row.id})
    return result

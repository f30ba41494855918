"""Explaining decisions after the fact, and previewing a guardrail before it is attached.

`explain` decides a request — one from the audit trail, or a hypothetical one — with the policies in force
now, and returns the decision with every step the engine took (each policy type, each organization level).

`impact` replays the audit trail of every account under a target (an OU, the root, or one account) with a
candidate SCP attached at that target, and reports the calls it would have denied. Only calls that were
allowed and whose request context was recorded can be replayed; the management account is never affected.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from baryon.audit.tables import AuditEvent
from baryon.authz.authorizer import Authorizer
from baryon.identity.caller import Caller
from baryon.identity.tables import Role, User
from baryon.org.tables import Account, OrganizationalUnit
from baryon.policy import AttachedPolicy, OrgLevel, PolicyKind, parse_policy


class UnknownPrincipal(LookupError):
    """The ARN names no user, role session or account root that Baryon knows."""


def caller_for(db: Session, arn: str) -> Caller:
    """A caller standing for a principal ARN, to decide requests on its behalf (no credentials involved)."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        raise UnknownPrincipal(arn)
    account, resource = parts[4], parts[5]
    marker = f"explain:{arn}"
    if resource == "root":
        return Caller(
            arn=arn,
            account_id=account,
            kind="root",
            user_id=account,
            principal_id=account,
            access_key_id=marker,
            name="root",
        )
    if resource.startswith("assumed-role/"):
        _, role_name, *session = resource.split("/")
        role = db.scalars(select(Role).where(Role.account_id == account, Role.name_key == role_name.lower())).first()
        if role is None:
            raise UnknownPrincipal(arn)
        session_name = "/".join(session) or "explain"
        return Caller(
            arn=arn,
            account_id=account,
            kind="assumed-role",
            user_id=f"{role.id}:{session_name}",
            principal_id=role.id,
            access_key_id=marker,
            name=role.name,
            role_arn=role.arn,
            session_name=session_name,
            tags=tuple((t["Key"], t["Value"]) for t in role.tags or []),
        )
    user = db.scalars(select(User).where(User.arn == arn)).first()
    if user is None:
        raise UnknownPrincipal(arn)
    return Caller(
        arn=arn,
        account_id=account,
        kind="user",
        user_id=user.id,
        principal_id=user.id,
        access_key_id=marker,
        name=user.name,
        tags=tuple((t["Key"], t["Value"]) for t in user.tags or []),
    )


def recorded_context(event: AuditEvent) -> dict[str, Any]:
    """The request context the authorizer saw, with multi-valued keys back as tuples."""
    raw = json.loads(event.context) if event.context else {}
    return {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}


def recorded_resources(event: AuditEvent) -> tuple[str, ...]:
    return tuple(json.loads(event.resources)) if event.resources else ("*",)


def subtree_accounts(db: Session, target_id: str) -> set[str]:
    """Every account at or below a root, OU or account id."""
    if target_id.isdigit():
        return {target_id}
    parents = {target_id}
    frontier = [target_id]
    while frontier:
        children = list(db.scalars(select(OrganizationalUnit.id).where(OrganizationalUnit.parent_id.in_(frontier))))
        frontier = [child for child in children if child not in parents]
        parents.update(frontier)
    return set(db.scalars(select(Account.id).where(Account.parent_id.in_(parents))))


@dataclass(frozen=True)
class ImpactRow:
    principal: str
    action: str
    count: int
    example_resource: str
    example_message: str


def _with_candidate(levels: tuple[OrgLevel, ...], target_id: str, candidate: AttachedPolicy) -> tuple[OrgLevel, ...]:
    return tuple(
        replace(level, policies=(*level.policies, candidate)) if level.target_id == target_id else level
        for level in levels
    )


def impact(
    db: Session, authorizer: Authorizer, candidate_text: str, target_id: str, since: datetime
) -> tuple[list[ImpactRow], int]:
    """The calls a candidate SCP at `target_id` would have denied since `since`: rows grouped by principal
    and action (most frequent first), and how many recorded calls were replayed."""
    candidate = AttachedPolicy(policy_id="candidate", policy=parse_policy(candidate_text, PolicyKind.SCP))
    accounts = subtree_accounts(db, target_id)
    events: Iterable[AuditEvent] = db.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.account_id.in_(accounts),
            AuditEvent.at >= since,
            AuditEvent.decision == "allowed",
            AuditEvent.context.is_not(None),
        )
        .order_by(AuditEvent.id)
    )
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], tuple[str, str]] = {}
    replayed = 0
    callers: dict[str, Caller | None] = {}
    for event in events:
        assert event.principal_arn is not None and event.action is not None
        if event.principal_arn not in callers:
            try:
                callers[event.principal_arn] = caller_for(db, event.principal_arn)
            except UnknownPrincipal:
                callers[event.principal_arn] = None
        caller = callers[event.principal_arn]
        if caller is None:
            continue
        current = authorizer.policy_set(caller)
        if current.scp_levels is None:
            continue  # the management account and service-linked roles are not governed by SCPs
        trial = replace(current, scp_levels=_with_candidate(current.scp_levels, target_id, candidate))
        replayed += 1
        outcome = authorizer.check(caller, event.action, recorded_resources(event), recorded_context(event), trial)
        if not outcome.allowed:
            key = (event.principal_arn, event.action)
            counts[key] += 1
            examples.setdefault(key, (outcome.resource, outcome.message or ""))
    rows = [
        ImpactRow(principal, action, count, *examples[(principal, action)])
        for (principal, action), count in counts.most_common()
    ]
    return rows, replayed

"""Which identity-based policies apply to a caller, read from the store.

A user's permissions are its inline and attached managed policies plus those of every group it belongs to;
a role session's are the role's inline and attached policies, limited by the role's permissions boundary and
by any session policies passed to AssumeRole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from baryon.identity.caller import Caller
from baryon.identity.tables import (
    Group,
    GroupMember,
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    Role,
    User,
)


@dataclass(frozen=True)
class SourcedPolicy:
    """A policy document and the id that explanations name: a managed policy's ARN, or
    `inline:OWNER_ARN/NAME` for an inline policy (which has no ARN of its own, so denial messages name none)."""

    policy_id: str
    document: str
    inline: bool = False


@dataclass(frozen=True)
class IdentityPolicies:
    identity: tuple[SourcedPolicy, ...]
    boundary: SourcedPolicy | None
    session: tuple[SourcedPolicy, ...] | None


def managed_document(db: Session, policy_arn: str) -> SourcedPolicy | None:
    row = db.execute(
        select(PolicyVersion.document)
        .join(ManagedPolicy, ManagedPolicy.id == PolicyVersion.policy_id)
        .where(ManagedPolicy.arn == policy_arn, PolicyVersion.version_id == ManagedPolicy.default_version_id)
    ).scalar()
    return SourcedPolicy(policy_arn, row) if row is not None else None


def _of_principal(db: Session, principal_type: str, principal_id: str, owner_arn: str) -> list[SourcedPolicy]:
    found = [
        SourcedPolicy(f"inline:{owner_arn}/{row.name}", row.document, inline=True)
        for row in db.scalars(
            select(InlinePolicy).where(
                InlinePolicy.principal_type == principal_type, InlinePolicy.principal_id == principal_id
            )
        )
    ]
    attached = db.execute(
        select(ManagedPolicy.arn, PolicyVersion.document)
        .join(PolicyAttachment, PolicyAttachment.policy_id == ManagedPolicy.id)
        .join(
            PolicyVersion,
            (PolicyVersion.policy_id == ManagedPolicy.id)
            & (PolicyVersion.version_id == ManagedPolicy.default_version_id),
        )
        .where(PolicyAttachment.principal_type == principal_type, PolicyAttachment.principal_id == principal_id)
    )
    found.extend(SourcedPolicy(arn, document) for arn, document in attached)
    return found


def user_policies(db: Session, user: User) -> list[SourcedPolicy]:
    policies = _of_principal(db, "user", user.id, user.arn)
    groups = db.scalars(
        select(Group).join(GroupMember, GroupMember.group_id == Group.id).where(GroupMember.user_id == user.id)
    )
    for group in groups:
        policies.extend(group_policies(db, group))
    return policies


def group_policies(db: Session, group: Group) -> list[SourcedPolicy]:
    return _of_principal(db, "group", group.id, group.arn)


def role_policies(db: Session, role: Role) -> list[SourcedPolicy]:
    return _of_principal(db, "role", role.id, role.arn)


def load(db: Session, caller: Caller) -> IdentityPolicies:
    """Every identity-side policy that governs this caller's requests."""
    if caller.kind == "root":
        return IdentityPolicies(identity=(), boundary=None, session=None)
    if caller.kind == "assumed-role":
        role = db.get(Role, caller.principal_id)
        if role is None:
            return IdentityPolicies(identity=(), boundary=None, session=None)
        identity = role_policies(db, role)
        boundary_arn = role.permissions_boundary_arn
        session: list[SourcedPolicy] | None = None
        if caller.session_policy is not None or caller.session_policy_arns:
            session = []
            if caller.session_policy is not None:
                session_id = f"inline:{caller.arn}/session-policy"
                session.append(SourcedPolicy(session_id, caller.session_policy, inline=True))
            for arn in caller.session_policy_arns:
                document = managed_document(db, arn)
                if document is not None:
                    session.append(document)
    else:
        user = db.get(User, caller.principal_id)
        if user is None:
            return IdentityPolicies(identity=(), boundary=None, session=None)
        identity = user_policies(db, user)
        boundary_arn = user.permissions_boundary_arn
        session = None
    boundary = managed_document(db, boundary_arn) if boundary_arn else None
    return IdentityPolicies(
        identity=tuple(identity),
        boundary=boundary,
        session=tuple(session) if session is not None else None,
    )

"""The organization's tree in the store: the root, OUs, accounts, and the policies attached to them.

Plain functions over a SQLAlchemy session, shared by the providers, the bootstrap (`ensure_root`) and the
guardrails. Invariants kept here: every root, OU and account of an organization whose root has a policy
type enabled carries that type's AWS-managed full-access policy unless something replaced it (SCPs), and
`RCPFullAWSAccess` stays attached everywhere while RCPs are enabled.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from baryon.org.limits import RCP, SCP
from baryon.org.tables import (
    Account,
    Organization,
    OrganizationalUnit,
    OrgPolicy,
    OrgPolicyAttachment,
    OrgTag,
    Root,
)
from baryon.store.generation import Generation, GenerationWatch

FULL_AWS_ACCESS = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS = "p-RCPFullAWSAccess"
FULL_ACCESS = {SCP: FULL_AWS_ACCESS, RCP: RCP_FULL_AWS_ACCESS}
"""The AWS-managed policy each policy type attaches everywhere when it is enabled."""
NON_DETACHABLE = frozenset({RCP_FULL_AWS_ACCESS})


def _document(statement: dict[str, str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


@dataclass(frozen=True)
class ManagedPolicy:
    id: str
    type: str
    name: str
    description: str
    content: str


MANAGED_POLICIES = (
    ManagedPolicy(
        FULL_AWS_ACCESS,
        SCP,
        "FullAWSAccess",
        "Allows access to every operation",
        _document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    ),
    ManagedPolicy(
        RCP_FULL_AWS_ACCESS,
        RCP,
        "RCPFullAWSAccess",
        "Allows access to every resource",
        _document({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    ),
)


def root_id_for(organization_id: str) -> str:
    """The root id of an organization: derived from its id, so replicas bootstrapping at once agree."""
    return "r-" + hashlib.sha256(organization_id.encode()).hexdigest()[:4]


def root_of(db: Session, organization_id: str) -> Root | None:
    return db.scalars(select(Root).where(Root.organization_id == organization_id)).first()


def ous_of(db: Session, organization_id: str) -> dict[str, OrganizationalUnit]:
    return {
        ou.id: ou
        for ou in db.scalars(select(OrganizationalUnit).where(OrganizationalUnit.organization_id == organization_id))
    }


_OU_PARENTS = select(OrganizationalUnit.id, OrganizationalUnit.parent_id).where(
    OrganizationalUnit.organization_id == bindparam("organization_id")
)


def ou_parents(db: Session, organization_id: str) -> dict[str, Any]:
    """Each OU's id and parent id (rows with `.id` and `.parent_id`), enough to build paths cheaply."""
    return {row.id: row for row in db.execute(_OU_PARENTS, {"organization_id": organization_id})}


def ou_in(db: Session, organization_id: str, ou_id: str) -> OrganizationalUnit | None:
    ou = db.get(OrganizationalUnit, ou_id)
    return ou if ou is not None and ou.organization_id == organization_id else None


def account_in(db: Session, organization_id: str, account_id: str) -> Account | None:
    account = db.get(Account, account_id)
    return account if account is not None and account.organization_id == organization_id else None


def ancestors(db: Session, parent_id: str, ous: dict[str, OrganizationalUnit] | None = None) -> list[str]:
    """Ids from the root down to `parent_id` (a root or OU id), inclusive."""
    chain: list[str] = []
    current: str | None = parent_id
    while current is not None and current.startswith("ou-") and len(chain) < 64:
        chain.append(current)
        ou = ous.get(current) if ous is not None else db.get(OrganizationalUnit, current)
        current = ou.parent_id if ou is not None else None
    if current is not None:
        chain.append(current)
    return list(reversed(chain))


def ou_depth(db: Session, ou_id: str) -> int:
    """How many OU levels `ou_id` is under the root (a child of the root is at depth 1)."""
    return sum(1 for node in ancestors(db, ou_id) if node.startswith("ou-"))


def has_children(db: Session, parent_id: str) -> bool:
    if db.scalars(select(OrganizationalUnit.id).where(OrganizationalUnit.parent_id == parent_id).limit(1)).first():
        return True
    return db.scalars(select(Account.id).where(Account.parent_id == parent_id).limit(1)).first() is not None


def targets_of(db: Session, organization: Organization, root: Root) -> list[str]:
    """Every root, OU and account id of the organization."""
    ous = db.scalars(select(OrganizationalUnit.id).where(OrganizationalUnit.organization_id == organization.id))
    accounts = db.scalars(select(Account.id).where(Account.organization_id == organization.id))
    return [root.id, *ous, *accounts]


# -- attachments -------------------------------------------------------------------------------------------


def attached(db: Session, target_id: str, policy_type: str | None = None) -> list[OrgPolicyAttachment]:
    query = select(OrgPolicyAttachment).where(OrgPolicyAttachment.target_id == target_id)
    if policy_type is not None:
        query = query.where(OrgPolicyAttachment.policy_type == policy_type)
    return list(db.scalars(query))


def attach(db: Session, organization_id: str, target_id: str, policy: OrgPolicy) -> None:
    db.add(
        OrgPolicyAttachment(
            target_id=target_id, policy_id=policy.id, organization_id=organization_id, policy_type=policy.type
        )
    )


def attach_defaults(db: Session, organization_id: str, root: Root, target_id: str) -> None:
    """A new OU or account gets the full-access policy of every enabled policy type."""
    for policy_type in root.policy_types or ():
        default = FULL_ACCESS.get(policy_type)
        if default is not None:
            policy = db.get(OrgPolicy, default)
            if policy is not None:
                attach(db, organization_id, target_id, policy)


def forget_target(db: Session, target_id: str) -> None:
    """Drop a removed target's attachments and tags."""
    for row in attached(db, target_id):
        db.delete(row)
    for tag in db.scalars(select(OrgTag).where(OrgTag.resource_id == target_id)):
        db.delete(tag)


# -- bootstrap ---------------------------------------------------------------------------------------------


def seed_managed_policies(db: Session) -> bool:
    changed = False
    for managed in MANAGED_POLICIES:
        row = db.get(OrgPolicy, managed.id)
        if row is None:
            db.add(
                OrgPolicy(
                    id=managed.id,
                    organization_id=None,
                    type=managed.type,
                    name=managed.name,
                    description=managed.description,
                    content=managed.content,
                    aws_managed=True,
                )
            )
            changed = True
        elif (row.content, row.description, row.name) != (managed.content, managed.description, managed.name):
            row.content, row.description, row.name = managed.content, managed.description, managed.name
            changed = True
    if changed:
        db.flush()
    return changed


def ensure_root(db: Session, watch: GenerationWatch | None = None) -> bool:
    """Give every organization its root and the AWS-managed policies, and repair the attachment invariants.

    Idempotent; run at every start (from `bootstrap`) and on first use. A new root has SCPs enabled, as the
    organization Baryon bootstraps is in all-features mode with SCPs on. Returns whether anything changed.
    """
    changed = seed_managed_policies(db)
    for organization in db.scalars(select(Organization)).all():
        root = root_of(db, organization.id)
        if root is None:
            root = Root(
                id=root_id_for(organization.id),
                organization_id=organization.id,
                name="Root",
                policy_types=[SCP],
            )
            db.add(root)
            db.flush()
            changed = True
        orphans = db.scalars(
            select(Account).where(Account.organization_id == organization.id, Account.parent_id.is_(None))
        ).all()
        for account in orphans:
            account.parent_id = root.id
            changed = True
        for policy_type in root.policy_types or ():
            default = FULL_ACCESS.get(policy_type)
            if default is None:
                continue
            policy = db.get(OrgPolicy, default)
            assert policy is not None
            for target_id in targets_of(db, organization, root):
                rows = attached(db, target_id, policy_type)
                missing = not rows if policy_type == SCP else all(r.policy_id != default for r in rows)
                if missing:
                    attach(db, organization.id, target_id, policy)
                    changed = True
    if changed:
        db.flush()
        if watch is not None:
            watch.bump(db)
        else:
            bump_generation(db)
    return changed


def bump_generation(db: Session) -> None:
    """`GenerationWatch.bump` for code that runs outside a request (no watch at hand)."""
    result = db.execute(
        update(Generation).where(Generation.name == GenerationWatch.NAME).values(value=Generation.value + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        db.add(Generation(name=GenerationWatch.NAME, value=1))

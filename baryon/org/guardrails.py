"""The organization's guardrails for the authorizer: the SCP and RCP chains of an account.

`OrgGuardrails.chain(account_id)` gives the levels root → each OU → the account, each with the policies of
that type attached directly to it, as the policy engine evaluates them (every level must allow; any deny
denies). A chain is `None` where that policy type does not apply: the management account, an account
outside the organization, or a type not enabled in the root. Chains are cached per account and dropped
whenever the authorization generation moves (every tree, policy and attachment change bumps it).

Service-linked roles (role path `/aws-service-role/`) are not restricted by SCPs either; the authorizer
knows the caller and drops the SCP chain for them (`is_service_linked_role`).
"""

from __future__ import annotations

import json
import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from baryon.org import arns, tree
from baryon.org.limits import RCP, SCP
from baryon.org.tables import Account, Organization, OrgPolicy, OrgPolicyAttachment
from baryon.policy import AttachedPolicy, OrgLevel, Policy, PolicyError, PolicyKind, parse_policy
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch

log = logging.getLogger("baryon.org")

Levels = tuple[OrgLevel, ...]
Chain = tuple[Levels | None, Levels | None]
_KINDS = {SCP: PolicyKind.SCP, RCP: PolicyKind.RCP}
_DENY_ALL = {
    SCP: json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}),
    RCP: json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}],
        }
    ),
}
SERVICE_ROLE_PATH = "/aws-service-role/"


def is_service_linked_role(role_arn: str | None) -> bool:
    """Whether a role ARN names a service-linked role (`arn:aws:iam::ACCT:role/aws-service-role/...`)."""
    if not role_arn:
        return False
    _, _, resource = role_arn.partition(":role")
    return resource.startswith(SERVICE_ROLE_PATH)


class OrgGuardrails:
    """Loads and caches the SCP/RCP chains the authorizer applies to principals of member accounts."""

    def __init__(self, store: Store, watch: GenerationWatch) -> None:
        self._store = store
        self._watch = watch
        self._cache: dict[str, Chain] = {}
        self._epoch = -1
        self._lock = threading.Lock()

    def chain(self, account_id: str) -> Chain:
        epoch = self._watch.refresh()
        with self._lock:
            if epoch != self._epoch:
                self._cache.clear()
                self._epoch = epoch
            if account_id in self._cache:
                return self._cache[account_id]
        built = self._load(account_id)
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            if self._epoch == epoch and self._watch.local_epoch == epoch:  # else it may be stale already
                self._cache[account_id] = built
        return built

    def _load(self, account_id: str) -> Chain:
        with self._store.session() as db:
            account = db.get(Account, account_id)
            if account is None or account.organization_id is None:
                return None, None
            organization = db.get(Organization, account.organization_id)
            if organization is None or organization.management_account_id == account.id:
                return None, None
            root = tree.root_of(db, organization.id)
            if root is None:
                return None, None
            path = [*tree.ancestors(db, account.parent_id or root.id), account.id]
            if path[0] != root.id:
                log.error("account %s is not under the root of %s; path %s", account.id, organization.id, path)
                path = [root.id, account.id]
            enabled = set(root.policy_types or ())
            return (
                self._levels(db, organization, path, SCP) if SCP in enabled else None,
                self._levels(db, organization, path, RCP) if RCP in enabled else None,
            )

    @staticmethod
    def _levels(db: Session, organization: Organization, path: list[str], policy_type: str) -> Levels:
        rows = db.execute(
            select(OrgPolicyAttachment.target_id, OrgPolicy)
            .join(OrgPolicy, OrgPolicy.id == OrgPolicyAttachment.policy_id)
            .where(OrgPolicyAttachment.target_id.in_(path), OrgPolicyAttachment.policy_type == policy_type)
        ).all()
        by_target: dict[str, list[AttachedPolicy]] = {target: [] for target in path}
        for target_id, policy in sorted(rows, key=lambda row: (row[0], row[1].id)):
            arn = arns.policy_arn(
                organization.management_account_id,
                organization.id,
                policy.type,
                policy.id,
                policy.aws_managed,
            )
            by_target[target_id].append(AttachedPolicy(policy_id=arn, policy=_parse(policy, arn)))
        return tuple(OrgLevel(target_id=target, policies=tuple(by_target[target])) for target in path)


def _parse(policy: OrgPolicy, arn: str) -> Policy:
    kind = _KINDS[policy.type]
    try:
        return parse_policy(policy.content, kind)
    except PolicyError as exc:
        # A stored policy the engine no longer accepts must not silently stop guarding: it denies everything.
        log.error(
            "stored %s %s does not parse (%s); it denies every request until it is fixed",
            policy.type,
            arn,
            exc.message,
        )
        return parse_policy(_DENY_ALL[policy.type], kind)

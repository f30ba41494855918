"""The one authorizer every request passes after authentication.

It assembles everything that governs the call — the caller's identity-based policies, its permissions
boundary and session policies, and (from the organization) the SCP and RCP chains of the caller's account —
into a `PolicySet` and lets the pure policy engine decide. The assembled sets are cached per caller and
dropped whenever the authorization generation moves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from baryon.identity import policy_sources
from baryon.identity.caller import Caller
from baryon.identity.tables import Role
from baryon.org.guardrails import is_service_linked_role
from baryon.policy import (
    AttachedPolicy,
    AuthorizationRequest,
    Decision,
    OrgLevel,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    evaluate,
    parse_policy,
)
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch

ASSUME_ACTIONS = frozenset({"sts:assumerole"})
TRUSTS_NOBODY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"nobody.baryon.invalid"},'
    '"Action":"sts:AssumeRole"}]}'
)
ROOT_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
_KINDS = {"user": PrincipalKind.USER, "assumed-role": PrincipalKind.ASSUMED_ROLE, "root": PrincipalKind.ROOT}

OrgChain = Callable[[str], "tuple[tuple[OrgLevel, ...] | None, tuple[OrgLevel, ...] | None]"]
"""Given an account id: its SCP levels and RCP levels (None where they do not apply)."""


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    decision: Decision
    message: str | None
    """AWS's denial message for the first refused resource; None when allowed."""
    resource: str


def attached(policy_id: str, document: str, kind: PolicyKind = PolicyKind.IDENTITY) -> AttachedPolicy:
    return AttachedPolicy(policy_id=policy_id, policy=parse_policy(document, kind))


RESOURCE_POLICY_SERVICES = frozenset(
    {"iam", "sts", "s3", "kms", "sqs", "sns", "lambda", "secretsmanager", "ecr", "logs"}
)
"""Services whose resources carry resource-based policies (IAM: roles' trust policies), so a call on another
account's resource is a cross-account request. Elsewhere (Organizations' ARNs name the management account,
for one) the caller's own policies and guardrails decide alone."""


def resource_account(arn: str) -> str | None:
    """The account owning a resource for cross-account evaluation: an ARN's fifth field, for services with
    resource-based policies; otherwise None."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] not in RESOURCE_POLICY_SERVICES:
        return None
    return parts[4] if parts[4].isdigit() else None


def principal_of(caller: Caller) -> Principal:
    return Principal(arn=caller.arn, account=caller.account_id, kind=_KINDS[caller.kind], role_arn=caller.role_arn)


class Authorizer:
    def __init__(self, store: Store, watch: GenerationWatch, org_chain: OrgChain | None = None) -> None:
        self._store = store
        self._watch = watch
        self._org_chain = org_chain
        self._cache: dict[tuple[str, str], PolicySet] = {}
        self._trust: dict[str, AttachedPolicy] = {}
        self._epoch = -1
        self._lock = threading.Lock()

    @contextmanager
    def _current(self) -> Iterator[None]:
        """Hold the cache lock, having dropped every cached entry if the generation moved."""
        epoch = self._watch.refresh()
        with self._lock:
            if epoch != self._epoch:
                self._cache.clear()
                self._trust.clear()
                self._epoch = epoch
            yield

    def _remember(self, cache: dict[Any, Any], key: object, value: object, epoch: int) -> None:
        """Cache what was read at `epoch`, unless the generation moved meanwhile (it may be stale)."""
        with self._lock:
            if self._epoch == epoch and self._watch.local_epoch == epoch:
                cache[key] = value

    def policy_set(self, caller: Caller) -> PolicySet:
        """Everything that governs this caller's requests (cached until the generation moves)."""
        key = (caller.access_key_id, caller.principal_id)
        with self._current():
            cached = self._cache.get(key)
            epoch = self._epoch
        if cached is not None:
            return cached
        built = self._build(caller)
        self._remember(self._cache, key, built, epoch)
        return built

    def org_levels(self, account_id: str, role_arn: str | None = None) -> tuple[OrgLevel, ...] | None:
        """The SCP levels that govern principals of `account_id` (None: SCPs do not apply to them)."""
        if self._org_chain is None or is_service_linked_role(role_arn):
            return None
        return self._org_chain(account_id)[0]

    def _build(self, caller: Caller) -> PolicySet:
        with self._store.session() as db:
            sources = policy_sources.load(db, caller)
        if caller.kind == "root":
            identity: tuple[AttachedPolicy, ...] = (attached(f"arn:aws:iam::{caller.account_id}:root", ROOT_POLICY),)
        else:
            identity = tuple(attached(p.policy_id, p.document) for p in sources.identity)
        scp_levels, rcp_levels = self._org_chain(caller.account_id) if self._org_chain else (None, None)
        if is_service_linked_role(caller.role_arn):
            scp_levels = None  # SCPs do not restrict service-linked roles
        return PolicySet(
            identity=identity,
            scp_levels=scp_levels,
            rcp_levels=rcp_levels,
            permissions_boundary=attached(sources.boundary.policy_id, sources.boundary.document)
            if sources.boundary
            else None,
            session_policies=tuple(attached(p.policy_id, p.document) for p in sources.session)
            if sources.session is not None
            else None,
        )

    def trust_policy(self, role_arn: str) -> AttachedPolicy:
        """The role's trust policy (its resource-based policy for `sts:AssumeRole`). A role that does not
        exist trusts nobody, so assuming it is refused like any untrusted call."""
        with self._current():
            cached = self._trust.get(role_arn)
            epoch = self._epoch
        if cached is not None:
            return cached
        with self._store.session() as db:
            document = db.scalars(select(Role.assume_role_policy).where(Role.arn == role_arn)).first()
        found = attached(f"{role_arn}/trust-policy", document or TRUSTS_NOBODY, PolicyKind.TRUST)
        self._remember(self._trust, role_arn, found, epoch)
        return found

    def check(
        self,
        caller: Caller,
        action: str,
        resources: tuple[str, ...],
        context: Mapping[str, Any],
        extra: PolicySet | None = None,
    ) -> Outcome:
        """Decide `action` on every resource; the first refusal wins. `extra` replaces the cached set (the
        simulator's hypothetical policies). `sts:AssumeRole` is decided with the role's trust policy."""
        policies = extra or self.policy_set(caller)
        principal = principal_of(caller)
        assumes = action.lower() in ASSUME_ACTIONS
        decision: Decision | None = None
        for resource in resources:
            decided_with = replace(policies, trust_policy=self.trust_policy(resource)) if assumes else policies
            request = AuthorizationRequest(
                principal=principal,
                action=action,
                resource=resource,
                context=context,
                resource_account=resource_account(resource),
            )
            decision = evaluate(request, decided_with)
            if decision.effect.value != "allowed":
                return Outcome(False, decision, decision.denial_message(caller.arn, action, resource), resource)
        assert decision is not None
        return Outcome(True, decision, None, resources[-1])

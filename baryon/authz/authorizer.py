"""The one authorizer every request passes after authentication.

It assembles everything that governs the call — the caller's identity-based policies, its permissions
boundary and session policies, and (from the organization) the SCP and RCP chains of the caller's account —
into a `PolicySet` and lets the pure policy engine decide. The assembled sets are cached per caller and
dropped whenever the authorization generation moves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from baryon.identity import policy_sources
from baryon.identity.caller import Caller
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


def principal_of(caller: Caller) -> Principal:
    return Principal(arn=caller.arn, account=caller.account_id, kind=_KINDS[caller.kind], role_arn=caller.role_arn)


class Authorizer:
    def __init__(self, store: Store, watch: GenerationWatch, org_chain: OrgChain | None = None) -> None:
        self._store = store
        self._watch = watch
        self._org_chain = org_chain
        self._cache: dict[tuple[str, str], PolicySet] = {}
        self._epoch = -1
        self._lock = threading.Lock()

    def set_org_chain(self, org_chain: OrgChain) -> None:
        self._org_chain = org_chain

    def policy_set(self, caller: Caller) -> PolicySet:
        """Everything that governs this caller's requests (cached until the generation moves)."""
        epoch = self._watch.refresh()
        key = (caller.access_key_id, caller.principal_id)
        with self._lock:
            if epoch != self._epoch:
                self._cache.clear()
                self._epoch = epoch
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        built = self._build(caller)
        with self._lock:
            self._cache[key] = built
        return built

    def _build(self, caller: Caller) -> PolicySet:
        with self._store.session() as db:
            sources = policy_sources.load(db, caller)
        if caller.kind == "root":
            identity: tuple[AttachedPolicy, ...] = (attached(f"arn:aws:iam::{caller.account_id}:root", ROOT_POLICY),)
        else:
            identity = tuple(attached(p.policy_id, p.document) for p in sources.identity)
        scp_levels, rcp_levels = self._org_chain(caller.account_id) if self._org_chain else (None, None)
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

    def check(
        self,
        caller: Caller,
        action: str,
        resources: tuple[str, ...],
        context: Mapping[str, Any],
        extra: PolicySet | None = None,
    ) -> Outcome:
        """Decide `action` on every resource; the first refusal wins. `extra` replaces the cached set (for
        decisions that add a trust policy or a resource policy)."""
        policies = extra or self.policy_set(caller)
        principal = principal_of(caller)
        decision: Decision | None = None
        for resource in resources:
            request = AuthorizationRequest(principal=principal, action=action, resource=resource, context=context)
            decision = evaluate(request, policies)
            if decision.effect.value != "allowed":
                return Outcome(False, decision, decision.denial_message(caller.arn, action, resource), resource)
        assert decision is not None
        return Outcome(True, decision, None, resources[-1])

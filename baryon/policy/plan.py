"""Evaluation plans: for one ``PolicySet`` and one action, the few statements that can matter.

A plan lists, per *unit* (each RCP level, each SCP level, the trust policy, resource-based, identity-based,
permissions boundary, session policies — in AWS's evaluation order), the statements whose ``Action`` or
``NotAction`` covers the action. Statements that apply to every request for that action (resource ``*``, no
principal element, no condition) are settled once, here; the rest are *runtime* statements, checked per
request against resource, principal and conditions.

Three memos make a warm evaluation cheap: plans are remembered on the ``PolicySet`` per action; each plan
remembers, per resource ARN, which runtime statements the ARN alone settles (:func:`precheck`); and each plan
remembers its decisions keyed by the runtime outcomes. A warm evaluation therefore checks only conditions
and principals, then looks the decision up. The memos are bounded dicts; concurrent threads may race on
them harmlessly (a racing writer stores an equal value).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from baryon.policy.decision import Decision, MatchedStatement, PolicyType
from baryon.policy.model import Statement
from baryon.policy.policyset import AttachedPolicy, PolicySet
from baryon.policy.request import PrincipalKind

_PLAN_LIMIT = 2048
_DECISION_LIMIT = 256
_RESOURCE_LIMIT = 256

DecisionKey = tuple[tuple[int, ...], tuple[str, ...], PrincipalKind, bool]
Prechecked = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A statement that covers the action; ``slot`` indexes the runtime outcomes (-1: always applies)."""

    statement: Statement
    slot: int
    matched: MatchedStatement


@dataclass(frozen=True, slots=True)
class Unit:
    """One policy type, or one organization level, with its candidate statements in document order."""

    policy_type: PolicyType
    target_id: str | None
    candidates: tuple[Candidate, ...]


@dataclass(slots=True)
class Plan:
    """The units, the runtime statements (in slot order) and the memos of one (policy set, action)."""

    units: tuple[Unit, ...]
    runtime: tuple[Statement, ...]
    scp_applies: bool
    decisions: dict[DecisionKey, Decision] = field(default_factory=dict)
    by_resource: dict[str, Prechecked] = field(default_factory=dict)

    def remember(self, key: DecisionKey, decision: Decision) -> Decision:
        if len(self.decisions) >= _DECISION_LIMIT:
            self.decisions.clear()
        self.decisions[key] = decision
        return decision

    def prechecked(self, resource: str) -> Prechecked:
        """:func:`precheck` for ``resource``, remembered."""
        found = self.by_resource.get(resource)
        if found is None:
            if len(self.by_resource) >= _RESOURCE_LIMIT:
                self.by_resource.clear()
            found = self.by_resource[resource] = precheck(self.runtime, resource)
        return found


def precheck(runtime: tuple[Statement, ...], resource: str) -> Prechecked:
    """The runtime outcomes that depend on the resource ARN alone, and the slots left to check per request.

    A statement whose ``Resource`` has no policy variable and does not match is settled (0); one that
    matches and has neither principal element nor condition is settled too (1). The rest are pending.
    """
    codes: list[int] = []
    pending: list[int] = []
    for slot, statement in enumerate(runtime):
        resources = statement.resources
        if resources is not None and not resources.templates:
            if resources.static_hit(resource) == resources.negated:
                codes.append(0)
                continue
            if statement.principals is None and not statement.conditions:
                codes.append(1)
                continue
        codes.append(0)
        pending.append(slot)
    return tuple(codes), tuple(pending)


def plan_for(policies: PolicySet, action: str) -> Plan:
    """The remembered plan for ``action``, built on first use."""
    plan = policies._plans.get(action)
    if plan is None:
        if len(policies._plans) >= _PLAN_LIMIT:
            policies._plans.clear()
        plan = policies._plans[action] = build_plan(policies, action, indexed=True)
    return plan


def build_plan(policies: PolicySet, action: str, *, indexed: bool) -> Plan:
    """A fresh plan; ``indexed=False`` scans every statement instead of using the policies' action index."""
    action_lower = action.lower()
    runtime: list[Statement] = []

    def unit(policy_type: PolicyType, target_id: str | None, attached: Iterable[AttachedPolicy]) -> Unit:
        candidates = []
        for item in attached:
            policy = item.policy
            statements = policy.statements_for(action_lower) if indexed else policy.scan(action_lower)
            for statement in statements:
                slot = -1
                if not statement.unconditional:
                    slot = len(runtime)
                    runtime.append(statement)
                matched = MatchedStatement(
                    item.policy_id,
                    policy_type,
                    statement.sid,
                    statement.effect,
                    statement.start,
                    statement.end,
                )
                candidates.append(Candidate(statement, slot, matched))
        return Unit(policy_type, target_id, tuple(candidates))

    units = [unit(PolicyType.RCP, level.target_id, level.policies) for level in policies.rcp_levels or ()]
    units += [unit(PolicyType.SCP, level.target_id, level.policies) for level in policies.scp_levels or ()]
    if policies.trust_policy is not None:
        units.append(unit(PolicyType.TRUST, None, (policies.trust_policy,)))
    if policies.resource_policies:
        units.append(unit(PolicyType.RESOURCE, None, policies.resource_policies))
    units.append(unit(PolicyType.IDENTITY, None, policies.identity))
    if policies.permissions_boundary is not None:
        units.append(unit(PolicyType.PERMISSIONS_BOUNDARY, None, (policies.permissions_boundary,)))
    if policies.session_policies is not None:
        units.append(unit(PolicyType.SESSION, None, policies.session_policies))
    return Plan(tuple(units), tuple(runtime), policies.scp_levels is not None)

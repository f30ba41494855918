"""Combining the verdicts of all policy types into one decision, in AWS's order.

AWS "Policy evaluation logic" (single account) and "Cross-account policy evaluation logic":

1. An explicit ``Deny`` in any policy — every RCP and SCP level, trust, resource-based, identity-based,
   permissions boundary, session — denies.
2. RCPs, then SCPs: every level from the root to the account needs a matching ``Allow``.
3. The resource side. Within one account, a resource-based ``Allow`` naming the user or session directly is
   final; one naming the role still needs the permissions boundary and session policies; one naming the
   account only delegates to identity policies. Across accounts both sides must allow: a resource grant never
   replaces the caller's identity policies, and without one the request is denied.
   **Trust policies** (``sts:AssumeRole*``, ``trust_policy`` set) are the role's resource-based policy with
   one difference: they "must explicitly allow access for principals" (AWS lists role trust policies and KMS
   key policies as the exceptions), so no Allow in the trust policy means an implicit deny by the trust
   policy, whatever identity policies say. When it does allow, the rules above apply: a same-account trust
   naming the user (or session) ARN needs no identity Allow, naming the caller's role needs none but is
   limited by boundary and session policies, naming the account needs the caller's identity Allow, and a
   cross-account caller always needs both the trust Allow and its own identity Allow.
4. Identity-based policies must allow (the account root user is allowed by default).
5. A permissions boundary, when set, must allow; then session policies, when present.
"""

from __future__ import annotations

from dataclasses import dataclass

from baryon.policy.decision import Decision, EvalDecision, MatchedStatement, PolicyType, Step
from baryon.policy.model import Effect
from baryon.policy.plan import Plan, Unit
from baryon.policy.principals import Grant
from baryon.policy.request import PrincipalKind


@dataclass(frozen=True, slots=True)
class _Verdict:
    unit: Unit
    allows: tuple[MatchedStatement, ...]
    denies: tuple[MatchedStatement, ...]
    grant: Grant

    @property
    def policy_type(self) -> PolicyType:
        return self.unit.policy_type


def _verdict(unit: Unit, codes: tuple[int, ...]) -> _Verdict:
    allows: list[MatchedStatement] = []
    denies: list[MatchedStatement] = []
    grant = Grant.NONE
    for candidate in unit.candidates:
        code = 1 if candidate.slot < 0 else codes[candidate.slot]
        if not code:
            continue
        if candidate.statement.effect is Effect.DENY:
            denies.append(candidate.matched)
        else:
            allows.append(candidate.matched)
            grant = max(grant, Grant(code))
    return _Verdict(unit, tuple(allows), tuple(denies), grant)


def _step(verdict: _Verdict, root: bool) -> Step:
    unit = verdict.unit
    if verdict.denies:
        return Step(unit.policy_type, unit.target_id, EvalDecision.EXPLICIT_DENY, verdict.denies)
    if verdict.allows or (root and unit.policy_type is PolicyType.IDENTITY):
        return Step(unit.policy_type, unit.target_id, EvalDecision.ALLOWED, verdict.allows)
    return Step(unit.policy_type, unit.target_id, EvalDecision.IMPLICIT_DENY, ())


def _final(
    verdicts: list[_Verdict], kind: PrincipalKind, cross_account: bool
) -> tuple[EvalDecision, PolicyType | None, str | None, str | None]:
    """(effect, denied_by, denying policy id, organization level) per the module docstring's order."""
    for verdict in verdicts:
        if verdict.denies:
            return (
                EvalDecision.EXPLICIT_DENY,
                verdict.policy_type,
                verdict.denies[0].policy_id,
                verdict.unit.target_id,
            )
    for policy_type in (PolicyType.RCP, PolicyType.SCP):
        for verdict in verdicts:
            if verdict.policy_type is policy_type and not verdict.allows:
                return EvalDecision.IMPLICIT_DENY, policy_type, None, verdict.unit.target_id
    by_type = {verdict.policy_type: verdict for verdict in verdicts if verdict.unit.target_id is None}
    implicit = EvalDecision.IMPLICIT_DENY
    trust = by_type.get(PolicyType.TRUST)
    if trust is not None and trust.grant is Grant.NONE:
        return implicit, PolicyType.TRUST, None, None
    resource = trust or by_type.get(PolicyType.RESOURCE)
    grant = resource.grant if resource is not None else Grant.NONE
    if kind is PrincipalKind.SERVICE:
        return (EvalDecision.ALLOWED, None, None, None) if grant else (implicit, PolicyType.RESOURCE, None, None)
    if cross_account:
        if not grant:
            return implicit, PolicyType.RESOURCE, None, None
        grant = Grant.ACCOUNT
    if grant is not Grant.DIRECT:
        identity = by_type[PolicyType.IDENTITY]
        if grant is not Grant.ROLE and not identity.allows and kind is not PrincipalKind.ROOT:
            return implicit, PolicyType.IDENTITY, None, None
        for policy_type in (PolicyType.PERMISSIONS_BOUNDARY, PolicyType.SESSION):
            limit = by_type.get(policy_type)
            if limit is not None and not limit.allows:
                return implicit, policy_type, None, None
    return EvalDecision.ALLOWED, None, None, None


def decide(
    plan: Plan, codes: tuple[int, ...], missing: tuple[str, ...], kind: PrincipalKind, cross_account: bool
) -> Decision:
    """The decision for the runtime outcomes ``codes`` of ``plan``'s statements."""
    verdicts = [_verdict(unit, codes) for unit in plan.units]
    effect, denied_by, policy_id, level = _final(verdicts, kind, cross_account)
    if effect is EvalDecision.EXPLICIT_DENY:
        matched = tuple(statement for verdict in verdicts for statement in verdict.denies)
    elif effect is EvalDecision.ALLOWED:
        matched = tuple(statement for verdict in verdicts for statement in verdict.allows)
    else:
        matched = ()
    scps = [verdict for verdict in verdicts if verdict.policy_type is PolicyType.SCP]
    boundary = [verdict for verdict in verdicts if verdict.policy_type is PolicyType.PERMISSIONS_BOUNDARY]
    return Decision(
        effect=effect,
        denied_by=denied_by,
        policy_id=policy_id,
        level=level,
        steps=tuple(_step(verdict, kind is PrincipalKind.ROOT) for verdict in verdicts),
        matched_statements=matched,
        missing_context_keys=missing,
        allowed_by_organizations=(
            all(verdict.allows and not verdict.denies for verdict in scps) if plan.scp_applies else None
        ),
        allowed_by_permissions_boundary=(bool(boundary[0].allows and not boundary[0].denies) if boundary else None),
    )

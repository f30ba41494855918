"""The IAM policy simulator: decide hypothetical requests and describe each decision the way AWS's
`SimulateCustomPolicy` / `SimulatePrincipalPolicy` answer.

A simulation runs the same engine as enforcement over a `PolicySet` built from the request's inputs (custom
documents, or an entity's own policies plus its account's SCP chain). Each input policy carries a source id
(`PolicyInputList.1`, a managed policy ARN, an inline policy's name) and a source type (`none`, `user`,
`aws-managed`, ...), which the result's `MatchedStatements` report with statement positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from baryon.policy import (
    AuthorizationRequest,
    ContextValue,
    Decision,
    EvalDecision,
    MatchedStatement,
    Policy,
    PolicySet,
    Principal,
    evaluate,
)

LIST_TYPES = frozenset({"stringList", "numericList", "booleanList", "ipList", "binaryList", "dateList"})
_RANK = {EvalDecision.ALLOWED: 0, EvalDecision.IMPLICIT_DENY: 1, EvalDecision.EXPLICIT_DENY: 2}


@dataclass(frozen=True)
class Simulation:
    """Everything one simulation decides with."""

    principal: Principal
    policies: PolicySet
    source_types: Mapping[str, str] = field(default_factory=dict)
    """policy_id -> the simulator's `SourcePolicyType` (`none` when absent)."""
    resource_owner: str | None = None


def context_from_entries(entries: Iterable[Mapping[str, Any]]) -> dict[str, ContextValue]:
    """`ContextEntries` as the engine's request context: list-typed keys become multi-valued."""
    context: dict[str, ContextValue] = {}
    for entry in entries:
        values = tuple(str(v) for v in entry.get("ContextKeyValues", ()))
        if entry.get("ContextKeyType") in LIST_TYPES:
            context[entry["ContextKeyName"]] = values
        elif values:
            context[entry["ContextKeyName"]] = values[0]
    return context


def _statements(matched: Sequence[MatchedStatement], types: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "SourcePolicyId": statement.policy_id,
            "SourcePolicyType": types.get(statement.policy_id, "none"),
            "StartPosition": {"Line": statement.start.line, "Column": statement.start.column},
            "EndPosition": {"Line": statement.end.line, "Column": statement.end.column},
        }
        for statement in matched
    ]


def _details(decision: Decision) -> dict[str, str]:
    return {policy_type.value: verdict.value for policy_type, verdict in decision.details().items()}


def _describe(decision: Decision, simulation: Simulation, with_details: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "MatchedStatements": _statements(decision.matched_statements, simulation.source_types),
        "MissingContextValues": list(decision.missing_context_keys),
    }
    if decision.allowed_by_permissions_boundary is not None:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": decision.allowed_by_permissions_boundary
        }
    if with_details:
        result["EvalDecisionDetails"] = _details(decision)
    return result


def simulate(
    simulation: Simulation,
    actions: Sequence[str],
    resources: Sequence[str],
    context: Mapping[str, ContextValue],
) -> list[dict[str, Any]]:
    """One `EvaluationResult` per action; with several resources, one `ResourceSpecificResult` each and the
    most restrictive of them as the action's decision."""
    with_details = simulation.policies.resource_policies != () or any(
        r != "*" and simulation.resource_owner not in (None, simulation.principal.account) for r in resources
    )
    results = []
    for action in actions:
        decisions = []
        for resource in resources:
            owner = simulation.resource_owner or _account_of(resource)
            request = AuthorizationRequest(
                principal=simulation.principal,
                action=action,
                resource=resource,
                context=context,
                resource_account=owner,
            )
            decisions.append((resource, evaluate(request, simulation.policies)))
        worst_resource, worst = max(decisions, key=lambda pair: _RANK[pair[1].effect])
        result: dict[str, Any] = {
            "EvalActionName": action,
            "EvalResourceName": worst_resource if len(decisions) == 1 else "*",
            "EvalDecision": worst.effect.value,
            **_describe(worst, simulation, with_details),
        }
        if simulation.policies.scp_levels is not None:
            result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": bool(worst.allowed_by_organizations)}
        if len(decisions) > 1 or resources != ["*"]:
            result["ResourceSpecificResults"] = [
                {
                    "EvalResourceName": resource,
                    "EvalResourceDecision": decision.effect.value,
                    **_describe(decision, simulation, with_details),
                }
                for resource, decision in decisions
            ]
        results.append(result)
    return results


def _account_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else None


def context_keys(policies: Iterable[Policy]) -> list[str]:
    """Every condition key the policies reference, once each, in first-seen spelling (sorted)."""
    seen: dict[str, str] = {}
    for policy in policies:
        for statement in policy.statements:
            for condition in statement.conditions:
                seen.setdefault(condition.key_lower, condition.key)
    return sorted(seen.values(), key=str.lower)

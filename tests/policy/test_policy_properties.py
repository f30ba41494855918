"""Properties of evaluation that must hold for any policies and requests (hypothesis)."""

from __future__ import annotations

import json
import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from baryon.policy import (
    AttachedPolicy,
    AuthorizationRequest,
    ContextValue,
    Decision,
    EvalDecision,
    OrgLevel,
    PolicyKind,
    PolicySet,
    PolicyType,
    evaluate,
    evaluate_uncached,
    parse_policy,
)
from tests.policy.builders import DEV, FULL_ACCESS, LEVELS, TEMPLATE, doc

SETTINGS = settings(max_examples=100, deadline=None)

POLICY_ACTIONS = [
    "*",
    "proton:*",
    "proton:Create*",
    "proton:CreateEnvironmentTemplate",
    "proton:Get*",
    "s3:*",
]
POLICY_ACTIONS += ["PROTON:create*", "proton:?etEnvironment", "proton:*Template"]
POLICY_RESOURCES = [
    "*",
    "arn:aws:proton:*:111122223333:environment-template/*",
    TEMPLATE,
    "arn:aws:s3:::bucket/*",
]
POLICY_RESOURCES += ["arn:aws:proton:us-east-1:*:*"]
CONDITIONS: list[dict[str, dict[str, object]] | None] = [
    None,
    {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "web"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["secret"]}},
    {"Null": {"aws:RequestTag/env": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Dev"}},
]
REQUEST_ACTIONS = [
    "proton:CreateEnvironmentTemplate",
    "proton:GetEnvironment",
    "s3:GetObject",
    "proton:ListEnvironments",
]
REQUEST_RESOURCES = [TEMPLATE, TEMPLATE.replace("/web", "/api"), "arn:aws:s3:::bucket/key", "*"]
CONTEXT_CHOICES: dict[str, list[ContextValue]] = {
    "aws:RequestedRegion": ["us-east-1", "eu-west-1"],
    "aws:PrincipalTag/team": ["web", "api"],
    "aws:TagKeys": [("env",), ("env", "secret"), ()],
    "aws:RequestTag/env": ["dev"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "aws:SourceIp": ["10.1.2.3", "192.0.2.1"],
}

Statement = dict[str, object]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> Statement:
    chosen = effect or draw(st.sampled_from(["Allow", "Deny"]))
    actions = draw(st.lists(st.sampled_from(POLICY_ACTIONS), min_size=1, max_size=2))
    resources = draw(st.lists(st.sampled_from(POLICY_RESOURCES), min_size=1, max_size=2))
    statement: Statement = {
        "Effect": chosen,
        draw(st.sampled_from(["Action", "Action", "NotAction"])): actions,
        draw(st.sampled_from(["Resource", "Resource", "NotResource"])): resources,
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        statement["Condition"] = condition
    return statement


def policy(kind: PolicyKind, name: str, items: list[Statement]) -> AttachedPolicy:
    return AttachedPolicy(name, parse_policy(doc(*items), kind))


@st.composite
def policy_sets(draw: st.DrawFn) -> PolicySet:
    identity = tuple(
        policy(PolicyKind.IDENTITY, f"identity-{n}", items)
        for n, items in enumerate(draw(st.lists(st.lists(statements(), min_size=1, max_size=3), max_size=3)))
    )
    levels = None
    if draw(st.booleans()):
        count = draw(st.integers(min_value=1, max_value=len(LEVELS)))
        levels = tuple(
            OrgLevel(
                target,
                ((FULL_ACCESS,) if draw(st.booleans()) else ())
                + tuple(
                    policy(PolicyKind.SCP, f"{target}-scp-{n}", items)
                    for n, items in enumerate(
                        draw(st.lists(st.lists(statements(), min_size=1, max_size=3), max_size=2))
                    )
                ),
            )
            for target in (*LEVELS[: count - 1], LEVELS[-1])
        )
    return PolicySet(identity=identity, scp_levels=levels)


@st.composite
def requests(draw: st.DrawFn) -> AuthorizationRequest:
    keys = draw(st.lists(st.sampled_from(sorted(CONTEXT_CHOICES)), unique=True))
    context = {key: draw(st.sampled_from(CONTEXT_CHOICES[key])) for key in keys}
    return AuthorizationRequest(
        DEV, draw(st.sampled_from(REQUEST_ACTIONS)), draw(st.sampled_from(REQUEST_RESOURCES)), context
    )


def outcome(decision: Decision) -> tuple[object, ...]:
    """What must not depend on statement or policy order."""
    return (
        decision.effect,
        decision.denied_by,
        decision.level,
        decision.allowed_by_organizations,
        frozenset(decision.missing_context_keys),
        frozenset((m.policy_id, m.policy_type, m.effect) for m in decision.matched_statements),
    )


@SETTINGS
@given(policy_sets(), requests(), statements(effect="Deny"), st.booleans(), st.data())
def test_adding_a_deny_never_widens_access(
    policies: PolicySet, request: AuthorizationRequest, extra: Statement, into_scp: bool, data: st.DataObject
) -> None:
    before = evaluate(request, policies)
    if into_scp and policies.scp_levels:
        index = data.draw(st.integers(min_value=0, max_value=len(policies.scp_levels) - 1))
        level = policies.scp_levels[index]
        widened = (*level.policies, policy(PolicyKind.SCP, "extra-deny", [extra]))
        new_levels = (
            *policies.scp_levels[:index],
            OrgLevel(level.target_id, widened),
            *policies.scp_levels[index + 1 :],
        )
        after = evaluate(request, replace(policies, scp_levels=new_levels))
    elif policies.identity:
        first = policies.identity[0]
        existing = json.loads(first.policy.text)["Statement"]
        grown = policy(PolicyKind.IDENTITY, first.policy_id, [*existing, extra])
        after = evaluate(request, replace(policies, identity=(grown, *policies.identity[1:])))
    else:
        after = evaluate(request, replace(policies, identity=(policy(PolicyKind.IDENTITY, "extra", [extra]),)))
    if after.allowed:
        assert before.allowed
    if before.effect is EvalDecision.EXPLICIT_DENY:
        assert after.effect is EvalDecision.EXPLICIT_DENY


@SETTINGS
@given(policy_sets(), requests(), st.data())
def test_removing_every_allow_at_one_scp_level_denies_below_it(
    policies: PolicySet, request: AuthorizationRequest, data: st.DataObject
) -> None:
    if not policies.scp_levels:
        policies = replace(policies, scp_levels=(OrgLevel(LEVELS[-1], (FULL_ACCESS,)),))
    assert policies.scp_levels is not None
    index = data.draw(st.integers(min_value=0, max_value=len(policies.scp_levels) - 1))
    level = policies.scp_levels[index]
    kept = []
    for item in level.policies:
        denies = [s for s in json.loads(item.policy.text)["Statement"] if s["Effect"] == "Deny"]
        if denies:
            kept.append(policy(PolicyKind.SCP, item.policy_id, denies))
    stripped = (
        *policies.scp_levels[:index],
        OrgLevel(level.target_id, tuple(kept)),
        *policies.scp_levels[index + 1 :],
    )
    decision = evaluate(request, replace(policies, scp_levels=stripped))
    assert not decision.allowed
    assert decision.allowed_by_organizations is False
    if decision.denied_by is not PolicyType.SCP:
        assert decision.effect is EvalDecision.EXPLICIT_DENY  # an explicit deny elsewhere may be named instead
    elif decision.effect is EvalDecision.IMPLICIT_DENY:
        failing = [level.target_id for level in stripped].index(decision.level or "")
        assert failing <= index


@SETTINGS
@given(policy_sets(), requests())
def test_the_management_account_is_never_affected_by_scp_content(
    policies: PolicySet, request: AuthorizationRequest
) -> None:
    member = evaluate(request, policies)
    management = evaluate(request, replace(policies, scp_levels=None))
    assert management == evaluate(request, PolicySet(identity=policies.identity))
    assert management.allowed_by_organizations is None
    assert all(step.policy_type is not PolicyType.SCP for step in management.steps)
    if member.allowed:
        assert management.allowed


@SETTINGS
@given(policy_sets(), requests(), st.randoms(use_true_random=False))
def test_evaluation_is_independent_of_statement_and_policy_order(
    policies: PolicySet, request: AuthorizationRequest, rng: random.Random
) -> None:
    shuffle = rng.shuffle

    def shuffled(items: tuple[AttachedPolicy, ...], kind: PolicyKind) -> tuple[AttachedPolicy, ...]:
        reordered = []
        for item in items:
            body = json.loads(item.policy.text)["Statement"]
            shuffle(body)
            reordered.append(policy(kind, item.policy_id, body) if item is not FULL_ACCESS else item)
        shuffle(reordered)
        return tuple(reordered)

    levels = None
    if policies.scp_levels is not None:
        levels = tuple(OrgLevel(lvl.target_id, shuffled(lvl.policies, PolicyKind.SCP)) for lvl in policies.scp_levels)
    permuted = PolicySet(identity=shuffled(policies.identity, PolicyKind.IDENTITY), scp_levels=levels)
    assert outcome(evaluate(request, permuted)) == outcome(evaluate(request, policies))


@SETTINGS
@given(policy_sets(), st.lists(requests(), min_size=1, max_size=8))
def test_cached_and_uncached_evaluation_agree(policies: PolicySet, sequence: list[AuthorizationRequest]) -> None:
    for request in sequence + sequence:
        assert evaluate(request, policies) == evaluate_uncached(request, policies)

"""Evaluation plans and their memos: what is settled once, what is checked per request, and bounds."""

from __future__ import annotations

import pytest

from baryon.policy import PolicySet, evaluate, evaluate_uncached
from baryon.policy import plan as plan_module
from baryon.policy.plan import build_plan, plan_for, precheck
from tests.policy.builders import TEMPLATE, allow, deny, identity, levels, request, scp

POLICIES = PolicySet(
    identity=(
        identity(
            allow("proton:*", Sid="Everything"),
            allow("proton:Create*", TEMPLATE, Sid="OnTemplate"),
            deny("proton:Delete*", Sid="NoDelete"),
            deny("proton:*", Sid="Region", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}),
            allow("s3:*", Sid="Storage"),
        ),
    ),
    scp_levels=levels(
        (
            scp(
                "guard",
                deny("proton:Create*", "arn:aws:proton:*:*:environment-template/secret-*", Sid="Guard"),
            ),
        )
    ),
)


def test_a_plan_holds_only_statements_covering_the_action() -> None:
    plan = build_plan(POLICIES, "proton:CreateEnvironmentTemplate", indexed=True)
    sids = [candidate.statement.sid for unit in plan.units for candidate in unit.candidates]
    assert sids == [None, "Guard", "Everything", "OnTemplate", "Region"]  # FullAWSAccess has no Sid
    settled = [candidate.statement.sid for unit in plan.units for candidate in unit.candidates if candidate.slot < 0]
    assert settled == [None, "Everything"]
    assert [statement.sid for statement in plan.runtime] == ["Guard", "OnTemplate", "Region"]


def test_precheck_settles_resource_only_statements_and_leaves_conditions_pending() -> None:
    runtime = build_plan(POLICIES, "proton:CreateEnvironmentTemplate", indexed=False).runtime
    codes, pending = precheck(runtime, TEMPLATE)
    assert codes == (0, 1, 0) and pending == (2,)  # guard: other resource; OnTemplate: match; Region: pending
    secret = TEMPLATE.replace("/web", "/secret-web")
    assert precheck(runtime, secret) == ((1, 0, 0), (2,))


def test_plans_are_remembered_per_action() -> None:
    policies = PolicySet(identity=POLICIES.identity)
    plan = plan_for(policies, "proton:GetService")
    assert plan_for(policies, "proton:GetService") is plan
    assert plan_for(policies, "proton:DeleteService") is not plan


def test_the_cold_path_leaves_every_memo_untouched() -> None:
    policies = PolicySet(identity=(identity(allow("ec2:*", Sid="Fresh")),))
    decision = evaluate_uncached(request(action="ec2:RunInstances", resource="*"), policies)
    assert decision.allowed
    assert policies._plans == {}
    assert policies.identity[0].policy._by_action == {}


def test_memos_are_bounded_and_stay_correct_when_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "_PLAN_LIMIT", 2)
    monkeypatch.setattr(plan_module, "_DECISION_LIMIT", 1)
    monkeypatch.setattr(plan_module, "_RESOURCE_LIMIT", 1)
    policies = PolicySet(identity=POLICIES.identity)
    requests = [
        request(action=action, resource=resource, context=context)
        for action in ("proton:CreateService", "proton:DeleteService", "proton:GetService")
        for resource in (TEMPLATE, "*")
        for context in ({}, {"aws:RequestedRegion": "us-east-1"})
    ]
    for _ in range(2):
        for item in requests:
            assert evaluate(item, policies) == evaluate_uncached(item, policies)
    assert len(policies._plans) <= 2
    assert all(len(plan.decisions) <= 1 and len(plan.by_resource) <= 1 for plan in policies._plans.values())

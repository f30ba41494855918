"""What a decision explains: steps, matched statements, missing context keys, simulator details."""

from __future__ import annotations

from types import MappingProxyType

from baryon.policy import (
    EvalDecision,
    MatchedStatement,
    OrgLevel,
    PolicyKind,
    PolicySet,
    PolicyType,
    Position,
    evaluate,
    evaluate_uncached,
)
from tests.policy.builders import (
    ACCOUNT,
    FULL_ACCESS,
    LEVELS,
    RCP_FULL_ACCESS,
    ROOT,
    TEMPLATE,
    allow,
    attached,
    deny,
    identity,
    levels,
    request,
    scp,
)

ROOT_ID, OU1, _, ACCOUNT_ID = LEVELS
EVERYTHING = PolicySet(
    identity=(identity(allow("proton:*", Sid="Proton")),),
    scp_levels=levels((), ()),
    rcp_levels=(OrgLevel(ROOT_ID, (RCP_FULL_ACCESS,)),),
    resource_policies=(attached(PolicyKind.RESOURCE, "template-policy", allow("proton:Get*", Principal="*")),),
    permissions_boundary=identity(allow("proton:*"), name="boundary"),
    session_policies=(identity(allow("*"), name="session"),),
)


def test_steps_follow_aws_evaluation_order_with_one_step_per_level() -> None:
    decision = evaluate(request(), EVERYTHING)
    assert [(step.policy_type, step.target_id) for step in decision.steps] == [
        (PolicyType.RCP, ROOT_ID),
        (PolicyType.SCP, ROOT_ID),
        (PolicyType.SCP, ACCOUNT_ID),
        (PolicyType.RESOURCE, None),
        (PolicyType.IDENTITY, None),
        (PolicyType.PERMISSIONS_BOUNDARY, None),
        (PolicyType.SESSION, None),
    ]
    verdicts = [step.decision for step in decision.steps]
    assert verdicts == [EvalDecision.ALLOWED] * 3 + [EvalDecision.IMPLICIT_DENY] + [EvalDecision.ALLOWED] * 3
    assert decision.effect is EvalDecision.ALLOWED
    assert (decision.allowed_by_organizations, decision.allowed_by_permissions_boundary) == (True, True)


def test_an_allowed_decision_lists_the_allow_statements_with_positions() -> None:
    decision = evaluate(request(), PolicySet(identity=(identity(allow("proton:*", Sid="Proton")),)))
    (statement,) = decision.matched_statements
    assert statement == MatchedStatement(
        f"arn:aws:iam::{ACCOUNT}:policy/dev",
        PolicyType.IDENTITY,
        "Proton",
        statement.effect,
        Position(4, 6),
        Position(9, 6),
    )
    assert statement.effect.value == "Allow"


def test_an_explicit_deny_lists_only_the_deny_statements_of_every_type() -> None:
    policies = PolicySet(
        identity=(identity(allow(), deny("proton:*", Sid="NoProton")),),
        scp_levels=levels((scp("deny", deny("proton:Create*", Sid="NoCreate")),)),
    )
    decision = evaluate(request(), policies)
    assert [(m.policy_type, m.sid) for m in decision.matched_statements] == [
        (PolicyType.SCP, "NoCreate"),
        (PolicyType.IDENTITY, "NoProton"),
    ]
    assert decision.allowed_by_organizations is False


def test_an_implicit_deny_lists_no_statements() -> None:
    decision = evaluate(request(), PolicySet(identity=(identity(allow("ec2:*")),)))
    assert decision.matched_statements == ()
    assert decision.steps[-1].decision is EvalDecision.IMPLICIT_DENY


def test_organizations_detail_is_false_for_an_implicit_scp_deny_and_none_without_scps() -> None:
    implicit = PolicySet(identity=(identity(allow()),), scp_levels=(OrgLevel(ROOT_ID, ()),))
    assert evaluate(request(), implicit).allowed_by_organizations is False
    assert evaluate(request(), PolicySet(identity=(identity(allow()),))).allowed_by_organizations is None


def test_boundary_detail_is_false_when_the_boundary_does_not_allow() -> None:
    policies = PolicySet(identity=(identity(allow()),), permissions_boundary=identity(allow("ec2:*"), name="b"))
    decision = evaluate(request(), policies)
    assert decision.allowed_by_permissions_boundary is False
    assert decision.denied_by is PolicyType.PERMISSIONS_BOUNDARY


def test_missing_keys_come_from_relevant_statements_once_each_in_order() -> None:
    policies = PolicySet(
        identity=(
            identity(
                allow("proton:*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
                allow("proton:*", TEMPLATE, Condition={"StringEquals": {"aws:PrincipalTag/team": "web"}}),
                allow("proton:*", "arn:aws:proton:*:*:service/*", Condition={"Null": {"aws:SourceVpc": "false"}}),
                allow("s3:*", Condition={"StringEquals": {"aws:SourceIp": "10.0.0.1"}}),
                allow("proton:*", "arn:aws:proton:*:*:x/${aws:PrincipalTag/unit}"),
                deny("proton:*", Condition={"StringEqualsIfExists": {"AWS:requestedregion": "eu-west-1"}}),
            ),
        )
    )
    decision = evaluate(request(), policies)
    assert decision.missing_context_keys == (
        "aws:RequestedRegion",
        "aws:PrincipalTag/team",
        "aws:PrincipalTag/unit",
        "AWS:requestedregion",
    )
    assert decision.effect is EvalDecision.EXPLICIT_DENY


def test_no_missing_keys_when_the_context_carries_them() -> None:
    policies = PolicySet(
        identity=(identity(allow("proton:*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})),)
    )
    decision = evaluate(request(context={"aws:requestedregion": "us-east-1"}), policies)
    assert decision.allowed and decision.missing_context_keys == ()


def test_the_root_user_is_allowed_by_the_identity_step_without_statements() -> None:
    decision = evaluate(request(ROOT), PolicySet())
    (step,) = decision.steps
    assert (step.policy_type, step.decision, step.matched_statements) == (
        PolicyType.IDENTITY,
        EvalDecision.ALLOWED,
        (),
    )


def test_any_mapping_works_as_context() -> None:
    policies = PolicySet(identity=(identity(allow("proton:*", Condition={"Bool": {"aws:SecureTransport": "true"}})),))
    assert evaluate(request(context=MappingProxyType({"aws:SecureTransport": "true"})), policies).allowed


def test_the_same_outcome_is_served_from_the_memo_and_different_outcomes_are_not_mixed() -> None:
    policies = PolicySet(
        identity=(identity(allow("proton:*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})),)
    )
    inside = request(context={"aws:RequestedRegion": "us-east-1"})
    outside = request(context={"aws:RequestedRegion": "eu-west-1"})
    first = evaluate(inside, policies)
    assert evaluate(inside, policies) is first
    denied = evaluate(outside, policies)
    assert first.allowed and not denied.allowed
    assert evaluate(request(), policies).missing_context_keys == ("aws:RequestedRegion",)
    assert evaluate(inside, policies) == evaluate_uncached(inside, policies)
    assert evaluate(outside, policies) == evaluate_uncached(outside, policies)


def test_plans_are_per_action_and_resource_checks_per_resource() -> None:
    policies = PolicySet(identity=(identity(allow("proton:Get*", "arn:aws:proton:*:*:environment-template/w*")),))
    allowed = request(action="proton:GetEnvironmentTemplate")
    other_resource = request(action="proton:GetEnvironmentTemplate", resource=TEMPLATE.replace("/web", "/api"))
    other_action = request(action="proton:DeleteEnvironmentTemplate")
    assert evaluate(allowed, policies).allowed
    assert not evaluate(other_resource, policies).allowed
    assert not evaluate(other_action, policies).allowed
    assert evaluate(allowed, policies).allowed


def test_scp_levels_without_any_level_apply_no_restriction() -> None:
    decision = evaluate(request(), PolicySet(identity=(identity(allow()),), scp_levels=()))
    assert decision.allowed and decision.allowed_by_organizations is True


def test_full_access_is_reported_per_level() -> None:
    decision = evaluate(request(), PolicySet(identity=(identity(allow()),), scp_levels=levels((), ())))
    scp_steps = [step for step in decision.steps if step.policy_type is PolicyType.SCP]
    assert [step.matched_statements[0].policy_id for step in scp_steps] == [FULL_ACCESS.policy_id] * 2

"""AccessDenied wording (AWS "Troubleshoot access denied error messages") and decision details."""

from __future__ import annotations

import pytest

from baryon.policy import Decision, EvalDecision, PolicyType, Step

USER = "arn:aws:iam::123456789012:user/John"
ACTION = "codedeploy:ListDeployments"
RESOURCE = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*"
SCP_ARN = "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd"
POLICY_ARN = "arn:aws:iam::123456789012:policy/Guard"


def decision(effect: EvalDecision, denied_by: PolicyType | None, policy_id: str | None = None) -> Decision:
    return Decision(effect, denied_by, policy_id, None, (), (), (), None, None)


PREFIX = f"User: {USER} is not authorized to perform: {ACTION} on resource: {RESOURCE}"
EXPLICIT, IMPLICIT = EvalDecision.EXPLICIT_DENY, EvalDecision.IMPLICIT_DENY
BECAUSE = "because no {} allows the " + ACTION + " action"

# (effect, policy type, denying policy id, the text after the resource)
MESSAGES = [
    (EXPLICIT, PolicyType.SCP, SCP_ARN, f"with an explicit deny in a service control policy: {SCP_ARN}"),
    (IMPLICIT, PolicyType.SCP, None, "with an explicit deny in a service control policy"),
    (EXPLICIT, PolicyType.SCP, "p-not-an-arn", "with an explicit deny in a service control policy"),
    (EXPLICIT, PolicyType.RCP, SCP_ARN, f"with an explicit deny in a resource control policy: {SCP_ARN}"),
    (IMPLICIT, PolicyType.RCP, None, BECAUSE.format("resource control policy")),
    (
        EXPLICIT,
        PolicyType.IDENTITY,
        POLICY_ARN,
        f"with an explicit deny in an identity-based policy: {POLICY_ARN}",
    ),
    (
        EXPLICIT,
        PolicyType.IDENTITY,
        "user/John/inline/p1",
        "with an explicit deny in an identity-based policy",
    ),
    (IMPLICIT, PolicyType.IDENTITY, None, BECAUSE.format("identity-based policy")),
    (
        EXPLICIT,
        PolicyType.PERMISSIONS_BOUNDARY,
        POLICY_ARN,
        f"with an explicit deny in a permissions boundary: {POLICY_ARN}",
    ),
    (IMPLICIT, PolicyType.PERMISSIONS_BOUNDARY, None, BECAUSE.format("permissions boundary")),
    (EXPLICIT, PolicyType.SESSION, POLICY_ARN, f"with an explicit deny in a sessions policy: {POLICY_ARN}"),
    (IMPLICIT, PolicyType.SESSION, None, BECAUSE.format("session policy")),
    (
        EXPLICIT,
        PolicyType.RESOURCE,
        "arn:aws:s3:::bucket",
        "with an explicit deny in a resource-based policy",
    ),
    (IMPLICIT, PolicyType.RESOURCE, None, BECAUSE.format("resource-based policy")),
    (
        EXPLICIT,
        PolicyType.TRUST,
        "arn:aws:iam::123456789012:role/R",
        "with an explicit deny in the role trust policy",
    ),
    (IMPLICIT, PolicyType.TRUST, None, BECAUSE.format("role trust policy")),
]


@pytest.mark.parametrize(("effect", "denied_by", "policy_id", "tail"), MESSAGES)
def test_denial_wording(effect: EvalDecision, denied_by: PolicyType, policy_id: str | None, tail: str) -> None:
    assert decision(effect, denied_by, policy_id).denial_message(USER, ACTION, RESOURCE) == f"{PREFIX} {tail}"


def test_the_blog_example_of_an_scp_denial_with_policy_arn() -> None:
    text = decision(EvalDecision.EXPLICIT_DENY, PolicyType.SCP, SCP_ARN).denial_message(
        "arn:aws:iam::123456789012:user/Matt", "iam:ListRoles", "arn:aws:iam::123456789012:role/*"
    )
    assert text == (
        "User: arn:aws:iam::123456789012:user/Matt is not authorized to perform: iam:ListRoles on resource: "
        "arn:aws:iam::123456789012:role/* with an explicit deny in a service control policy: "
        "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd"
    )


def test_actions_without_resource_type_have_no_resource_clause() -> None:
    text = decision(EvalDecision.IMPLICIT_DENY, PolicyType.IDENTITY).denial_message(
        USER, "codecommit:ListRepositories", "*"
    )
    assert text == (
        f"User: {USER} is not authorized to perform: codecommit:ListRepositories because no identity-based "
        "policy allows the codecommit:ListRepositories action"
    )


def test_an_allowed_decision_has_no_denial_message() -> None:
    with pytest.raises(ValueError, match="allowed"):
        decision(EvalDecision.ALLOWED, None).denial_message(USER, ACTION, RESOURCE)


def test_details_keep_the_most_restrictive_verdict_per_type() -> None:
    steps = (
        Step(PolicyType.SCP, "r-1", EvalDecision.ALLOWED, ()),
        Step(PolicyType.SCP, "ou-1", EvalDecision.IMPLICIT_DENY, ()),
        Step(PolicyType.SCP, "1", EvalDecision.ALLOWED, ()),
        Step(PolicyType.IDENTITY, None, EvalDecision.ALLOWED, ()),
        Step(PolicyType.SESSION, None, EvalDecision.EXPLICIT_DENY, ()),
    )
    result = Decision(EvalDecision.EXPLICIT_DENY, PolicyType.SESSION, None, None, steps, (), (), False, None)
    assert result.details() == {
        PolicyType.SCP: EvalDecision.IMPLICIT_DENY,
        PolicyType.IDENTITY: EvalDecision.ALLOWED,
        PolicyType.SESSION: EvalDecision.EXPLICIT_DENY,
    }
    assert not result.allowed


def test_simulator_decision_strings() -> None:
    assert [e.value for e in EvalDecision] == ["allowed", "explicitDeny", "implicitDeny"]

"""Runs the evaluation corpus (``corpus_*.py``, ``corpus/*.json``) through every evaluation path.

Each case is decided three ways — ``evaluate_uncached`` (no index, no memo), a first ``evaluate`` (builds
the plan) and a second ``evaluate`` (served from the memos) — and all three must agree with each other
and with the case's expectation, including AWS's AccessDenied wording.
"""

from __future__ import annotations

import pytest

from baryon.policy import EvalDecision, PolicyType, evaluate, evaluate_uncached
from tests.policy import corpus_combined, corpus_conditions, corpus_matching, corpus_scenarios
from tests.policy.builders import Case

ALL_CASES: list[Case] = corpus_conditions.CASES + corpus_matching.CASES + corpus_scenarios.CASES + corpus_combined.CASES

# The denial phrase each policy type must produce (troubleshoot_access-denied), spelled out independently.
PHRASES = {
    (PolicyType.SCP, EvalDecision.EXPLICIT_DENY): "with an explicit deny in a service control policy",
    (PolicyType.SCP, EvalDecision.IMPLICIT_DENY): "with an explicit deny in a service control policy",
    (PolicyType.RCP, EvalDecision.EXPLICIT_DENY): "with an explicit deny in a resource control policy",
    (PolicyType.RCP, EvalDecision.IMPLICIT_DENY): "because no resource control policy allows the ",
    (PolicyType.IDENTITY, EvalDecision.EXPLICIT_DENY): "with an explicit deny in an identity-based policy",
    (PolicyType.IDENTITY, EvalDecision.IMPLICIT_DENY): "because no identity-based policy allows the ",
    (
        PolicyType.PERMISSIONS_BOUNDARY,
        EvalDecision.EXPLICIT_DENY,
    ): "with an explicit deny in a permissions boundary",
    (
        PolicyType.PERMISSIONS_BOUNDARY,
        EvalDecision.IMPLICIT_DENY,
    ): "because no permissions boundary allows the ",
    (PolicyType.SESSION, EvalDecision.EXPLICIT_DENY): "with an explicit deny in a sessions policy",
    (PolicyType.SESSION, EvalDecision.IMPLICIT_DENY): "because no session policy allows the ",
    (PolicyType.RESOURCE, EvalDecision.EXPLICIT_DENY): "with an explicit deny in a resource-based policy",
    (PolicyType.RESOURCE, EvalDecision.IMPLICIT_DENY): "because no resource-based policy allows the ",
    (PolicyType.TRUST, EvalDecision.EXPLICIT_DENY): "with an explicit deny in the role trust policy",
    (PolicyType.TRUST, EvalDecision.IMPLICIT_DENY): "because no role trust policy allows the ",
}


def test_the_corpus_has_at_least_300_cases_each_naming_a_distinct_rule() -> None:
    rules = [case.rule for case in ALL_CASES]
    assert len(rules) >= 300
    assert len(set(rules)) == len(rules), "every case names its own rule"


def test_the_corpus_exercises_every_policy_type_and_outcome() -> None:
    outcomes = {(case.denied_by, case.decision) for case in ALL_CASES}
    for pair in PHRASES:
        if pair != (PolicyType.RCP, EvalDecision.IMPLICIT_DENY):  # RCPFullAWSAccess cannot be detached
            assert pair in outcomes, pair
    assert (None, EvalDecision.ALLOWED) in outcomes


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.rule for case in ALL_CASES])
def test_case(case: Case) -> None:
    cold = evaluate_uncached(case.request, case.policies)
    first = evaluate(case.request, case.policies)
    warm = evaluate(case.request, case.policies)
    assert first == cold
    assert warm == cold

    assert cold.effect is case.decision
    assert cold.denied_by is case.denied_by
    if case.level is not None:
        assert cold.level == case.level
    if case.policy_id is not None:
        assert cold.policy_id == case.policy_id
    if case.missing is not None:
        assert cold.missing_context_keys == case.missing

    request = case.request
    if cold.allowed:
        assert cold.policy_id is None and cold.level is None
        with pytest.raises(ValueError):
            cold.denial_message(request.principal.arn, request.action, request.resource)
        return
    assert cold.denied_by is not None
    text = cold.denial_message(request.principal.arn, request.action, request.resource)
    assert text.startswith(f"User: {request.principal.arn} is not authorized to perform: {request.action}")
    assert PHRASES[(cold.denied_by, cold.effect)] in text
    assert (" on resource: " in text) == (request.resource != "*")
    if case.message is not None:
        assert text == case.message

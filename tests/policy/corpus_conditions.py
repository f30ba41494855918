"""Evaluation corpus for every condition operator, from ``corpus/conditions.json``.

Written from the AWS IAM "Condition operators" and "Set operators for multivalued context keys" pages:
IfExists, ForAllValues:/ForAnyValue:, missing keys, multiple keys (AND) and values (OR; NOR when negated).
A ``condition_rows`` entry guards ``Allow proton:CreateEnvironmentTemplate`` (allowed when the condition
holds, implicitly denied otherwise); a ``deny_rows`` entry guards ``Deny proton:*`` next to ``Allow *``.
"""

from __future__ import annotations

import json
from pathlib import Path

from baryon.policy import ContextValue, PolicySet, PolicyType
from tests.policy.builders import (
    ALLOWED,
    CREATE,
    DEV,
    EXPLICIT,
    IMPLICIT,
    Case,
    allow,
    deny,
    identity,
    request,
)

_DATA = json.loads((Path(__file__).parent / "corpus" / "conditions.json").read_text())


def context(raw: dict[str, str | list[str]]) -> dict[str, ContextValue]:
    """JSON context: a list stands for a multivalued key."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}


def _allow_case(
    rule: str, operator: str, key: str, values: object, ctx: dict[str, str | list[str]], holds: bool
) -> Case:
    return Case(
        rule=rule,
        request=request(DEV, context=context(ctx)),
        policies=PolicySet(identity=(identity(allow(CREATE, Condition={operator: {key: values}})),)),
        decision=ALLOWED if holds else IMPLICIT,
        denied_by=None if holds else PolicyType.IDENTITY,
    )


def _deny_case(rule: str, condition: object, ctx: dict[str, str | list[str]], applies: bool) -> Case:
    return Case(
        rule=rule,
        request=request(DEV, context=context(ctx)),
        policies=PolicySet(identity=(identity(allow("*"), deny("proton:*", Condition=condition)),)),
        decision=EXPLICIT if applies else ALLOWED,
        denied_by=PolicyType.IDENTITY if applies else None,
    )


CASES = [_allow_case(*row) for row in _DATA["condition_rows"]] + [_deny_case(*row) for row in _DATA["deny_rows"]]

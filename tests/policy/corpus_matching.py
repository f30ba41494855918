"""Evaluation corpus for action, resource and policy-variable matching, from ``corpus/matching.json``.

Written from the AWS IAM pages on the Action, NotAction, Resource and NotResource elements, ARN wildcards,
and "IAM policy elements: Variables and tags"; it also covers the pitfalls other engines got wrong
(case-folded action names, ``?`` treated as a regex quantifier, ``.`` unescaped, Deny with NotResource).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baryon.policy import PolicySet, PolicyType
from tests.policy.builders import (
    ALICE,
    ALLOWED,
    BOB,
    CAROL,
    CREATE,
    DEV,
    EXPLICIT,
    IMPLICIT,
    ROOT,
    TEMPLATE,
    Case,
    allow,
    identity,
    request,
)
from tests.policy.corpus_conditions import context

PRINCIPALS = {"alice": ALICE, "bob": BOB, "dev": DEV, "root": ROOT, "carol": CAROL}
_DATA = json.loads((Path(__file__).parent / "corpus" / "matching.json").read_text())


def _case(row: dict[str, Any]) -> Case:
    statement = row["statement"]
    is_deny = statement["Effect"] == "Deny"
    statements = (allow("*"), statement) if is_deny else (statement,)
    applies = row["applies"]
    if is_deny:
        decision, denied_by = (EXPLICIT, PolicyType.IDENTITY) if applies else (ALLOWED, None)
    else:
        decision, denied_by = (ALLOWED, None) if applies else (IMPLICIT, PolicyType.IDENTITY)
    return Case(
        rule=row["rule"],
        request=request(
            PRINCIPALS[row.get("principal", "dev")],
            row.get("action", CREATE),
            row.get("resource", TEMPLATE),
            context(row.get("context", {})),
        ),
        policies=PolicySet(identity=(identity(*statements, version=row.get("version", "2012-10-17")),)),
        decision=decision,
        denied_by=denied_by,
    )


CASES = [_case(row) for row in _DATA["rows"]]

"""``parse_policy``: the validation corpus (``corpus/validation.json``), positions, and memoisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baryon.policy import Effect, Policy, PolicyError, PolicyKind, PolicySizeError, Position, parse_policy

ROWS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "corpus" / "validation.json").read_text())["rows"]
REJECTED = [row for row in ROWS if "error" in row or "error_prefix" in row]
ACCEPTED = [row for row in ROWS if row not in REJECTED]


def _text(row: dict[str, Any]) -> str:
    return row["text"] if "text" in row else json.dumps(row["document"])


def _parse(row: dict[str, Any]) -> Policy:
    return parse_policy(
        _text(row),
        PolicyKind(row["kind"]),
        max_chars=row.get("max_chars"),
        count_whitespace=row.get("count_whitespace", True),
    )


def test_the_validation_corpus_covers_both_outcomes_and_every_kind() -> None:
    assert len(REJECTED) >= 70 and len(ACCEPTED) >= 20
    assert {row["kind"] for row in REJECTED} == {kind.value for kind in PolicyKind}
    assert len({row["rule"] for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", REJECTED, ids=[row["rule"] for row in REJECTED])
def test_rejected(row: dict[str, Any]) -> None:
    with pytest.raises(PolicyError) as raised:
        _parse(row)
    if "error" in row:
        assert raised.value.message == row["error"]
    else:
        assert raised.value.message.startswith(row["error_prefix"])
    assert str(raised.value) == raised.value.message


@pytest.mark.parametrize("row", ACCEPTED, ids=[row["rule"] for row in ACCEPTED])
def test_accepted(row: dict[str, Any]) -> None:
    policy = _parse(row)
    assert policy.text == _text(row)


def test_an_oversize_document_raises_the_size_error_subclass() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    with pytest.raises(PolicySizeError):
        parse_policy(text, PolicyKind.SCP, max_chars=len(text) - 1)
    assert parse_policy(text, PolicyKind.SCP, max_chars=len(text)).text == text


MULTILINE = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "First",
      "Effect": "Allow",
      "Action": "proton:*",
      "Resource": "*"
    },
    {"Sid": "Second", "Effect": "Deny", "Action": "proton:Delete*", "Resource": "*"}
  ]
}"""


def test_statement_positions_follow_the_simulator_convention() -> None:
    first, second = parse_policy(MULTILINE, PolicyKind.IDENTITY).statements
    # Braces (1-based): the first statement from line 4 col 5 to line 9 col 5, the second on line 10
    # from col 5 to col 84. AWS reports the column just past each brace.
    assert (first.start, first.end) == (Position(4, 6), Position(9, 6))
    assert (second.start, second.end) == (Position(10, 6), Position(10, 85))
    assert (first.sid, first.effect, second.effect) == ("First", Effect.ALLOW, Effect.DENY)


def test_positions_match_the_aws_cli_simulate_custom_policy_example() -> None:
    text = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
    )
    (statement,) = parse_policy(text, PolicyKind.IDENTITY).statements
    assert (statement.start, statement.end) == (Position(1, 38), Position(1, 167))


def test_parsing_is_memoised_per_text_kind_and_limits() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}})
    first = parse_policy(text, PolicyKind.IDENTITY)
    assert parse_policy(text, PolicyKind.IDENTITY) is first
    assert parse_policy(text, PolicyKind.SCP) is not first
    assert parse_policy(text, PolicyKind.IDENTITY, max_chars=1000) is not first
    changed = parse_policy(text.replace("s3:*", "ec2:*"), PolicyKind.IDENTITY)
    assert changed is not first and changed != first


def test_policies_are_equal_by_text_and_kind() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}})
    a = parse_policy(text, PolicyKind.IDENTITY)
    b = parse_policy(text, PolicyKind.IDENTITY, max_chars=10_000)
    assert a == b and hash(a) == hash(b)
    assert a != parse_policy(text, PolicyKind.SCP)


def test_a_rejected_document_is_rejected_every_time() -> None:
    text = '{"Version": "2012-10-17"}'
    for _ in range(2):
        with pytest.raises(PolicyError, match="Statement element"):
            parse_policy(text, PolicyKind.IDENTITY)


def test_the_action_index_is_remembered_and_matches_a_scan() -> None:
    policy = parse_policy(MULTILINE, PolicyKind.IDENTITY)
    found = policy.statements_for("proton:deleteservice")
    assert [statement.sid for statement in found] == ["First", "Second"]
    assert policy.statements_for("proton:deleteservice") is found
    assert policy.scan("proton:deleteservice") == found
    assert policy.statements_for("s3:getobject") == ()

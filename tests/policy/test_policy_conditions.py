"""Condition compilation and value conversion (operator behaviour is covered by the corpus)."""

from __future__ import annotations

import pytest

from baryon.policy import AuthorizationRequest, SetQualifier
from baryon.policy.conditions import build_condition
from baryon.policy.operators import ALL_OPERATORS, parse_bool, parse_date, parse_number
from baryon.policy.request import RequestView
from tests.policy.builders import DEV, TEMPLATE


def view(context: dict[str, str | tuple[str, ...]]) -> RequestView:
    return RequestView(AuthorizationRequest(DEV, "proton:GetEnvironment", TEMPLATE, context))


def test_there_are_27_base_operators() -> None:
    assert len(ALL_OPERATORS) == 27
    assert {"Null", "BinaryEquals", "NotIpAddress", "ArnNotLike", "DateGreaterThanEquals"} <= ALL_OPERATORS


def test_an_operator_name_splits_into_qualifier_operator_and_if_exists() -> None:
    condition = build_condition("ForAnyValue:StringNotLikeIfExists", "aws:TagKeys", ["a*"], variables=True)
    assert condition.qualifier is SetQualifier.FOR_ANY_VALUE
    assert condition.if_exists and condition.negated
    assert (condition.key, condition.key_lower, condition.values) == ("aws:TagKeys", "aws:tagkeys", ("a*",))


def test_scalar_policy_values_are_kept_as_their_text() -> None:
    condition = build_condition("StringEquals", "s3:max-keys", [10, True, 1.5, "x"], variables=True)
    assert condition.values == ("10", "true", "1.5", "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", 10.0), (" -2.5 ", -2.5), ("1e3", 1000.0), (".5", 0.5), ("ten", None), ("", None), ("nan", None)],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-01T12:00:00Z", 1780315200.0),
        ("2026-06-01T12:00:00z", 1780315200.0),
        ("2026-06-01T14:00:00+02:00", 1780315200.0),
        ("2026-06-01T12:00:00", 1780315200.0),
        ("2026-06-01", 1780272000.0),
        ("1780315200", 1780315200.0),
        ("2026-13-01", None),
        ("soon", None),
    ],
)
def test_parse_date(text: str, expected: float | None) -> None:
    assert parse_date(text) == expected


def test_parse_bool_is_case_insensitive() -> None:
    assert (parse_bool("TRUE"), parse_bool("false"), parse_bool("1")) == (True, False, None)


def test_missing_keys_are_reported_but_not_for_null() -> None:
    lookup = view({})
    assert build_condition("StringNotEquals", "aws:RequestedRegion", ["x"], variables=True).holds(lookup)
    assert build_condition("Null", "aws:RequestTag/env", ["true"], variables=True).holds(lookup)
    assert lookup.missing == ["aws:RequestedRegion"]


def test_variables_are_substituted_only_in_string_and_arn_operators() -> None:
    lookup = view({"aws:PrincipalTag/limit": "5", "s3:max-keys": "5"})
    assert build_condition("StringEquals", "s3:max-keys", ["${aws:PrincipalTag/limit}"], variables=True).holds(lookup)
    with pytest.raises(ValueError, match="is not a number"):
        build_condition("NumericEquals", "s3:max-keys", ["${aws:PrincipalTag/limit}"], variables=True)


def test_a_condition_on_a_key_present_in_odd_case_finds_it() -> None:
    condition = build_condition("StringEquals", "aws:principaltag/TEAM", ["web"], variables=True)
    assert condition.holds(view({"AWS:PrincipalTag/Team": "web"}))

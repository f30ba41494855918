"""Input validation enforces what botocore's client-side validator skips: max lengths, patterns, enums."""

from __future__ import annotations

import pytest

from baryon.edge.errors import ValidationFailed
from baryon.edge.protocols.spec import load_service
from baryon.edge.protocols.validate import JSON, QUERY, read_input


def _input(service: str, operation: str):  # type: ignore[no-untyped-def]
    return load_service(service).model.operation_model(operation).input_shape


def test_max_length_is_enforced() -> None:
    with pytest.raises(ValidationFailed) as raised:
        read_input(_input("proton", "CreateEnvironmentTemplate"), {"name": "a" * 101}, JSON)
    assert "Member must have length less than or equal to 100" in raised.value.message
    assert raised.value.message.startswith("1 validation error detected: Value '")


def test_pattern_is_enforced_with_unicode_classes() -> None:
    shape = _input("iam", "TagUser")
    ok = read_input(shape, {"UserName": "alice", "Tags": [{"Key": "équipe", "Value": "plateforme"}]}, QUERY)
    assert ok["Tags"][0]["Key"] == "équipe"
    with pytest.raises(ValidationFailed) as raised:
        read_input(shape, {"UserName": "alice", "Tags": [{"Key": "bad#key", "Value": "v"}]}, QUERY)
    assert "regular expression pattern" in raised.value.message


def test_enum_is_enforced() -> None:
    with pytest.raises(ValidationFailed) as raised:
        read_input(_input("proton", "ListEnvironmentAccountConnections"), {"requestedBy": "NOBODY"}, JSON)
    assert "Member must satisfy enum value set: [MANAGEMENT_ACCOUNT, ENVIRONMENT_ACCOUNT]" in raised.value.message


def test_missing_required_and_unknown_members_are_reported_together() -> None:
    with pytest.raises(ValidationFailed) as raised:
        read_input(_input("iam", "CreateUser"), {"Bogus": "x"}, QUERY)
    assert raised.value.message.startswith("2 validation errors detected:")
    assert "Value null at 'userName' failed to satisfy constraint: Member must not be null" in raised.value.message
    assert "'Bogus'" in raised.value.message


def test_wrong_types_are_refused_not_coerced_in_json() -> None:
    with pytest.raises(ValidationFailed) as raised:
        read_input(_input("proton", "ListEnvironments"), {"maxResults": "10"}, JSON)
    assert "Member must be an integer" in raised.value.message


def test_query_strings_are_converted_to_numbers_and_ranges_checked() -> None:
    shape = _input("iam", "ListUsers")
    assert read_input(shape, {"MaxItems": "5"}, QUERY) == {"MaxItems": 5}
    with pytest.raises(ValidationFailed) as raised:
        read_input(shape, {"MaxItems": "0"}, QUERY)
    assert "Member must have value greater than or equal to 1" in raised.value.message


def test_list_size_limits_are_enforced() -> None:
    tags = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    with pytest.raises(ValidationFailed) as raised:
        read_input(_input("proton", "CreateEnvironmentTemplate"), {"name": "t", "tags": tags}, JSON)
    assert "Member must have length less than or equal to 50" in raised.value.message


def test_nul_characters_are_refused_in_every_string() -> None:
    with pytest.raises(ValidationFailed) as raised:
        read_input(_input("iam", "GetPolicy"), {"PolicyArn": "arn:aws:iam::aws:policy/\x00Admin"}, QUERY)
    assert "Member must not contain the NUL character" in raised.value.message
    assert raised.value.reason == "INVALID_PATTERN"


def test_java_shorthand_classes_are_ascii_only() -> None:
    shape = _input("iam", "CreateUser")
    assert read_input(shape, {"UserName": "alice_1+=,.@-"}, QUERY) == {"UserName": "alice_1+=,.@-"}
    with pytest.raises(ValidationFailed):
        read_input(shape, {"UserName": "zoë"}, QUERY)

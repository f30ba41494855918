"""Backward compatibility of a new minor version's schema."""

from __future__ import annotations

from typing import Any

import pytest

from baryon.templates import incompatibilities, parse_schema
from tests.templates.builders import schema_text

BASE: dict[str, Any] = {
    "port": {"type": "number", "default": 80, "minimum": 1, "maximum": 65535},
    "size": {"type": "string", "enum": ["small", "large"], "default": "small"},
    "name": {"type": "string", "maxLength": 20},
}


def _with(**changes: Any) -> dict[str, Any]:
    props = {k: dict(v) for k, v in BASE.items()}
    for key, value in changes.items():
        if value is None:
            props.pop(key)
        else:
            props[key] = value
    return props


OLD = parse_schema(schema_text(svc=BASE))


def test_identical_and_widened_are_compatible() -> None:
    assert incompatibilities(OLD, OLD) == []
    wider = _with(
        port={"type": "number", "default": 80, "minimum": 0, "maximum": 70000},
        size={"type": "string", "enum": ["small", "large", "huge"], "default": "small"},
        extra={"type": "string"},
        required_with_default={"type": "string", "default": "x"},
    )
    new = parse_schema(schema_text(svc={"properties": wider, "required": ["required_with_default"]}))
    assert incompatibilities(OLD, new) == []


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        (_with(name=None), "service_input.name: input removed"),
        (_with(port={"type": "string", "default": "80"}), "type changed from number to string"),
        (_with(size={"type": "string", "enum": ["small"], "default": "small"}), "enum values removed: large"),
        (_with(port={"type": "number", "default": 80, "minimum": 10}), "minimum raised to 10"),
        (_with(name={"type": "string", "maxLength": 5}), "maxLength lowered to 5"),
        (_with(name={"type": "string", "maxLength": 20, "pattern": "^a"}), "pattern added or changed"),
    ],
)
def test_incompatible_changes(props: dict[str, Any], reason: str) -> None:
    assert any(reason in r for r in incompatibilities(OLD, parse_schema(schema_text(svc=props))))


def test_new_required_input_without_default() -> None:
    props = _with(token={"type": "string"})
    new = parse_schema(schema_text(svc={"properties": props, "required": ["token"]}))
    assert incompatibilities(OLD, new) == ["service_input.token: new required input without a default"]
    became = parse_schema(schema_text(svc={"properties": _with(), "required": ["name"]}))
    assert incompatibilities(OLD, became) == ["service_input.name: became required without a default"]


def test_removed_input_type() -> None:
    old = parse_schema(schema_text(svc=BASE, pipe={"x": {"type": "string"}}))
    assert incompatibilities(old, OLD) == ["schema.pipeline_input_type: PipeInput removed"]

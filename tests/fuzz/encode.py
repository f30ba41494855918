"""Putting generated inputs on the wire: awsJson bodies and query-protocol forms.

Encoding follows the value's Python type, not the model, so mutated values (a dict where a string belongs)
travel as they are: on the query wire a dict becomes dotted sub-keys, a list `.member.N` items (or `.N` when
the model says flattened), a map `.entry.N.key`/`.value`.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from botocore.model import OperationModel, Shape

from baryon.edge.protocols.spec import ServiceSpec
from tests.fuzz.generate import Case
from tests.fuzz.sender import Request

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return value


def json_body(params: dict[str, Any]) -> bytes:
    """The awsJson body; NaN and Infinity are written as Python's `json` writes them (not strict JSON)."""
    return json.dumps(to_json(params), allow_nan=True).encode()


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def flatten(value: Any, shape: Shape | None, prefix: str) -> list[tuple[str, str]]:
    """Query-protocol pairs for one value under `prefix`."""
    if value is None:
        return []
    kind = shape.type_name if shape is not None else None
    if isinstance(value, dict):
        pairs: list[tuple[str, str]] = []
        if kind == "map":
            assert shape is not None
            entry = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
            for index, (key, item) in enumerate(value.items(), 1):
                pairs += flatten(key, shape.key, f"{entry}.{index}.key")
                pairs += flatten(item, shape.value, f"{entry}.{index}.value")
            return pairs
        members = shape.members if kind == "structure" and shape is not None else {}
        for key, item in value.items():
            member = members.get(key)
            wire = member.serialization.get("name", key) if member is not None else key
            pairs += flatten(item, member, f"{prefix}.{wire}" if prefix else wire)
        return pairs
    if isinstance(value, list):
        if not value:
            return [(prefix, "")]
        item_shape = shape.member if kind == "list" and shape is not None else None
        flat = kind == "list" and shape is not None and shape.serialization.get("flattened", False)
        item_prefix = prefix if flat else f"{prefix}.member"
        pairs = []
        for index, item in enumerate(value, 1):
            pairs += flatten(item, item_shape, f"{item_prefix}.{index}")
        return pairs
    return [(prefix, _scalar(value))]


def form(pairs: list[tuple[str, str]]) -> bytes:
    """A form body; lone surrogates are kept (as invalid UTF-8) so the server sees them."""
    return "&".join(
        f"{quote(key, safe='', errors='surrogatepass')}={quote(value, safe='', errors='surrogatepass')}"
        for key, value in pairs
    ).encode()


def query_pairs(
    spec: ServiceSpec, operation: str, params: dict[str, Any], shape: Shape | None
) -> list[tuple[str, str]]:
    return [("Action", operation), ("Version", spec.api_version), *flatten(params, shape, "")]


def operation_request(spec: ServiceSpec, operation: OperationModel, case: Case) -> Request:
    """The signed request that calls `operation` with the case's input in the service's protocol."""
    label = case.label
    headers: tuple[tuple[str, str], ...]
    if spec.protocol == "json":
        target = f"{spec.target_prefix}.{operation.name}"
        headers = (("X-Amz-Target", target), ("Content-Type", spec.json_content_type))
        body = json_body(case.params)
    else:
        headers = (("Content-Type", FORM),)
        body = form(query_pairs(spec, operation.name, case.params, operation.input_shape))
    return Request(
        label=label,
        service=spec.name,
        operation=operation.name,
        headers=headers,
        body=body,
        protocol=spec.protocol,
        expect_reject=case.expect_reject,
    )

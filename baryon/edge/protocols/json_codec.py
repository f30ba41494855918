"""awsJson 1.0 / 1.1: `POST /` with `X-Amz-Target: Prefix.Operation` and a JSON object body.

Responses carry timestamps as epoch seconds and blobs as base64; errors are
`{"__type": "Code", "message": "..."}` (or `Message`, as the service's model names it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from botocore.model import OperationModel, Shape

from baryon.edge.errors import SerializationFailed, ServiceError, ValidationFailed
from baryon.edge.protocols.shapes import error_wire, message_member
from baryon.edge.protocols.spec import ServiceSpec
from baryon.edge.protocols.validate import JSON, read_input


def decode_request(operation: OperationModel, body: bytes) -> dict[str, Any]:
    if not body.strip():
        raw: object = {}
    else:
        try:
            text = body.decode("utf-8")
            raw = json.loads(text)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise SerializationFailed("Start of structure or map found where not expected.") from exc
        try:  # a `\ud800` escape decodes to a lone surrogate, which no store (or UTF-8 text) can hold
            if "\\u" in text:
                json.dumps(raw, ensure_ascii=False).encode()
        except (ValueError, RecursionError) as exc:
            raise SerializationFailed("The request body contains an invalid Unicode escape.") from exc
    if not isinstance(raw, dict):
        raise SerializationFailed("Start of structure or map found where not expected.")
    return read_input(operation.input_shape, raw, JSON)


Converter = Callable[[Any], Any]


def _timestamp(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value


def _blob(value: Any) -> Any:
    return base64.b64encode(value).decode() if isinstance(value, bytes) else value


def _converter(shape: Shape, built: dict[str, Converter]) -> Converter | None:
    """A function turning a provider's value of `shape` into JSON-ready data, or None when the value is
    already JSON-ready (strings, numbers, booleans), so serializing a long listing skips those entirely.
    Structures always convert (members that are None or not in the model are dropped); `built` holds the
    structures already seen, so recursive shapes (a handshake's resources) refer back instead of looping."""
    kind = shape.type_name
    if kind == "timestamp":
        return _timestamp
    if kind == "blob":
        return _blob
    if kind == "list":
        item = _converter(shape.member, built)
        return (lambda value: [item(v) for v in value]) if item else list
    if kind == "map":
        entry = _converter(shape.value, built)
        return (lambda value: {k: entry(v) for k, v in value.items()}) if entry else dict
    if kind != "structure":
        return None
    if shape.name in built:
        return built[shape.name]
    members = shape.members
    nested: dict[str, Converter] = {}

    def structure(value: Any) -> dict[str, Any]:
        out = {}
        for name, item in value.items():
            if item is None or name not in members:
                continue
            convert = nested.get(name)
            out[name] = convert(item) if convert else item
        return out

    built[shape.name] = structure
    for name, member in members.items():
        found = _converter(member, built)
        if found is not None:
            nested[name] = found
    return structure


@lru_cache(maxsize=2048)
def _output_converter(operation: OperationModel) -> Converter | None:
    shape = operation.output_shape
    return _converter(shape, {}) if shape is not None else None


def encode_response(operation: OperationModel, result: dict[str, Any]) -> bytes:
    convert = _output_converter(operation)
    payload = convert(result) if convert is not None else {}
    return json.dumps(payload, separators=(",", ":")).encode()


def encode_error(spec: ServiceSpec, error: ServiceError) -> tuple[int, bytes]:
    if isinstance(error, ValidationFailed) and spec.name == "organizations":
        error = ServiceError("InvalidInputException", error.message, 400, {"Reason": error.reason})
    code, status, _ = error_wire(spec, error)
    if code == "AccessDenied":
        code = "AccessDeniedException"
    body: dict[str, Any] = {"__type": code, message_member(spec, code): error.message}
    body.update(error.fields)
    return status, json.dumps(body).encode()

"""awsJson 1.0 / 1.1: `POST /` with `X-Amz-Target: Prefix.Operation` and a JSON object body.

Responses carry timestamps as epoch seconds and blobs as base64; errors are
`{"__type": "Code", "message": "..."}` (or `Message`, as the service's model names it).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
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


def _wire(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                out[name] = _wire(member, value[name])
        return out
    if kind == "list":
        return [_wire(shape.member, item) for item in value]
    if kind == "map":
        return {key: _wire(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return value.timestamp() if isinstance(value, datetime) else value
    if kind == "blob":
        return base64.b64encode(value).decode() if isinstance(value, bytes) else value
    return value


def encode_response(operation: OperationModel, result: dict[str, Any]) -> bytes:
    shape = operation.output_shape
    payload = _wire(shape, result) if shape is not None else {}
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

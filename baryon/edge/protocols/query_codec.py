"""The query protocol (IAM, STS): form-encoded `Action=...&Version=...` parameters, XML responses.

Nested input is flattened into dotted keys: list items as `Name.member.N` (or `Name.N` when the model says
flattened), maps as `Name.entry.N.key` / `.value`, structure members as `Name.Member`, N counting from 1.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape, StructureShape

from baryon.edge.errors import ServiceError, ValidationFailed
from baryon.edge.protocols.shapes import error_wire
from baryon.edge.protocols.spec import ServiceSpec
from baryon.edge.protocols.validate import QUERY, read_input

RESERVED = {"Action", "Version"}
MAX_LIST_ITEMS = 1000
# Characters XML 1.0 cannot carry at all (not even as references); replaced so responses stay well-formed.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("\ufffd", str(value)))


class _Unflattener:
    def __init__(self, form: dict[str, str]) -> None:
        self.form = form
        self.used: set[str] = set()

    def take(self, shape: Shape, prefix: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, prefix)
        if kind == "list":
            return self._list(shape, prefix)
        if kind == "map":
            return self._map(shape, prefix)
        if prefix in self.form:
            self.used.add(prefix)
            return self.form[prefix]
        return None

    def _has_prefix(self, prefix: str) -> bool:
        dotted = prefix + "."
        return any(key == prefix or key.startswith(dotted) for key in self.form)

    def _structure(self, shape: StructureShape, prefix: str) -> dict[str, Any] | None:
        if prefix and not self._has_prefix(prefix):
            return None
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            value = self.take(member, f"{prefix}.{wire}" if prefix else wire)
            if value is not None:
                out[name] = value
        return out

    def _list(self, shape: Shape, prefix: str) -> list[Any] | None:
        if prefix in self.form and self.form[prefix] == "":
            self.used.add(prefix)
            return []
        flattened = shape.serialization.get("flattened", False)
        item_prefix = prefix if flattened else f"{prefix}.member"
        items: list[Any] = []
        for index in range(1, MAX_LIST_ITEMS + 1):
            key = f"{item_prefix}.{index}"
            if not self._has_prefix(key):
                break
            items.append(self.take(shape.member, key))
        return items if items else None

    def _map(self, shape: Shape, prefix: str) -> dict[str, Any] | None:
        flattened = shape.serialization.get("flattened", False)
        entry_prefix = prefix if flattened else f"{prefix}.entry"
        out: dict[str, Any] = {}
        for index in range(1, MAX_LIST_ITEMS + 1):
            key = f"{entry_prefix}.{index}"
            if not self._has_prefix(key):
                break
            map_key = self.take(shape.key, f"{key}.key")
            out[str(map_key)] = self.take(shape.value, f"{key}.value")
        return out if out else None


def decode_request(operation: OperationModel, form: dict[str, str]) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        extra = sorted(k for k in form if k not in RESERVED)
        if extra:
            raise ValidationFailed([f"'{extra[0]}' is not a parameter of {operation.name}"])
        return {}
    reader = _Unflattener(form)
    raw = reader.take(shape, "") or {}
    extra = sorted(k for k in form if k not in RESERVED and k not in reader.used)
    if extra:
        raise ValidationFailed([f"'{key}' is not a parameter of {operation.name}" for key in extra[:10]])
    return read_input(shape, raw, QUERY)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(shape: Shape, value: Any, parts: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        for name, member in shape.members.items():
            item = value.get(name)
            if item is None:
                continue
            tag = member.serialization.get("name", name)
            parts.append(f"<{tag}>")
            _xml(member, item, parts)
            parts.append(f"</{tag}>")
    elif kind == "list":
        tag = shape.member.serialization.get("name", "member")
        for item in value:
            parts.append(f"<{tag}>")
            _xml(shape.member, item, parts)
            parts.append(f"</{tag}>")
    elif kind == "map":
        for key, item in value.items():
            parts.append("<entry><key>")
            parts.append(_text(key))
            parts.append("</key><value>")
            _xml(shape.value, item, parts)
            parts.append("</value></entry>")
    elif kind == "timestamp":
        parts.append(_iso(value) if isinstance(value, datetime) else _text(value))
    elif kind == "boolean":
        parts.append("true" if value else "false")
    elif kind == "blob":
        parts.append(base64.b64encode(value).decode())
    else:
        parts.append(_text(value))


def encode_response(spec: ServiceSpec, operation: OperationModel, result: dict[str, Any], request_id: str) -> bytes:
    name = operation.name
    parts = [f'<{name}Response xmlns="{spec.xml_namespace}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        parts.append(f"<{wrapper}>")
        _xml(shape, result, parts)
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
    return "".join(parts).encode()


def encode_error(spec: ServiceSpec, error: ServiceError, request_id: str) -> tuple[int, bytes]:
    if isinstance(error, ValidationFailed):
        code, status, sender = "ValidationError", 400, True
    else:
        code, status, sender = error_wire(spec, error)
    fault = "Sender" if sender else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{spec.xml_namespace}"><Error><Type>{fault}</Type>'
        f"<Code>{_text(code)}</Code><Message>{_text(error.message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, body.encode()

"""Smithy RPC v2 CBOR: `POST /service/{Service}/operation/{Operation}` with a CBOR map body.

The protocol newer AWS models list first (`codeconnections`: `protocols: ['smithy-rpc-v2-cbor', 'json']`; botocore
1.44 still prefers awsJson when offered both, other SDKs may not). Any awsJson service Baryon serves answers it.
The request names its service and operation in the path instead of `X-Amz-Target` (which it must not carry), and
says so with `smithy-protocol: rpc-v2-cbor`. Bodies are CBOR (RFC 8949) maps shaped like awsJson's objects, except that
timestamps are tag 1 (epoch seconds) and blobs are byte strings. A response is 200 with the output map; an error
is 4xx/5xx with `{"__type": "namespace#Code", "message": ...}`. SigV4 signing is unchanged, and so are the
input checks: a body is turned into the awsJson document it stands for and read by the same validator.
"""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import datetime
from functools import cache
from typing import Any

import cbor2
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from baryon.edge.errors import SerializationFailed, ServiceError
from baryon.edge.protocols import json_codec
from baryon.edge.protocols.spec import ServiceSpec, load_service, served_services
from baryon.edge.protocols.validate import JSON, read_input

CONTENT_TYPE = "application/cbor"
HEADERS = {"smithy-protocol": "rpc-v2-cbor"}
MAX_DEPTH = 64
"""Nesting no model needs; also how a self-referencing value (tags 28/29) is caught."""
_ROUTE = re.compile(r"(?:^|/)service/([^/?]+)/operation/([^/?]+)$")
_PLAIN = (str, bytes, bool, float, datetime, type(None))
_LONG = 2**64


def route(method: str, path: str, smithy_protocol: str | None) -> tuple[str, str] | None:
    """(service name, operation name) of an RPC v2 CBOR request, or None for any other protocol.
    Only the last four path segments count, so a prefix (`/v1/service/...`) routes the same."""
    if smithy_protocol != "rpc-v2-cbor" or method != "POST":
        return None
    found = _ROUTE.search(path.split("?", 1)[0])
    return (found[1], found[2]) if found else None


def service_named(name: str) -> ServiceSpec | None:
    """The awsJson service whose Smithy service shape is `name`: botocore sends the whole target prefix
    (`com.amazonaws.codeconnections.CodeConnections_20231201`), the protocol's own clients only the last part."""
    return _services().get(name)


@cache
def _services() -> dict[str, ServiceSpec]:
    names: dict[str, ServiceSpec] = {}
    for service in served_services():
        spec = load_service(service)
        if spec.target_prefix:
            names[spec.target_prefix] = names[spec.target_prefix.rpartition(".")[2]] = spec
    return names


def decode_request(operation: OperationModel, body: bytes) -> dict[str, Any]:
    if not body:
        return read_input(operation.input_shape, {}, JSON)
    stream = io.BytesIO(body)
    try:  # text/byte-string keys only: integer keys can be chosen to collide in a dict (quadratic inserts)
        decoder = cbor2.CBORDecoder(stream, max_depth=MAX_DEPTH, allow_duplicate_keys=False, strict_hashable_types=True)
        value = _plain(decoder.decode(), 0)
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise SerializationFailed("The request body is not valid CBOR for this operation.") from exc
    if stream.tell() != len(body):
        raise SerializationFailed("The request body has data after its CBOR map.")
    if not isinstance(value, dict):
        raise SerializationFailed("The request body must be a CBOR map.")
    shape = operation.input_shape
    return read_input(shape, _as_json(shape, value) if shape is not None else value, JSON)


def _plain(value: Any, depth: int) -> Any:
    """`value` if it holds only what a model shape can take; `undefined` reads as null (as the protocol says).
    Other tags (bignums, sets, shared references...) are refused rather than guessed at."""
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, dict):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        if not -_LONG <= value < _LONG:
            raise ValueError("integer out of range")
        return value
    if value is cbor2.undefined:
        return None
    if isinstance(value, _PLAIN):
        return value
    raise ValueError(f"unsupported CBOR value {type(value).__name__}")


def _as_json(shape: Shape, value: Any) -> Any:
    """The awsJson form of a decoded value: tag-1 datetimes become ISO text and byte strings base64, only where
    the model has a timestamp or blob (elsewhere they stay, and the validator refuses them)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = shape.members
        return {key: _as_json(members[key], item) if key in members else item for key, item in value.items()}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_as_json(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: _as_json(shape.value, item) for key, item in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, datetime):
        return value.isoformat()
    if shape.type_name == "blob" and isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _wire(shape: Shape, value: Any) -> Any:
    """A provider's value as CBOR-ready data: unmodeled and null members dropped, timestamps as tag 1."""
    if isinstance(shape, StructureShape):
        members = shape.members
        return {key: _wire(members[key], item) for key, item in value.items() if item is not None and key in members}
    if isinstance(shape, ListShape):
        return [_wire(shape.member, item) for item in value]
    if isinstance(shape, MapShape):
        return {key: _wire(shape.value, item) for key, item in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, datetime):
        return cbor2.CBORTag(1, value.timestamp())
    return value


def encode_response(operation: OperationModel, result: dict[str, Any]) -> bytes:
    """The output map; an operation without an output shape answers with no body at all."""
    shape = operation.output_shape
    return cbor2.dumps(_wire(shape, result)) if shape is not None else b""


def encode_error(spec: ServiceSpec, error: ServiceError) -> tuple[int, bytes]:
    """awsJson's error document (same code, status, message member and fields) in CBOR, with `__type` the
    absolute shape ID when the model lists the error; errors no model lists (authentication) keep a bare code."""
    status, body = json_codec.encode_error(spec, error)
    document = json.loads(body)
    code = document["__type"]
    namespace, dot, _ = (spec.target_prefix or "").rpartition(".")
    if dot and _modeled(spec, code):
        document["__type"] = f"{namespace}#{code}"
    return status, cbor2.dumps(document)


def _modeled(spec: ServiceSpec, code: str) -> bool:
    try:
        return bool(spec.model.shape_for(code).metadata.get("exception"))
    except Exception:
        return False

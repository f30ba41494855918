"""Output walking shared by both protocols: turning a provider's result into wire-ready values."""

from __future__ import annotations

from botocore.model import Shape, StructureShape

from baryon.edge.errors import ServiceError
from baryon.edge.protocols.spec import ServiceSpec


def error_wire(spec: ServiceSpec, error: ServiceError) -> tuple[str, int, bool]:
    """The wire code, HTTP status and sender-fault flag of an error, taken from the model when it is modeled."""
    code, status, sender = error.code, error.status or 400, error.sender_fault
    try:
        shape = spec.model.shape_for(error.code)
    except Exception:
        shape = None
    if shape is not None and shape.metadata.get("exception"):
        meta = shape.metadata.get("error", {})
        code = meta.get("code", error.code)
        status = error.status or meta.get("httpStatusCode", 400)
        sender = meta.get("senderFault", shape.metadata.get("fault") != "server")
    return code, status, sender


def message_member(spec: ServiceSpec, error_code: str) -> str:
    """`message` or `Message`: the member name the model uses for this error's text."""
    try:
        shape = spec.model.shape_for(error_code)
    except Exception:
        return "message"
    if isinstance(shape, StructureShape) and "Message" in shape.members:
        return "Message"
    return "message"


def output_shape(shape: Shape | None) -> StructureShape | None:
    return shape if isinstance(shape, StructureShape) else None

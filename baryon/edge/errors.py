"""Errors a provider or the edge raises; the codec renders them in the protocol's AWS shape.

A provider raises by the *shape name* in the service model (`NoSuchEntityException`); the codec looks up the
wire code (`NoSuchEntity`) and HTTP status from the model. Errors the model does not list (authentication,
access denied, throttling) carry their own code and status.
"""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(Exception):
    """An AWS error response: code, message, HTTP status, and any extra modeled members (`Reason`...)."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        fields: Mapping[str, object] | None = None,
        sender_fault: bool = True,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = dict(fields or {})
        self.sender_fault = sender_fault

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message!r})"


class AccessDenied(ServiceError):
    """The authorizer refused the call. The wire code depends on the protocol (`AccessDeniedException` on
    awsJson services, `AccessDenied` on query services)."""

    def __init__(self, message: str) -> None:
        super().__init__("AccessDenied", message, status=403)


class ValidationFailed(ServiceError):
    """Input that does not fit the model. Rendered per protocol: `ValidationException` (awsJson),
    `ValidationError` (query), or a service-specific shape such as Organizations' `InvalidInputException`."""

    def __init__(self, problems: list[str], reason: str = "INVALID_INPUT") -> None:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        message = f"{count} validation {noun} detected: " + "; ".join(problems)
        super().__init__("ValidationException", message, status=400)
        self.problems = problems
        self.reason = reason


class SerializationFailed(ServiceError):
    """A body that cannot be read at all (not JSON, not an object)."""

    def __init__(self, message: str) -> None:
        super().__init__("SerializationException", message, status=400)


class UnknownOperation(ServiceError):
    def __init__(self, message: str = "") -> None:
        super().__init__("UnknownOperationException", message, status=400)

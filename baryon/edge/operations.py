"""How providers declare the operations they serve.

A provider module creates (or imports) its service's `Operations` table and registers plain functions:

    iam = Operations("iam")

    @iam("CreateUser")
    def create_user(call: Call) -> Result:
        ...

Each function receives validated parameters and returns a dict shaped like the operation's output; it never
sees HTTP, JSON or XML, and raises `ServiceError` for AWS errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baryon.edge.context import Call

Result = dict[str, Any]
Handler = Callable[[Call], Result]

READ_PREFIXES = ("Get", "List", "Describe", "Simulate", "Generate")


class Operations:
    """The operation table of one service.

    An operation registered `stateless=True` never touches the store (GetCallerIdentity answers from the
    authenticated caller alone), so the edge may run it on the event loop without a worker thread.
    """

    def __init__(self, service: str) -> None:
        self.service = service
        self.handlers: dict[str, Handler] = {}
        self.stateless: set[str] = set()

    def __call__(self, name: str, stateless: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self.handlers:
                raise ValueError(f"{self.service}:{name} registered twice")
            self.handlers[name] = handler
            if stateless:
                self.stateless.add(name)
            return handler

        return register


ISSUES_CREDENTIALS = frozenset({"GetSessionToken", "GetFederationToken"})
"""Named like reads, but they store the temporary credentials they issue."""


def is_read_only(operation: str) -> bool:
    """Whether an operation only reads state (its audit record may be written after the response)."""
    return operation.startswith(READ_PREFIXES) and operation not in ISSUES_CREDENTIALS

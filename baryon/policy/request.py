"""The request being authorized: who calls, which action on which resource, and the request context.

The *request context* is the bag of condition keys AWS assembles for every call (``aws:SourceIp``,
``aws:CurrentTime``, ``aws:PrincipalTag/team``, ``aws:RequestTag/env``, ``aws:TagKeys``, service keys such as
``proton:EnvironmentTemplate``). Values are strings; a tuple is a *multivalued* key (``aws:TagKeys``) and an
empty tuple counts as absent. Key names are case-insensitive. Time enters only through this context
(``aws:CurrentTime``, ``aws:EpochTime``): the engine never reads a clock.

A few keys AWS always knows about the caller are derived from :class:`Principal` when the context does not
carry them: ``aws:PrincipalArn`` (the *role* ARN for an assumed-role session), ``aws:PrincipalAccount``,
``aws:PrincipalType``, ``aws:username`` (IAM users only), ``aws:PrincipalIsAWSService``,
``aws:PrincipalServiceName`` and ``aws:ResourceAccount``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

ContextValue = str | tuple[str, ...]


class PrincipalKind(enum.Enum):
    """What kind of identity signed the request."""

    USER = "user"
    ASSUMED_ROLE = "assumed-role"
    ROOT = "root"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """The caller. ``arn`` is the session ARN for assumed roles and the service name for AWS services."""

    arn: str
    account: str
    kind: PrincipalKind
    role_arn: str | None = None


@dataclass(frozen=True)
class AuthorizationRequest:
    """One action on one resource (``"*"`` when the action has no resource type)."""

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    resource_account: str | None = None

    @property
    def cross_account(self) -> bool:
        """True when the resource belongs to another account than the caller."""
        return self.resource_account is not None and self.resource_account != self.principal.account


_PRINCIPAL_TYPES = {
    PrincipalKind.USER: "User",
    PrincipalKind.ASSUMED_ROLE: "AssumedRole",
    PrincipalKind.ROOT: "Account",
}


def _is_service(request: AuthorizationRequest) -> bool:
    return request.principal.kind is PrincipalKind.SERVICE


_DERIVED: dict[str, Callable[[AuthorizationRequest], str | None]] = {
    "aws:principalarn": lambda r: None if _is_service(r) else r.principal.role_arn or r.principal.arn,
    "aws:principalaccount": lambda r: None if _is_service(r) else r.principal.account,
    "aws:principaltype": lambda r: _PRINCIPAL_TYPES.get(r.principal.kind),
    "aws:username": lambda r: r.principal.arn.rsplit("/", 1)[-1] if r.principal.kind is PrincipalKind.USER else None,
    "aws:principalisawsservice": lambda r: "true" if _is_service(r) else "false",
    "aws:principalservicename": lambda r: r.principal.arn if _is_service(r) else None,
    "aws:resourceaccount": lambda r: r.resource_account,
}


class RequestView:
    """Case-insensitive access to one request's context, recording the keys policies asked for in vain."""

    __slots__ = ("_lowered", "missing", "request")

    def __init__(self, request: AuthorizationRequest) -> None:
        self.request = request
        self.missing: list[str] = []
        self._lowered: dict[str, ContextValue] | None = None

    def raw(self, key: str, key_lower: str) -> ContextValue | None:
        """The key's value as given (exact spelling first, then case-insensitively, then derived)."""
        context = self.request.context
        value = context.get(key)
        if value is None:
            if self._lowered is None:
                self._lowered = {name.lower(): item for name, item in context.items()}
            value = self._lowered.get(key_lower)
            if value is None:
                derive = _DERIVED.get(key_lower)
                return derive(self.request) if derive is not None else None
        return value

    def values(self, key: str, key_lower: str) -> tuple[str, ...] | None:
        """The key's values: one for a single-valued key, any number for a multivalued one."""
        value = self.raw(key, key_lower)
        return (value,) if isinstance(value, str) else value

    def note_missing(self, key: str) -> None:
        self.missing.append(key)

"""What travels with one request through the chain, and what a provider operation receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from baryon.identity.caller import Caller

if TYPE_CHECKING:
    from baryon.runtime import Runtime


@dataclass
class RequestContext:
    """Facts about the request every step may read; filled in as the chain advances."""

    request_id: str
    received_at: datetime
    source_ip: str
    secure_transport: bool
    service: str | None = None
    operation: str | None = None
    region: str | None = None
    caller: Caller | None = None
    action: str | None = None
    resources: tuple[str, ...] = ()
    decision: str = "not-evaluated"
    reason: str | None = None
    authz_context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Call:
    """One operation as a provider sees it: validated parameters, the caller, and a database session."""

    ctx: RequestContext
    params: dict[str, Any]
    db: Session
    runtime: Runtime

    @property
    def caller(self) -> Caller:
        assert self.ctx.caller is not None
        return self.ctx.caller

    @property
    def account_id(self) -> str:
        return self.caller.account_id

    @property
    def region(self) -> str:
        assert self.ctx.region is not None
        return self.ctx.region

    @property
    def now(self) -> datetime:
        return self.ctx.received_at

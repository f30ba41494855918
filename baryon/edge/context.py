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
    """One operation as a provider sees it: validated parameters, the caller, and a database session.

    The session (and its transaction) is opened on first use of `db`, so operations that need no state
    cost no database round trip; `commit` ends it when the operation succeeded, `rollback` otherwise.
    """

    ctx: RequestContext
    params: dict[str, Any]
    runtime: Runtime
    _session: Session | None = None

    @property
    def db(self) -> Session:
        if self._session is None:
            self._session = self.runtime.store.begin()
        return self._session

    def commit(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            self.runtime.store.commit(session)

    def rollback(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.rollback()
            session.close()

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

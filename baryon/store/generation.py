"""A change counter for data that request handling caches (credentials, policies, the organization tree).

Every write that can change an authentication or authorization outcome bumps the counter in the same
transaction. Caches in this process are dropped at once; other replicas notice within `POLL_SECONDS`,
comparable to IAM's own propagation delay.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from baryon.store.base import Base
from baryon.store.db import Store

POLL_SECONDS = 1.0


class Generation(Base):
    __tablename__ = "store_generations"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class GenerationWatch:
    """Tracks the authorization generation and tells caches when to forget."""

    NAME = "authz"

    def __init__(self, store: Store) -> None:
        self._store = store
        self._seen = -1
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.local_epoch = 0
        """Incremented whenever caches must be dropped; caches compare it with the epoch they were built at."""

    def bump(self, session: Session) -> None:
        """Record, inside the caller's transaction, that authorization-relevant data changed."""
        result = session.execute(
            update(Generation).where(Generation.name == self.NAME).values(value=Generation.value + 1)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            session.add(Generation(name=self.NAME, value=1))
        session.info.setdefault("after_commit", []).append(self._invalidate_now)

    def _invalidate_now(self) -> None:
        with self._lock:
            self.local_epoch += 1

    def current(self) -> int | None:
        """The local epoch if it is fresh enough to trust without polling the store, else None."""
        if time.monotonic() - self._checked_at < POLL_SECONDS:
            return self.local_epoch
        return None

    def refresh(self) -> int:
        """Poll the shared counter at most every POLL_SECONDS; return the local epoch to compare with."""
        now = time.monotonic()
        if now - self._checked_at < POLL_SECONDS:
            return self.local_epoch
        with self._store.session() as session:
            value = session.execute(select(Generation.value).where(Generation.name == self.NAME)).scalar()
        with self._lock:
            self._checked_at = now
            current = value or 0
            if current != self._seen:
                self._seen = current
                self.local_epoch += 1
        return self.local_epoch

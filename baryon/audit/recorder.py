"""Writing audit records without slowing requests down.

A successful write operation records its audit row inside its own transaction, so the change and its record
become durable together. Every other request (reads, denials, bad input) is queued and written by a
background thread in batches, flushed at least every `FLUSH_SECONDS` and at shutdown.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import UTC
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from baryon.audit.tables import AuditEvent
from baryon.store.db import Store

FLUSH_SECONDS = 0.2
BATCH = 5000
log = logging.getLogger("baryon.audit")
_COLUMNS = [c.name for c in AuditEvent.__table__.columns if c.name != "id"]
_INSERT = insert(cast(Table, AuditEvent.__table__))


def _insert_sql(sqlite: bool) -> str:
    """The INSERT in the driver's own parameter style (`:name` for sqlite3, `%(name)s` for psycopg)."""
    marks = [f":{c}" if sqlite else f"%({c})s" for c in _COLUMNS]
    return f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) VALUES ({', '.join(marks)})"


class AuditRecorder:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="baryon-audit", daemon=True)
        self._started = False
        self._stop = threading.Event()
        self._sql = _insert_sql(store.is_sqlite)

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def enqueue(self, event: dict[str, Any]) -> None:
        self._queue.put(event)

    @staticmethod
    def write_now(db: Session, event: dict[str, Any]) -> None:
        """Insert the event in the caller's transaction (a plain INSERT: no object for the session to track)."""
        db.execute(_INSERT, event)

    def _run(self) -> None:
        """Wait for a first event, let a batch gather for FLUSH_SECONDS, write it in one transaction."""
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            self._stop.wait(FLUSH_SECONDS)
            batch = [first]
            while len(batch) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._flush(batch)

    def _flush(self, batch: list[dict[str, Any]]) -> None:
        """Insert a batch as one executemany of plain values: at thousands of rows a second, per-row ORM
        processing would cost more than the requests being recorded."""
        if not batch:
            return
        sqlite = self._store.is_sqlite
        for event in batch:
            at = event["at"].astimezone(UTC)
            event["at"] = at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if sqlite else at
        try:
            with self._store.engine.begin() as connection:
                connection.exec_driver_sql(self._sql, batch)
        except Exception:  # the audit trail must never take the server down; report and go on
            log.exception("could not write %d audit records", len(batch))

    def stop(self) -> None:
        """Flush everything queued and stop the writer thread."""
        if self._started:
            self._stop.set()
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._started = False

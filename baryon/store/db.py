"""Engine and sessions. An accepted write is committed (and on SQLite fsynced, WAL with synchronous=FULL)
before its response leaves the server.

SQLite lets one connection write at a time; a writer that finds the database locked sleeps in SQLite's busy
handler (1, 2, 5, 10... ms) however soon the lock frees, which under many threads costs far more than the
writes themselves. So the threads of one process take turns in Python instead (`_WriterTurns`): a
connection waits for its turn before its first write and gives it back when it returns to the pool, after
its commit or rollback. Other processes on the same file still meet SQLite's own lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class Store:
    """One database: an engine, a session factory, and schema migration."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.writer_turns: _WriterTurns | None = None
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.writer_turns = _WriterTurns()
            self.writer_turns.attach(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back on any exception."""
        with self._sessions() as session:
            with session.begin():
                yield session
            for callback in session.info.pop("after_commit", ()):
                callback()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A unit of work of plain statements, without an ORM session: committed when the block ends normally,
        rolled back on any exception."""
        with self.engine.begin() as connection:
            yield connection

    def begin(self) -> Session:
        """A session with an open transaction, for callers that commit later with `commit`."""
        session = self._sessions()
        session.begin()
        return session

    def commit(self, session: Session) -> None:
        """Commit a session from `begin`, run its after-commit callbacks, close it."""
        try:
            session.commit()
        finally:
            session.close()
        for callback in session.info.pop("after_commit", ()):
            callback()

    def migrate(self) -> None:
        """Bring the schema to the newest migration (safe to run from several replicas at once on PostgreSQL)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                connection.execute(text("SELECT pg_advisory_xact_lock(7294511)"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


class _WriterTurns:
    """One writing connection at a time in this process (see the module's docstring)."""

    WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
    WAIT_SECONDS = 30.0
    """Longest wait for a turn; after it the write goes ahead and SQLite's busy timeout decides."""

    def __init__(self) -> None:
        self._turn = threading.Lock()

    @property
    def taken(self) -> bool:
        """Whether a connection of this process holds the turn now."""
        return self._turn.locked()

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine.pool, "checkin", self._checked_in)

    def _before_execute(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        info = connection.connection.info  # the pooled DBAPI connection's, as `checkin` sees it
        if not info.get("writing") and statement.lstrip()[:7].upper().startswith(self.WRITES):
            info["writing"] = self._turn.acquire(timeout=self.WAIT_SECONDS)

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        if record.info.pop("writing", False):
            self._turn.release()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()

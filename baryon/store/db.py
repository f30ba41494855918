"""Engine and sessions. An accepted write is committed (and on SQLite fsynced, WAL with synchronous=FULL)
before its response leaves the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class Store:
    """One database: an engine, a session factory, and schema migration."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back on any exception."""
        with self._sessions() as session:
            with session.begin():
                yield session
            for callback in session.info.pop("after_commit", ()):
                callback()

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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()

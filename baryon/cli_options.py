"""Options every `baryon` command that works on a data directory shares, and opening its store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from baryon.config import Settings

if TYPE_CHECKING:
    from baryon.store.db import Store

DataDir = Annotated[Path, typer.Option("--data-dir", help="Where Baryon keeps its state.")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; default: SQLite in the data dir.")
]


def open_store(settings: Settings) -> Store:
    """The data directory's store, migrated to the newest schema."""
    from baryon.store.db import Store

    store = Store(settings.resolved_database_url)
    store.migrate()
    return store

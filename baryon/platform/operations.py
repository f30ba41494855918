"""The Proton operation table, with every provider module registered on it."""

from __future__ import annotations

from baryon.platform import (  # noqa: F401  (each module registers its operations on import)
    account_connections,
    deployments,
    environments,
    repositories,
    sync_configs,
    tags,
    templates,
    versions,
)
from baryon.platform.common import proton

__all__ = ["proton"]

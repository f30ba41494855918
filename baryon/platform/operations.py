"""The Proton operation table, with every provider module registered on it."""

from __future__ import annotations

from baryon.platform import repositories, sync_configs, tags, templates, versions  # noqa: F401  (each module registers its operations on import)
from baryon.platform.common import proton

__all__ = ["proton"]

"""The Organizations operation table, with every provider module registered on it."""

from __future__ import annotations

from baryon.org import (  # noqa: F401  (each module registers its operations on import)
    accounts,
    attachments,
    organization,
    ous,
    policies,
    roots,
    tags,
    unsupported,
)
from baryon.org.common import organizations

__all__ = ["organizations"]

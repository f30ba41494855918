"""The two connections operation tables, with every provider module registered on them."""

from __future__ import annotations

from baryon.connections import connections, hosts, tags  # noqa: F401  (each module registers its operations)
from baryon.connections.common import codeconnections, codestar_connections

__all__ = ["codeconnections", "codestar_connections"]

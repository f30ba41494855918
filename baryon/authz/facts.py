"""What the action map may look up to name a request's resources before the operation runs.

Organizations ARNs carry the organization id and management account, and a policy's ARN its type; those
never change once created, so the directory keeps what it found. One `Facts` lives in the runtime and is
passed to every resolver (no module-level state).
"""

from __future__ import annotations

from dataclasses import dataclass

from baryon.org.directory import OrgDirectory
from baryon.store.db import Store


@dataclass(frozen=True)
class Facts:
    org: OrgDirectory

    @classmethod
    def of(cls, store: Store) -> Facts:
        return cls(org=OrgDirectory(store))

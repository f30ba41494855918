"""What the action map may look up to name a request's resources before the operation runs.

Organizations ARNs carry the organization id and management account, and a policy's ARN its type; those
never change once created, so the directory keeps what it found. IAM ARNs carry the entity's path, which the
request does not say (`UserName=alice` may be `user/admins/alice`); those are cached until the authorization
generation moves. One `Facts` lives in the runtime and is passed to every resolver (no module-level state).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from baryon.identity.tables import Group, Role, User
from baryon.org.directory import OrgDirectory
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch

_TABLES: dict[str, Any] = {"user": User, "group": Group, "role": Role}


class IamNames:
    """The ARN (path included) of an existing IAM user, group or role, by account and name."""

    def __init__(self, store: Store, watch: GenerationWatch) -> None:
        self._store = store
        self._watch = watch
        self._cache: dict[tuple[str, str, str], str | None] = {}
        self._epoch = -1
        self._lock = threading.Lock()

    def arn(self, account_id: str, kind: str, name: str) -> str | None:
        table = _TABLES.get(kind)
        if table is None:
            return None
        key = (account_id, kind, name.lower())
        epoch = self._watch.refresh()
        with self._lock:
            if epoch != self._epoch:
                self._cache.clear()
                self._epoch = epoch
            if key in self._cache:
                return self._cache[key]
        with self._store.session() as db:
            found = db.scalars(
                select(table.arn).where(table.account_id == account_id, table.name_key == key[2])
            ).first()
        with self._lock:
            if self._epoch == epoch and self._watch.local_epoch == epoch:
                self._cache[key] = found
        return found


@dataclass(frozen=True)
class Facts:
    org: OrgDirectory
    iam: IamNames

    @classmethod
    def of(cls, store: Store, watch: GenerationWatch) -> Facts:
        return cls(org=OrgDirectory(store), iam=IamNames(store, watch))

"""Facts the action map needs to name Organizations resources before an operation runs: the organization
id and management account (for every ARN) and the type of a policy (for policy ARNs and the
`organizations:PolicyType` condition key).

The runtime keeps one directory per store (see `baryon.authz.facts`). Organization ids and policy types never
change, so found values are kept; misses are not (the policy may be created later).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from baryon.org import tree
from baryon.org.tables import Organization, OrgPolicy
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch


class OrgDirectory:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._identity: tuple[str, str] | None = None
        self._policies: dict[str, tuple[str, bool]] = {}
        self._ou_parents: dict[str, tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def identity(self) -> tuple[str, str] | None:
        """(management account id, organization id), or None before the organization exists."""
        if self._identity is None:
            with self._store.session() as db:
                row = db.scalars(select(Organization).order_by(Organization.created_at)).first()
                if row is not None:
                    self._identity = (row.management_account_id, row.id)
        return self._identity

    def ou_parents(self, db: Session, organization_id: str, watch: GenerationWatch) -> dict[str, Any]:
        """Each OU's id and parent id (`.id`, `.parent_id`), for account and OU paths. Every change to the tree
        moves the generation, so the map is kept until it does."""
        epoch = watch.refresh()
        cached = self._ou_parents.get(organization_id)
        if cached is not None and cached[0] == epoch:
            return cached[1]
        parents = tree.ou_parents(db, organization_id)
        if watch.local_epoch == epoch:
            self._ou_parents[organization_id] = (epoch, parents)
        return parents

    def policy(self, policy_id: str) -> tuple[str, bool] | None:
        """(policy type, AWS-managed) of a policy, or None if there is no such policy."""
        found = self._policies.get(policy_id)
        if found is not None:
            return found
        with self._store.session() as db:
            row = db.get(OrgPolicy, policy_id)
            if row is None:
                return None
            found = (row.type, row.aws_managed)
        with self._lock:
            if len(self._policies) > 100_000:
                self._policies.clear()
            self._policies[policy_id] = found
        return found

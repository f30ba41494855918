"""What Proton's API does not return about a deployment: the step it is at and its per-resource events.

They are read from the store, and only for deployments the principal was just shown by its own successful
`GetDeployment`: that call decided whether the principal may see the deployment (its policies, the SCPs,
the account's partition), so the store is never read for a deployment the API would have refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from baryon.platform.environments import deployment_arn
from baryon.provisioning.tables import Deployment
from baryon.web.view import View


@dataclass(frozen=True)
class Event:
    """One resource's status change, as CloudFormation reported it."""

    time: datetime | None
    logical_id: str
    physical_id: str
    type: str
    status: str
    reason: str

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")


@dataclass(frozen=True)
class Recorded:
    step: str
    events: tuple[Event, ...]


def _time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _event(stored: dict[str, Any]) -> Event:
    return Event(
        _time(stored.get("time")),
        str(stored.get("logicalId") or ""),
        str(stored.get("physicalId") or ""),
        str(stored.get("type") or ""),
        str(stored.get("status") or ""),
        str(stored.get("reason") or ""),
    )


def recorded(view: View, granted: Iterable[dict[str, Any]]) -> dict[str, Recorded]:
    """Step and events by deployment id. `granted`: the `deployment` members of the principal's own successful
    `GetDeployment` answers; a row is used only if its ARN is the one that answer named."""
    arns = {deployment["id"]: deployment["arn"] for deployment in granted}
    if not arns:
        return {}
    with view.runtime.store.session() as db:
        rows = db.scalars(select(Deployment).where(Deployment.id.in_(arns)))
        return {
            row.id: Recorded(row.step, tuple(_event(e) for e in row.events or []))
            for row in rows
            if deployment_arn(row) == arns[row.id]
        }

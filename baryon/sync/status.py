"""Sync attempts as stored (JSON with ISO timestamps) and as the wire shapes `ResourceSyncAttempt` and
`RepositorySyncAttempt`.

A *sync attempt* is one run of the sync loop over a repository branch (repository attempt) or over one
template major (resource attempt); its *events* say what happened, in order (`type`, `event`, `time`, and
`externalId`, the commit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baryon.edge.operations import Result

MAX_EVENT = 2000


def event(kind: str, text: str, at: datetime, external_id: str | None = None) -> dict[str, Any]:
    stored: dict[str, Any] = {"type": kind, "event": text[:MAX_EVENT], "time": at.isoformat()}
    if external_id:
        stored["externalId"] = external_id
    return stored


def repository_attempt(status: str, started: datetime, events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"status": status, "startedAt": started.isoformat(), "events": events}


def revision(repository: Any, branch: str, directory: str, sha: str) -> dict[str, str]:
    """A `Revision`: the commit and directory a template major was synced from."""
    return {
        "repositoryName": repository.name,
        "repositoryProvider": repository.provider,
        "branch": branch,
        "directory": directory,
        "sha": sha,
    }


def resource_attempt(
    status: str, started: datetime, target: str, initial: dict[str, str], target_rev: dict[str, str], events: list
) -> dict[str, Any]:
    return {
        "status": status,
        "startedAt": started.isoformat(),
        "target": target,
        "initialRevision": initial,
        "targetRevision": target_rev,
        "events": events,
    }


def _events_out(events: list[dict[str, Any]]) -> list[Result]:
    out = []
    for stored in events:
        item: Result = {
            "type": stored["type"],
            "event": stored["event"],
            "time": datetime.fromisoformat(stored["time"]),
        }
        if stored.get("externalId"):
            item["externalId"] = stored["externalId"]
        out.append(item)
    return out


def attempt_out(stored: dict[str, Any]) -> Result:
    """A stored attempt (repository or resource) in its wire shape."""
    result: Result = dict(stored)
    result["startedAt"] = datetime.fromisoformat(stored["startedAt"])
    result["events"] = _events_out(stored.get("events") or [])
    return result

"""Host credentials: the token Baryon presents to a self-managed Git server.

The CodeStar Connections API has no field for them (AWS collects them in its console), so the `baryon host`
commands set them straight in the store, sealed with the runtime's secret box like access keys. A token never
leaves the store except to the Git client that fetches from the host.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from baryon.connections.common import parse_arn
from baryon.connections.tables import ConnectionHost
from baryon.crypto import SecretBox
from baryon.sync.git import Credential

DEFAULT_USERNAMES = {"GitHubEnterpriseServer": "x-access-token", "GitLabSelfManaged": "oauth2"}
"""The user name each provider expects beside a personal access token."""


class UnknownHost(LookupError):
    """No host has this ARN."""


def find_host(db: Session, host_arn: str) -> ConnectionHost:
    parsed = parse_arn(host_arn)
    if parsed is not None and parsed[2] == "host":
        region, account, _, host_id = parsed
        found = db.get(ConnectionHost, host_id)
        if found is not None and (found.account_id, found.region) == (account, region):
            return found
    raise UnknownHost(f"No host has the ARN {host_arn}.")


def set_token(db: Session, box: SecretBox, host_arn: str, token: str, username: str | None = None) -> str:
    """Seal `token` (and the user name, by default the provider's) on the host; the user name used."""
    found = find_host(db, host_arn)
    login = username or DEFAULT_USERNAMES.get(found.provider_type, "git")
    found.credential = box.seal(json.dumps({"username": login, "token": token}))
    return login


def clear_token(db: Session, host_arn: str) -> bool:
    """Forget the host's token; whether it had one."""
    found = find_host(db, host_arn)
    had = found.credential is not None
    found.credential = None
    return had


def credential_of(box: SecretBox, host: ConnectionHost) -> Credential | None:
    if host.credential is None:
        return None
    opened = json.loads(box.open(host.credential))
    return Credential(username=opened["username"], token=opened["token"])

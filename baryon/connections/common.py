"""What the connections operations share: the two operation tables, ARNs, lookups, errors and pagination.

`@both("CreateHost")` registers one function on the `codestar-connections` and the `codeconnections` table.
Either service accepts an ARN of either name (AWS lets both APIs act on all connections).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import urlparse

from baryon.connections.tables import CodeConnection, ConnectionHost
from baryon.edge.context import Call
from baryon.edge.errors import ServiceError
from baryon.edge.operations import Handler, Operations, Result
from baryon.edge.pagination import PageTokens, Position

codestar_connections = Operations("codestar-connections")
codeconnections = Operations("codeconnections")
TABLES = (codestar_connections, codeconnections)

AVAILABLE, PENDING = "AVAILABLE", "PENDING"
HOST_PROVIDERS = frozenset({"GitHubEnterpriseServer", "GitLabSelfManaged"})
"""Provider types installed on your own infrastructure: a connection to them goes through a host."""
PUBLIC_PROVIDERS = frozenset({"GitHub", "Bitbucket", "GitLab"})
REACHABLE_SCHEMES = frozenset({"file", "http", "https"})
"""Endpoints Baryon's Git client can fetch from (a `file://` directory, smart HTTP)."""
DEFAULT_PAGE = 50

_ARN = re.compile(
    r"^arn:aws:(?P<service>codestar-connections|codeconnections):(?P<region>[^:]+):(?P<account>\d{12}):"
    r"(?P<type>host|connection)/(?P<id>.+)$"
)


def both(name: str) -> Callable[[Handler], Handler]:
    """Register one function as `name` on both services' tables."""

    def register(handler: Handler) -> Handler:
        for table in TABLES:
            table(name)(handler)
        return handler

    return register


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


def unavailable(message: str) -> ServiceError:
    return ServiceError("ResourceUnavailableException", message)


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInputException", message)


def host_arn(host: ConnectionHost) -> str:
    return f"arn:aws:{host.arn_service}:{host.region}:{host.account_id}:host/{host.id}"


def connection_arn(connection: CodeConnection) -> str:
    return f"arn:aws:{connection.arn_service}:{connection.region}:{connection.account_id}:connection/{connection.id}"


def parse_arn(arn: str) -> tuple[str, str, str, str] | None:
    """(region, account, type, id) of a host or connection ARN of either service, or None."""
    match = _ARN.match(arn)
    return (match["region"], match["account"], match["type"], match["id"]) if match else None


def reachable(endpoint: str) -> bool:
    """Whether Baryon's Git client can fetch from an endpoint of this kind (not whether it answers now)."""
    return urlparse(endpoint).scheme.lower() in REACHABLE_SCHEMES


def find_host(call: Call, arn: str) -> ConnectionHost | None:
    parsed = parse_arn(arn)
    if parsed is None or parsed[2] != "host" or parsed[:2] != (call.region, call.account_id):
        return None
    row = call.db.get(ConnectionHost, parsed[3])
    if row is None or (row.account_id, row.region) != (call.account_id, call.region):
        return None
    return row


def host(call: Call, arn: str) -> ConnectionHost:
    found = find_host(call, arn)
    if found is None:
        raise not_found(f"Host {arn} does not exist")
    return found


def find_connection(call: Call, arn: str) -> CodeConnection | None:
    parsed = parse_arn(arn)
    if parsed is None or parsed[2] != "connection" or parsed[:2] != (call.region, call.account_id):
        return None
    row = call.db.get(CodeConnection, parsed[3])
    if row is None or (row.account_id, row.region) != (call.account_id, call.region):
        return None
    return row


def connection(call: Call, arn: str) -> CodeConnection:
    found = find_connection(call, arn)
    if found is None:
        raise not_found(f"Connection {arn} does not exist")
    return found


def tags_out(tags: Sequence[dict[str, str]] | None) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags or []]


def merged_tags(current: Sequence[dict[str, str]] | None, added: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Tags after adding `added` (a key already present takes the new value); at most 200, none `aws:`."""
    keys = [t["Key"] for t in added]
    if len(set(keys)) != len(keys):
        raise invalid("Duplicate tag keys are not allowed.")
    if any(k.lower().startswith("aws:") for k in keys):
        raise invalid("Tag keys with the prefix aws: are reserved for AWS use.")
    kept = [t for t in current or [] if t["Key"] not in set(keys)]
    merged = kept + [{"Key": t["Key"], "Value": t["Value"]} for t in added]
    if len(merged) > 200:
        raise ServiceError("LimitExceededException", "A resource can have at most 200 tags.")
    return sorted(merged, key=lambda t: t["Key"])


# -- pagination ---------------------------------------------------------------------------------------------


def _scope(call: Call, parts: Sequence[object]) -> str:
    return "\x1f".join(["connections", str(call.ctx.operation), call.account_id, call.region, *map(str, parts)])


def read_token(call: Call, parts: Sequence[object]) -> Position | None:
    token = call.params.get("NextToken")
    if token is None:
        return None
    return PageTokens(call.runtime.secrets.mac).read(_scope(call, parts), token, "NextToken")


def page(call: Call, rows: list[object], key: Callable[[object], str], parts: Sequence[object]) -> tuple[list, Result]:
    """The page of `rows` (sorted by `key`) after the request's NextToken, and the NextToken member if more."""
    position = read_token(call, parts)
    if position:
        rows = [r for r in rows if key(r) > str(position[0])]
    size = int(call.params.get("MaxResults") or DEFAULT_PAGE) or DEFAULT_PAGE
    chunk = rows[:size]
    extra: Result = {}
    if len(rows) > size:
        extra["NextToken"] = PageTokens(call.runtime.secrets.mac).issue(_scope(call, parts), [key(chunk[-1])])
    return chunk, extra

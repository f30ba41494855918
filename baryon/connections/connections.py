"""Connections: CreateConnection, GetConnection, ListConnections, DeleteConnection.

A connection names either a public provider (`ProviderType` GitHub, Bitbucket or GitLab: github.com and
friends, which an offline Baryon cannot reach, so such a connection stays PENDING) or a host (`HostArn`; its
provider type is the host's). A connection through a host is AVAILABLE when the host is, PENDING otherwise.
Names are unique in an account.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from baryon.connections.common import (
    AVAILABLE,
    HOST_PROVIDERS,
    PENDING,
    both,
    connection,
    connection_arn,
    find_host,
    host_arn,
    invalid,
    merged_tags,
    page,
    tags_out,
)
from baryon.connections.tables import CodeConnection, ConnectionHost
from baryon.edge.context import Call
from baryon.edge.errors import ServiceError
from baryon.edge.operations import Result

MAX_CONNECTIONS = 250


def _shape(call: Call, row: CodeConnection) -> Result:
    shape: Result = {
        "ConnectionName": row.name,
        "ConnectionArn": connection_arn(row),
        "ProviderType": row.provider_type,
        "OwnerAccountId": row.account_id,
        "ConnectionStatus": row.status,
    }
    if row.host_id is not None:
        parent = call.db.get(ConnectionHost, row.host_id)
        if parent is not None:
            shape["HostArn"] = host_arn(parent)
    return shape


def _connections(call: Call) -> list[CodeConnection]:
    query = select(CodeConnection).where(
        CodeConnection.account_id == call.account_id, CodeConnection.region == call.region
    )
    return sorted(call.db.scalars(query), key=lambda c: c.name)


@both("CreateConnection")
def create_connection(call: Call) -> Result:
    params = call.params
    name, provider, host_arn_param = params["ConnectionName"], params.get("ProviderType"), params.get("HostArn")
    parent = None
    if host_arn_param:
        parent = find_host(call, host_arn_param)
        if parent is None:
            raise ServiceError("ResourceNotFoundException", f"Host {host_arn_param} does not exist")
        if provider and provider != parent.provider_type:
            raise invalid(f"ProviderType {provider} does not match the host's provider type {parent.provider_type}.")
        provider = parent.provider_type
    elif not provider:
        raise invalid("Either ProviderType or HostArn is required.")
    elif provider in HOST_PROVIDERS:
        raise invalid(f"A {provider} connection needs a HostArn.")
    existing = _connections(call)
    if any(c.name == name for c in existing):
        raise ServiceError("ResourceUnavailableException", f"Connection with name {name} already exists")
    if len(existing) >= MAX_CONNECTIONS:
        raise ServiceError("LimitExceededException", f"An account can have at most {MAX_CONNECTIONS} connections.")
    row = CodeConnection(
        id=str(uuid.uuid4()),
        account_id=call.account_id,
        region=call.region,
        arn_service=str(call.ctx.service),
        name=name,
        provider_type=provider,
        host_id=parent.id if parent is not None else None,
        status=AVAILABLE if parent is not None and parent.status == AVAILABLE else PENDING,
        tags=merged_tags([], params.get("Tags") or []),
        created_at=call.now,
    )
    call.db.add(row)
    call.db.flush()
    result: Result = {"ConnectionArn": connection_arn(row)}
    if row.tags:
        result["Tags"] = tags_out(row.tags)
    return result


@both("GetConnection")
def get_connection(call: Call) -> Result:
    return {"Connection": _shape(call, connection(call, call.params["ConnectionArn"]))}


@both("ListConnections")
def list_connections(call: Call) -> Result:
    params = call.params
    rows = _connections(call)
    if params.get("ProviderTypeFilter"):
        rows = [c for c in rows if c.provider_type == params["ProviderTypeFilter"]]
    host_filter = params.get("HostArnFilter")
    if host_filter:
        parent = find_host(call, host_filter)
        rows = [c for c in rows if parent is not None and c.host_id == parent.id]
    parts = [params.get("ProviderTypeFilter") or "", host_filter or ""]
    chunk, extra = page(call, list(rows), lambda c: c.name, parts)
    return {"Connections": [_shape(call, c) for c in chunk], **extra}


@both("DeleteConnection")
def delete_connection(call: Call) -> Result:
    call.db.delete(connection(call, call.params["ConnectionArn"]))
    return {}

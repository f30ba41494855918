"""Hosts: CreateHost, GetHost, ListHosts, DeleteHost.

A host stands for a self-managed Git server. Baryon decides its status when it is created: AVAILABLE when its
`ProviderEndpoint` is a URL Baryon's Git client can fetch from (`file://`, `http://`, `https://`), PENDING
otherwise (AWS's hosts stay PENDING until set up in the console; there is no console here). Whether the
server answers is found out by whoever uses it: template sync records an unreachable host on its sync status.
A host can be deleted only when no connection uses it.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from baryon.connections.common import (
    AVAILABLE,
    HOST_PROVIDERS,
    PENDING,
    both,
    host,
    host_arn,
    invalid,
    merged_tags,
    page,
    reachable,
    tags_out,
)
from baryon.connections.tables import CodeConnection, ConnectionHost
from baryon.edge.context import Call
from baryon.edge.errors import ServiceError
from baryon.edge.operations import Result

MAX_HOSTS = 100


def _shape(row: ConnectionHost, with_arn: bool = True) -> Result:
    shape: Result = {
        "Name": row.name,
        "ProviderType": row.provider_type,
        "ProviderEndpoint": row.endpoint,
        "Status": row.status,
    }
    if with_arn:
        shape["HostArn"] = host_arn(row)
        if row.status_message:
            shape["StatusMessage"] = row.status_message
    if row.vpc_configuration:
        shape["VpcConfiguration"] = row.vpc_configuration
    return shape


def _hosts(call: Call) -> list[ConnectionHost]:
    query = select(ConnectionHost).where(
        ConnectionHost.account_id == call.account_id, ConnectionHost.region == call.region
    )
    return sorted(call.db.scalars(query), key=lambda h: h.id)


@both("CreateHost")
def create_host(call: Call) -> Result:
    params = call.params
    provider = params["ProviderType"]
    if provider not in HOST_PROVIDERS:
        raise invalid(f"ProviderType {provider} does not use hosts; use one of {', '.join(sorted(HOST_PROVIDERS))}.")
    if len(_hosts(call)) >= MAX_HOSTS:
        raise ServiceError("LimitExceededException", f"An account can have at most {MAX_HOSTS} hosts.")
    endpoint = params["ProviderEndpoint"]
    ok = reachable(endpoint)
    row = ConnectionHost(
        id=f"{params['Name']}-{secrets.token_hex(4)}",
        account_id=call.account_id,
        region=call.region,
        arn_service=str(call.ctx.service),
        name=params["Name"],
        provider_type=provider,
        endpoint=endpoint,
        status=AVAILABLE if ok else PENDING,
        status_message=None if ok else "Baryon can fetch only file://, http:// and https:// endpoints.",
        vpc_configuration=params.get("VpcConfiguration"),
        tags=merged_tags([], params.get("Tags") or []),
        created_at=call.now,
    )
    call.db.add(row)
    call.db.flush()
    result: Result = {"HostArn": host_arn(row)}
    if row.tags:
        result["Tags"] = tags_out(row.tags)
    return result


@both("GetHost")
def get_host(call: Call) -> Result:
    return _shape(host(call, call.params["HostArn"]), with_arn=False)


@both("ListHosts")
def list_hosts(call: Call) -> Result:
    chunk, extra = page(call, list(_hosts(call)), lambda h: h.id, [])
    return {"Hosts": [_shape(h) for h in chunk], **extra}


@both("DeleteHost")
def delete_host(call: Call) -> Result:
    row = host(call, call.params["HostArn"])
    used = call.db.scalars(select(CodeConnection.name).where(CodeConnection.host_id == row.id)).first()
    if used is not None:
        raise ServiceError(
            "ResourceUnavailableException", f"Host {host_arn(row)} is used by the connection {used}; delete it first."
        )
    call.db.delete(row)
    return {}

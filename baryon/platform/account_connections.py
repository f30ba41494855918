"""Environment account connections: Create/Get/List/Update/Delete/Accept/RejectEnvironmentAccountConnection.

A connection lets an environment created in a *management account* provision its infrastructure in another,
*environment account*, through an IAM role of that account. The environment account requests it (PENDING,
ARN `arn:aws:proton:REGION:ENV_ACCOUNT:environment-account-connection/UUID`); the management account it
names, in the same region, accepts (CONNECTED) or rejects (REJECTED) it. Both sides can read it; only the
environment account updates, deletes and tags it; only the management account accepts or rejects it. Anyone
else is told it does not exist.

Where the user guide is silent, Baryon decides:

* Create needs `roleArn` (the model makes it optional, but every connection shape requires it and connections
  support only AWS-managed CloudFormation provisioning). Every role must be an IAM role of the environment
  account. The management account must be an active Baryon account other than the caller (a connection to
  oneself is pointless: an environment uses its own account through `protonServiceRoleArn`).
* The quota (5 per environment account and region) counts every connection that exists, REJECTED ones
  included: the environment account frees room by deleting them. At most one PENDING or CONNECTED connection
  per management account and environment name (ConflictException); a REJECTED one does not block a new request.
* Accept and Reject are idempotent, as the model marks them: accepting a CONNECTED connection or rejecting a
  REJECTED one returns it unchanged. A REJECTED connection can never be accepted (ValidationException). A
  CONNECTED one may be rejected (the management account's way to revoke it, since it can't delete it), unless an
  environment uses it (ConflictException, see `CONNECTION_USERS`).
* The side that can see a connection but may not perform the action (the environment account accepting, the
  management account updating...) gets a ValidationException.
* A connection an environment uses can be neither rejected nor deleted (ConflictException naming the
  environment): the guide lets AWS's environment account delete one in use, stranding the environment's
  infrastructure until a new connection is accepted; Baryon refuses instead. The deleted connection is returned
  as it was.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from baryon.edge.context import Call
from baryon.edge.errors import ServiceError
from baryon.edge.operations import Result
from baryon.org.tables import Account
from baryon.platform import tags
from baryon.platform.common import conflict, invalid, merged_tags, not_found, page_of, page_size, proton, read_token
from baryon.platform.environment_tables import AccountConnection

PENDING, CONNECTED, REJECTED = "PENDING", "CONNECTED", "REJECTED"
LIVE = (PENDING, CONNECTED)
QUOTA = 5
"""Connections per environment account and region (AWS Proton quotas)."""
ROLE_MEMBERS = {
    "roleArn": "role_arn",
    "componentRoleArn": "component_role_arn",
    "codebuildRoleArn": "codebuild_role_arn",
}
"""The role members of Create and Update, and their columns."""

ConnectionUser = Callable[[Call, AccountConnection], str | None]
CONNECTION_USERS: list[ConnectionUser] = []
"""Providers of resources that use a connection (environments) append a check here: it returns what uses the
connection (e.g. "environment prod"), or None. Reject refuses a connection in use."""


# -- ARNs, shapes, lookups -------------------------------------------------------------------------------------


def connection_arn(row: AccountConnection) -> str:
    return f"arn:aws:proton:{row.region}:{row.account_id}:environment-account-connection/{row.id}"


def shape(row: AccountConnection, summary: bool = False) -> Result:
    result: Result = {
        "arn": connection_arn(row),
        "id": row.id,
        "environmentAccountId": row.account_id,
        "managementAccountId": row.management_account_id,
        "environmentName": row.environment_name,
        "roleArn": row.role_arn,
        "status": row.status,
        "requestedAt": row.requested_at,
        "lastModifiedAt": row.updated_at,
    }
    optional = {"componentRoleArn": row.component_role_arn}
    if not summary:
        optional["codebuildRoleArn"] = row.codebuild_role_arn
    result.update({k: v for k, v in optional.items() if v is not None})
    return result


def find_connection(call: Call, connection_id: str, lock: bool = False) -> AccountConnection | None:
    """The connection if the caller can see it: it is in the caller's region and the caller is its environment
    or management account."""
    query = select(AccountConnection).where(
        AccountConnection.id == connection_id,
        AccountConnection.region == call.region,
        or_(
            AccountConnection.account_id == call.account_id, AccountConnection.management_account_id == call.account_id
        ),
    )
    return call.db.scalars(query.with_for_update() if lock else query).first()


def _visible(call: Call, connection_id: str, lock: bool = False) -> AccountConnection:
    found = find_connection(call, connection_id, lock)
    if found is None:
        raise not_found(f"The environment account connection {connection_id} was not found.")
    return found


def _owned(call: Call, verb: str) -> AccountConnection:
    """A connection the caller may change: only its environment account can."""
    row = _visible(call, call.params["id"], lock=True)
    if row.account_id != call.account_id:
        raise invalid(
            f"Only the environment account {row.account_id} can {verb} the environment account connection {row.id}."
        )
    return row


def _managed(call: Call, verb: str) -> AccountConnection:
    """A connection the caller may accept or reject: only its management account can."""
    row = _visible(call, call.params["id"], lock=True)
    if row.management_account_id != call.account_id:
        raise invalid(
            f"Only the management account {row.management_account_id} can {verb} the environment account "
            f"connection {row.id}."
        )
    return row


# -- Create ----------------------------------------------------------------------------------------------------


def _digest(params: dict[str, Any]) -> str:
    """What makes two create requests "the same" for the client token: every member but the token."""
    relevant = {k: v for k, v in params.items() if k != "clientToken"}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


def _replayed(call: Call, token: str, digest: str) -> AccountConnection | None:
    """The connection an earlier create with this client token made; ConflictException if its input differed."""
    query = select(AccountConnection).where(
        AccountConnection.account_id == call.account_id,
        AccountConnection.region == call.region,
        AccountConnection.client_token == token,
    )
    earlier = call.db.scalars(query).first()
    if earlier is not None and earlier.request_digest != digest:
        raise conflict(f"The client token {token} was already used with different parameters.")
    return earlier


def _roles(call: Call) -> dict[str, str]:
    """The role members given, each checked to be an IAM role of the environment account (the caller)."""
    given = {member: call.params[member] for member in ROLE_MEMBERS if call.params.get(member) is not None}
    for member, arn in given.items():
        if not arn.startswith(f"arn:aws:iam::{call.account_id}:role/"):
            raise invalid(f"The {member} {arn} is not an IAM role of the environment account {call.account_id}.")
    return given


def _check_management_account(call: Call, account_id: str) -> None:
    if account_id == call.account_id:
        raise invalid(
            f"The management account can't be the environment account {account_id}: an environment provisions in "
            "its own account with protonServiceRoleArn."
        )
    found = call.db.get(Account, account_id)
    if found is None or found.status != "ACTIVE":
        raise invalid(f"The management account {account_id} does not exist or is not active.")


def _check_room(call: Call, management_account_id: str, environment_name: str) -> None:
    """One live connection per management account and environment name; `QUOTA` connections in all."""
    mine = (AccountConnection.account_id == call.account_id, AccountConnection.region == call.region)
    twin = select(AccountConnection.id).where(
        *mine,
        AccountConnection.management_account_id == management_account_id,
        AccountConnection.environment_name == environment_name,
        AccountConnection.status.in_(LIVE),
    )
    existing = call.db.scalars(twin).first()
    if existing is not None:
        raise conflict(
            f"The environment account connection {existing} already connects environment {environment_name} of "
            f"management account {management_account_id}."
        )
    count = call.db.scalar(select(func.count()).select_from(AccountConnection).where(*mine)) or 0
    if count >= QUOTA:
        raise ServiceError(
            "ServiceQuotaExceededException",
            f"An environment account can have at most {QUOTA} environment account connections per region; delete "
            "one first.",
        )


@proton("CreateEnvironmentAccountConnection")
def create_connection(call: Call) -> Result:
    params = call.params
    token, digest = params.get("clientToken") or None, _digest(params)
    call.db.get(Account, call.account_id, with_for_update=True)  # serializes this account's creates (PostgreSQL)
    earlier = _replayed(call, token, digest) if token else None
    if earlier is not None:
        return {"environmentAccountConnection": shape(earlier)}
    if params.get("roleArn") is None:
        raise invalid("roleArn is required: the IAM role of the environment account Proton provisions with.")
    roles = _roles(call)
    management, name = params["managementAccountId"], params["environmentName"]
    _check_management_account(call, management)
    _check_room(call, management, name)
    row = AccountConnection(
        id=str(uuid.uuid4()),
        account_id=call.account_id,
        region=call.region,
        management_account_id=management,
        environment_name=name,
        status=PENDING,
        client_token=token,
        request_digest=digest,
        tags=merged_tags([], params.get("tags") or []),
        requested_at=call.now,
        updated_at=call.now,
        **{ROLE_MEMBERS[member]: arn for member, arn in roles.items()},
    )
    call.db.add(row)
    call.db.flush()
    return {"environmentAccountConnection": shape(row)}


# -- Get, List ---------------------------------------------------------------------------------------------------


@proton("GetEnvironmentAccountConnection")
def get_connection(call: Call) -> Result:
    return {"environmentAccountConnection": shape(_visible(call, call.params["id"]))}


@proton("ListEnvironmentAccountConnections")
def list_connections(call: Call) -> Result:
    """`requestedBy` says which side the caller lists from: MANAGEMENT_ACCOUNT, the connections naming it as
    management account; ENVIRONMENT_ACCOUNT, those it requested. Oldest first."""
    params = call.params
    statuses = sorted(set(params.get("statuses") or []))
    parts = [params["requestedBy"], params.get("environmentName") or "", ",".join(statuses)]
    position = read_token(call, parts)
    side = AccountConnection.management_account_id
    if params["requestedBy"] == "ENVIRONMENT_ACCOUNT":
        side = AccountConnection.account_id
    query = select(AccountConnection).where(side == call.account_id, AccountConnection.region == call.region)
    if params.get("environmentName"):
        query = query.where(AccountConnection.environment_name == params["environmentName"])
    if statuses:
        query = query.where(AccountConnection.status.in_(statuses))
    if position:
        after, after_id = datetime.fromisoformat(str(position[0])), str(position[1])
        query = query.where(
            or_(
                AccountConnection.requested_at > after,
                (AccountConnection.requested_at == after) & (AccountConnection.id > after_id),
            )
        )
    size = page_size(call)
    rows = list(call.db.scalars(query.order_by(AccountConnection.requested_at, AccountConnection.id).limit(size + 1)))
    chunk, token = page_of(call, rows, size, lambda r: [r.requested_at.isoformat(), r.id], parts)
    result: Result = {"environmentAccountConnections": [shape(r, summary=True) for r in chunk]}
    if token:
        result["nextToken"] = token
    return result


# -- Update, Delete (environment account) -----------------------------------------------------------------------


@proton("UpdateEnvironmentAccountConnection")
def update_connection(call: Call) -> Result:
    row = _owned(call, "update")
    for member, arn in _roles(call).items():
        setattr(row, ROLE_MEMBERS[member], arn)
    row.updated_at = call.now
    return {"environmentAccountConnection": shape(row)}


@proton("DeleteEnvironmentAccountConnection")
def delete_connection(call: Call) -> Result:
    row = _owned(call, "delete")
    _refuse_in_use(call, row, "deleted")
    result = shape(row)
    call.db.delete(row)
    return {"environmentAccountConnection": result}


# -- Accept, Reject (management account) ------------------------------------------------------------------------


@proton("AcceptEnvironmentAccountConnection")
def accept_connection(call: Call) -> Result:
    row = _managed(call, "accept")
    if row.status == REJECTED:
        raise invalid(f"The environment account connection {row.id} was rejected; it can't be accepted.")
    if row.status == PENDING:
        row.status, row.updated_at = CONNECTED, call.now
    return {"environmentAccountConnection": shape(row)}


@proton("RejectEnvironmentAccountConnection")
def reject_connection(call: Call) -> Result:
    row = _managed(call, "reject")
    if row.status != REJECTED:
        _refuse_in_use(call, row, "rejected")
        row.status, row.updated_at = REJECTED, call.now
    return {"environmentAccountConnection": shape(row)}


def _refuse_in_use(call: Call, row: AccountConnection, verb: str) -> None:
    for check in CONNECTION_USERS:
        user = check(call, row)
        if user is not None:
            raise conflict(
                f"The environment account connection {row.id} can't be {verb}: {user} uses it. Delete that first."
            )


# -- Tags (environment account only, as the guide says) --------------------------------------------------------


def _tagged(call: Call, arn_type: str, rest: str) -> AccountConnection | None:
    row = find_connection(call, rest)
    return row if row is not None and row.account_id == call.account_id else None


tags.FINDERS["environment-account-connection"] = _tagged

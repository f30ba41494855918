"""Deployments: GetDeployment, ListDeployments, DeleteDeployment.

Every change that provisions is a *deployment* with its history: the state it started from (`initialState`),
the state it aimed at (`targetState`), its status and when it completed. An environment's deployments stay
after the environment is deleted, until deleted themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.platform.common import conflict, invalid, issue_token, not_found, page_size, proton, read_token
from baryon.platform.environment_tables import Environment
from baryon.platform.environments import deployment_arn
from baryon.provisioning.tables import Deployment


def _state(state: dict[str, Any] | None) -> Result | None:
    if not state:
        return None
    environment = {k: v for k, v in state.items() if v is not None}
    return {"environment": environment}


def shape(row: Deployment, summary: bool = False) -> Result:
    result: Result = {
        "arn": deployment_arn(row),
        "id": row.id,
        "createdAt": row.created_at,
        "lastModifiedAt": row.updated_at,
        "deploymentStatus": row.status,
        "environmentName": row.environment_name,
        "targetArn": row.target_arn,
        "targetResourceType": row.target_type,
        "targetResourceCreatedAt": row.created_at,
    }
    if row.completed_at is not None:
        result["completedAt"] = row.completed_at
    if not summary:
        if row.status_message:
            result["deploymentStatusMessage"] = row.status_message
        for member, state in (("initialState", row.initial_state), ("targetState", row.target_state)):
            if _state(state):
                result[member] = _state(state)
    return result


def _visible(call: Call, deployment_id: str) -> Deployment:
    row = call.db.get(Deployment, deployment_id)
    if row is None or (row.account_id, row.region) != (call.account_id, call.region):
        raise not_found(f"The deployment {deployment_id} was not found.")
    return row


@proton("GetDeployment")
def get_deployment(call: Call) -> Result:
    row = _visible(call, call.params["id"])
    wanted = call.params.get("environmentName")
    if wanted and wanted != row.environment_name:
        raise not_found(f"The deployment {row.id} was not found for the environment {wanted}.")
    return {"deployment": shape(row)}


@proton("ListDeployments")
def list_deployments(call: Call) -> Result:
    """Newest first; filtered by environment (services and components have no deployments yet)."""
    params = call.params
    if params.get("serviceName") or params.get("serviceInstanceName") or params.get("componentName"):
        return {"deployments": []}
    name = params.get("environmentName")
    position = read_token(call, [name or ""])
    query = select(Deployment).where(Deployment.account_id == call.account_id, Deployment.region == call.region)
    if name:
        query = query.where(Deployment.environment_name == name)
    if position:
        query = query.where(
            (Deployment.created_at < _time(position[0]))
            | ((Deployment.created_at == _time(position[0])) & (Deployment.id < str(position[1])))
        )
    size = page_size(call)
    rows = list(call.db.scalars(query.order_by(Deployment.created_at.desc(), Deployment.id.desc()).limit(size + 1)))
    result: Result = {"deployments": [shape(r, summary=True) for r in rows[:size]]}
    if len(rows) > size:
        last = rows[size - 1]
        result["nextToken"] = issue_token(call, [name or ""], [last.created_at.isoformat(), last.id])
    return result


def _time(text: object) -> datetime:
    return datetime.fromisoformat(str(text))


@proton("DeleteDeployment")
def delete_deployment(call: Call) -> Result:
    row = _visible(call, call.params["id"])
    if not row.finished:
        raise conflict(f"The deployment {row.id} is {row.status}; it can be deleted once it ends.")
    current = call.db.scalars(
        select(Environment.name).where(
            Environment.account_id == row.account_id, Environment.region == row.region,
            Environment.name == row.environment_name, Environment.last_succeeded_deployment_id == row.id,
        )
    ).first()  # fmt: skip
    if current:
        raise invalid(f"The deployment {row.id} holds the current state of the environment {current}.")
    result = shape(row)
    call.db.delete(row)
    return {"deployment": result}

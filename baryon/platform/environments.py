"""Environments: CreateEnvironment, GetEnvironment, ListEnvironments, UpdateEnvironment, DeleteEnvironment,
CancelEnvironmentDeployment, ListEnvironmentOutputs, ListEnvironmentProvisionedResources.

An environment is created from a PUBLISHED environment template version with a spec the version's schema
accepts. Its infrastructure goes to the caller's own account through `protonServiceRoleArn`, or to another
account through a CONNECTED environment account connection (the connection's `roleArn`). Every change that
provisions queues a deployment (see `baryon.provisioning`) and answers at once with `IN_PROGRESS`; while one is
in progress, updates and deletes are refused with ConflictException.

Update's `deploymentType`: NONE changes only metadata (description); CURRENT_VERSION redeploys the current
version with a new spec; MINOR_VERSION deploys the major's recommended minor (or the given one);
MAJOR_VERSION deploys the template's recommended version (or the given, higher, major).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.platform.account_connections import CONNECTION_USERS
from baryon.platform.common import (
    ENVIRONMENT,
    PUBLISHED,
    conflict,
    find_template,
    invalid,
    issue_token,
    not_found,
    page_size,
    proton,
    read_token,
    versions_of,
)
from baryon.platform.environment_tables import AccountConnection, Environment
from baryon.platform.tables import ProtonTemplate, ProtonTemplateVersion
from baryon.platform.versions import USAGE_CHECKS
from baryon.provisioning import rendering
from baryon.provisioning.clouds import RoleRefused, cloud_of
from baryon.provisioning.guardrails import read_role_policies
from baryon.provisioning.tables import Deployment
from baryon.provisioning.workflow import (
    CANCELLING,
    DELETE_IN_PROGRESS,
    IN_PROGRESS,
    QUEUED,
)
from baryon.templates import BundleError

BUSY = (IN_PROGRESS, DELETE_IN_PROGRESS, CANCELLING)


def environment_arn(row: Environment) -> str:
    return f"arn:aws:proton:{row.region}:{row.account_id}:environment/{row.name}"


def deployment_arn(row: Deployment) -> str:
    return f"arn:aws:proton:{row.region}:{row.account_id}:deployment/{row.id}"


SUMMARY_SKIPS = (Environment.spec, Environment.outputs, Environment.provisioned_resources, Environment.tags)
"""Columns an environment summary never shows: a listing leaves them unread."""


def shape(row: Environment, summary: bool = False) -> Result:
    result: Result = {
        "arn": environment_arn(row),
        "name": row.name,
        "createdAt": row.created_at,
        "deploymentStatus": row.deployment_status,
        "lastDeploymentAttemptedAt": row.last_attempted_at or row.created_at,
        "lastDeploymentSucceededAt": row.last_succeeded_at or row.created_at,
        "templateName": row.template_name,
        "templateMajorVersion": str(row.template_major),
        "templateMinorVersion": str(row.template_minor),
        "environmentAccountId": row.environment_account_id,
    }
    optional = {
        "description": row.description,
        "deploymentStatusMessage": row.deployment_status_message,
        "environmentAccountConnectionId": row.connection_id,
        "protonServiceRoleArn": row.proton_service_role_arn,
        "componentRoleArn": row.component_role_arn,
        "lastAttemptedDeploymentId": row.last_attempted_deployment_id,
        "lastSucceededDeploymentId": row.last_succeeded_deployment_id,
        "provisioning": row.provisioning,
    }
    if not summary:
        optional["spec"] = row.spec
        optional["codebuildRoleArn"] = row.codebuild_role_arn
    result.update({k: v for k, v in optional.items() if v is not None})
    return result


_ENVIRONMENT = select(Environment).where(
    Environment.account_id == bindparam("account_id"),
    Environment.region == bindparam("region"),
    Environment.name == bindparam("name"),
)
"""Built once: every environment request looks its environment up."""


def find_environment(call: Call, name: str) -> Environment | None:
    return call.db.scalars(_ENVIRONMENT, {"account_id": call.account_id, "region": call.region, "name": name}).first()


def environment(call: Call, name: str) -> Environment:
    found = find_environment(call, name)
    if found is None:
        raise not_found(f"The environment {name} was not found.")
    return found


# -- what a deployment targets ------------------------------------------------------------------------------


def _published(call: Call, template_name: str, major: str | None, minor: str | None) -> ProtonTemplateVersion:
    """The PUBLISHED version a deployment targets: the given one, the major's recommended minor, or the
    template's recommended version."""
    parent = find_template(call, ENVIRONMENT, template_name)
    if parent is None:
        raise not_found(f"The environment template {template_name} was not found.")
    if parent.provisioning is not None:
        raise invalid(
            f"The environment template {template_name} is customer-managed (provisioningRepository); Baryon "
            "doesn't provision self-managed environments yet."
        )
    versions = versions_of(call, parent, bundles=False)  # the workers read the one bundle they deploy
    published = [v for v in versions if v.status == PUBLISHED]
    if major is None:
        if not published:
            raise invalid(f"The environment template {template_name} has no published version.")
        major = str(max(v.major for v in published))
    candidates = [v for v in published if v.major == int(major)]
    if minor is not None:
        label = f"{template_name}:{major}.{minor}"
        exact = [v for v in versions if v.major == int(major) and v.minor == int(minor)]
        if not exact:
            raise not_found(f"The environment template version {label} was not found.")
        if exact[0].status != PUBLISHED:
            raise invalid(f"The environment template version {label} is {exact[0].status}; only a PUBLISHED "
                          "version can be deployed.")  # fmt: skip
        return exact[0]
    if not candidates:
        raise invalid(f"The environment template {template_name} has no published version in major version {major}.")
    return max(candidates, key=lambda v: v.minor)


def _check_spec(version: ProtonTemplateVersion, spec: str) -> None:
    try:
        rendering.check_environment_spec(version.schema or "", spec)
    except BundleError as error:
        raise invalid(f"The spec is not valid for this template version: {error.message}") from None


def _target(call: Call, params: dict[str, Any], row: Environment | None) -> tuple[str, str | None, str | None]:
    """(account whose cloud holds the infrastructure, role Baryon assumes there, connection id)."""
    connection_id = params.get("environmentAccountConnectionId")
    role_arn = params.get("protonServiceRoleArn")
    if connection_id and role_arn:
        raise invalid("Specify either environmentAccountConnectionId or protonServiceRoleArn, not both.")
    if params.get("provisioningRepository") is not None:
        raise invalid("Self-managed provisioning (provisioningRepository) isn't available in Baryon yet.")
    if row is not None and not connection_id and not role_arn:
        return row.environment_account_id, _role_of(call, row), row.connection_id
    if connection_id:
        connection = call.db.get(AccountConnection, connection_id)
        if connection is None or connection.management_account_id != call.account_id:
            raise invalid(f"The environment account connection {connection_id} was not found for this account.")
        if connection.region != call.region:
            raise invalid(f"The environment account connection {connection_id} is in another region.")
        if connection.status != "CONNECTED":
            raise invalid(f"The environment account connection {connection_id} is {connection.status}, not CONNECTED.")
        name = params.get("name") or (row.name if row else "")
        if connection.environment_name != name:
            raise invalid(
                f"The environment account connection {connection_id} is for the environment "
                f"{connection.environment_name}, not {name}."
            )
        if row is not None and connection.account_id != row.environment_account_id:
            raise invalid("An environment can only move to a connection of the same environment account.")
        if not connection.role_arn:
            raise invalid(f"The environment account connection {connection_id} has no roleArn.")
        return connection.account_id, connection.role_arn, connection.id
    if not role_arn:
        raise invalid("Specify environmentAccountConnectionId or protonServiceRoleArn.")
    if f"::{call.account_id}:role/" not in role_arn:
        raise invalid(f"The protonServiceRoleArn {role_arn} must be a role of this account ({call.account_id}).")
    return call.account_id, role_arn, None


def _role_of(call: Call, row: Environment) -> str | None:
    if row.connection_id:
        connection = call.db.get(AccountConnection, row.connection_id)
        if connection is None or connection.status != "CONNECTED":
            raise invalid(f"The environment account connection of {row.name} is no longer CONNECTED.")
        return connection.role_arn
    return row.proton_service_role_arn


def _check_role(call: Call, account_id: str, role_arn: str | None) -> None:
    """The target cloud lets Baryon act as the role (a ValidationException before anything is deployed). The
    role's policies are read now too, for the deployment's guardrail check (see `guardrails.role_policies`)."""
    cloud = cloud_of(call.db, call.runtime.settings, account_id, call.region)
    try:
        session = cloud.verify(role_arn or "")
    except RoleRefused as refused:
        raise invalid(str(refused)) from None
    read_role_policies(cloud, session, role_arn or "")


def _queue(
    call: Call, row: Environment, operation: str, version: ProtonTemplateVersion | None, spec: str | None,
    role_arn: str | None,
) -> Deployment:  # fmt: skip
    now = call.now
    initial = None
    if row.last_succeeded_deployment_id:
        initial = {"templateName": row.template_name, "templateMajorVersion": str(row.template_major),
                   "templateMinorVersion": str(row.template_minor), "spec": row.spec}  # fmt: skip
    target: dict[str, Any] = dict(initial or {})
    if version is not None:
        target = {"templateName": row.template_name,  # the version was looked up by this name
                  "templateMajorVersion": str(version.major), "templateMinorVersion": str(version.minor),
                  "spec": spec}  # fmt: skip
    deployment = Deployment(
        id=str(uuid.uuid4()), account_id=row.account_id, region=row.region, target_type="ENVIRONMENT",
        target_name=row.name, target_arn=environment_arn(row), environment_name=row.name, operation=operation,
        status=DELETE_IN_PROGRESS if operation == "DELETE" else IN_PROGRESS, initial_state=initial,
        target_state=target, cloud_account_id=row.environment_account_id, role_arn=role_arn,
        stack_name=row.stack_name or stack_name(row.name), step=QUEUED, events=[], outputs=[], resources=[],
        created_at=now, updated_at=now,
    )  # fmt: skip
    call.db.add(deployment)
    row.deployment_status = deployment.status
    row.deployment_status_message = None
    row.last_attempted_at = now
    row.last_attempted_deployment_id = deployment.id
    row.updated_at = now
    call.db.info.setdefault("after_commit", []).append(call.runtime.provisioning.wake)
    return deployment


def stack_name(environment_name: str) -> str:
    """The environment's CloudFormation stack (one per environment, as Proton names it)."""
    return f"AWSProton-{environment_name}-cloudformation"[:128]


# -- operations --------------------------------------------------------------------------------------------


@proton("CreateEnvironment")
def create_environment(call: Call) -> Result:
    params = call.params
    name = params["name"]
    if find_environment(call, name) is not None:
        raise conflict(f"An environment with the name {name} already exists.")
    version = _published(
        call, params["templateName"], params["templateMajorVersion"], params.get("templateMinorVersion")
    )
    _check_spec(version, params["spec"])
    account_id, role_arn, connection_id = _target(call, params, None)
    _check_role(call, account_id, role_arn)
    now = call.now
    row = Environment(
        account_id=call.account_id, region=call.region, name=name, description=params.get("description"),
        template_name=params["templateName"], template_major=version.major, template_minor=version.minor,
        spec=params["spec"], proton_service_role_arn=params.get("protonServiceRoleArn"), connection_id=connection_id,
        environment_account_id=account_id, component_role_arn=params.get("componentRoleArn"),
        codebuild_role_arn=params.get("codebuildRoleArn"), deployment_status=IN_PROGRESS, outputs=[],
        provisioned_resources=[], stack_name=stack_name(name), tags=list(params.get("tags") or []),
        created_at=now, updated_at=now,
    )  # fmt: skip
    _queue(call, row, "CREATE", version, params["spec"], role_arn)
    call.db.add(row)  # last: the rows are written together at commit, holding SQLite's writer turn briefly
    return {"environment": shape(row)}


@proton("GetEnvironment")
def get_environment(call: Call) -> Result:
    return {"environment": shape(environment(call, call.params["name"]))}


@proton("ListEnvironments")
def list_environments(call: Call) -> Result:
    filters = [(f["templateName"], int(f["majorVersion"])) for f in call.params.get("environmentTemplates") or []]
    position = read_token(call, [sorted(filters)])
    query = (
        select(Environment)
        .options(*(defer(column) for column in SUMMARY_SKIPS))
        .where(Environment.account_id == call.account_id, Environment.region == call.region)
    )
    if position:
        query = query.where(Environment.name > str(position[0]))
    size = page_size(call)
    rows: list[Environment] = []
    for row in call.db.scalars(query.order_by(Environment.name).limit(size + 1 if not filters else None)):
        if not filters or (row.template_name, row.template_major) in filters:
            rows.append(row)
        if len(rows) > size:
            break
    result: Result = {"environments": [shape(r, summary=True) for r in rows[:size]]}
    if len(rows) > size:
        result["nextToken"] = issue_token(call, [sorted(filters)], [rows[size - 1].name])
    return result


@proton("UpdateEnvironment")
def update_environment(call: Call) -> Result:
    params = call.params
    row = environment(call, params["name"])
    if row.deployment_status in BUSY:
        raise conflict(f"The environment {row.name} has a deployment {row.deployment_status}; wait or cancel it.")
    kind = params["deploymentType"]
    major, minor = params.get("templateMajorVersion"), params.get("templateMinorVersion")
    if "description" in params:
        row.description = params["description"] or None
    if kind == "NONE":
        if major or minor or params.get("spec"):
            raise invalid("deploymentType NONE updates only metadata; omit spec and template versions.")
        for member in ("componentRoleArn", "codebuildRoleArn"):
            if params.get(member):
                setattr(row, "component_role_arn" if member == "componentRoleArn" else "codebuild_role_arn",
                        params[member])  # fmt: skip
        row.updated_at = call.now
        return {"environment": shape(row)}
    version = _version_for_update(call, row, kind, major, minor)
    spec = params.get("spec") or row.spec or ""
    _check_spec(version, spec)
    account_id, role_arn, connection_id = _target(call, {**params, "name": row.name}, row)
    _check_role(call, account_id, role_arn)
    if params.get("protonServiceRoleArn"):
        row.proton_service_role_arn, row.connection_id = params["protonServiceRoleArn"], None
    elif connection_id:
        row.connection_id = connection_id
    _queue(call, row, "UPDATE", version, spec, role_arn)
    return {"environment": shape(row)}


def _version_for_update(
    call: Call, row: Environment, kind: str, major: str | None, minor: str | None
) -> ProtonTemplateVersion:
    if kind == "CURRENT_VERSION":
        if major or minor:
            raise invalid("deploymentType CURRENT_VERSION redeploys the current version; omit the template versions.")
        return _published(call, row.template_name, str(row.template_major), str(row.template_minor))
    if kind == "MINOR_VERSION":
        if major and int(major) != row.template_major:
            raise invalid("deploymentType MINOR_VERSION stays in the current major version; use MAJOR_VERSION.")
        return _published(call, row.template_name, str(row.template_major), minor)
    if major is not None and int(major) <= row.template_major:
        raise invalid(f"deploymentType MAJOR_VERSION needs a major version higher than {row.template_major}.")
    if major is None:
        version = _published(call, row.template_name, None, None)
        if version.major <= row.template_major:
            raise invalid(f"The environment template {row.template_name} has no published major version higher "
                          f"than {row.template_major}.")  # fmt: skip
        return version
    return _published(call, row.template_name, major, minor)


@proton("DeleteEnvironment")
def delete_environment(call: Call) -> Result:
    row = environment(call, call.params["name"])
    if row.deployment_status in BUSY:
        raise conflict(f"The environment {row.name} has a deployment {row.deployment_status}; wait or cancel it.")
    role_arn = _role_of(call, row) if row.connection_id else row.proton_service_role_arn
    _queue(call, row, "DELETE", None, None, role_arn)
    return {"environment": shape(row)}


@proton("CancelEnvironmentDeployment")
def cancel_environment_deployment(call: Call) -> Result:
    row = environment(call, call.params["environmentName"])
    deployment = call.db.get(Deployment, row.last_attempted_deployment_id or "")
    if deployment is None or deployment.finished or deployment.operation != "UPDATE":
        raise invalid(f"The environment {row.name} has no update deployment in progress to cancel.")
    deployment.cancel_requested = True
    deployment.status = row.deployment_status = CANCELLING
    return {"environment": shape(row)}


def _deployment_for(call: Call, row: Environment, deployment_id: str | None) -> Deployment | None:
    wanted = deployment_id or row.last_succeeded_deployment_id
    found = call.db.get(Deployment, wanted) if wanted else None
    if found is not None and (found.account_id, found.environment_name) != (call.account_id, row.name):
        return None
    return found


@proton("ListEnvironmentOutputs")
def list_environment_outputs(call: Call) -> Result:
    row = environment(call, call.params["environmentName"])
    if call.params.get("deploymentId"):
        found = _deployment_for(call, row, call.params["deploymentId"])
        if found is None:
            raise not_found(f"The deployment {call.params['deploymentId']} was not found.")
        return {"outputs": list(found.outputs or [])}
    return {"outputs": list(row.outputs or [])}


@proton("ListEnvironmentProvisionedResources")
def list_environment_provisioned_resources(call: Call) -> Result:
    row = environment(call, call.params["environmentName"])
    resources = [
        {"name": r["logicalId"], "identifier": r["physicalId"], "provisioningEngine": "CLOUDFORMATION"}
        for r in row.provisioned_resources or []
    ]
    return {"provisionedResources": resources}


# -- what uses what ------------------------------------------------------------------------------------------


def _environment_on_version(
    call: Call, kind: Any, parent: ProtonTemplate, version: ProtonTemplateVersion
) -> str | None:
    if kind is not ENVIRONMENT:
        return None
    query = select(Environment.name).where(
        Environment.account_id == parent.account_id, Environment.region == parent.region,
        Environment.template_name == parent.name, Environment.template_major == version.major,
        Environment.template_minor == version.minor,
    ).limit(1)  # fmt: skip
    name = call.db.scalars(query).first()
    return f"environment {name}" if name else None


USAGE_CHECKS.append(_environment_on_version)


def connection_user(call: Call, connection: AccountConnection) -> str | None:
    """The environment that uses an environment account connection (it can't be rejected or deleted)."""
    query = select(Environment.name).where(Environment.connection_id == connection.id).limit(1)
    name = call.db.scalars(query).first()
    return f"the environment {name}" if name else None


CONNECTION_USERS.append(connection_user)

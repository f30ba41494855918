"""One deployment, carried out: the steps of Proton's AWS-managed provisioning as a durable state machine.

    QUEUED ─▶ APPLYING ─▶ done (SUCCEEDED / FAILED)           create, update
    QUEUED ─▶ DELETING ─▶ done (DELETE_COMPLETE / DELETE_FAILED)   delete

The claim that leases a deployment to a worker also writes its step, so a worker that takes over after a
crash knows a stack operation may have started; the stack operations themselves are safe to repeat (see
`stacks`). The settle step writes the deployment's end and the environment's new state in one transaction:
the environment keeps its last good state (template version, spec, outputs, resources) when a deployment
fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Row, Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from baryon.config import Settings
from baryon.platform.environment_tables import Environment
from baryon.platform.tables import ProtonTemplate, ProtonTemplateVersion
from baryon.provisioning import rendering
from baryon.provisioning.clouds import Cloud, RoleRefused, cloud_of
from baryon.provisioning.guardrails import StackGuardrails
from baryon.provisioning.stacks import StackOperator, StackResult, template_document
from baryon.provisioning.tables import Deployment
from baryon.store.base import utcnow
from baryon.store.db import Store
from baryon.templates import BundleError

log = logging.getLogger("baryon.provisioning")

QUEUED, APPLYING, DELETING = "QUEUED", "APPLYING", "DELETING"
IN_PROGRESS, SUCCEEDED, FAILED = "IN_PROGRESS", "SUCCEEDED", "FAILED"
DELETE_IN_PROGRESS, DELETE_COMPLETE, DELETE_FAILED = "DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_FAILED"
CANCELLING, CANCELLED = "CANCELLING", "CANCELLED"
MAX_MESSAGE = 5000

DEPLOYMENTS, ENVIRONMENTS = cast(Table, Deployment.__table__), cast(Table, Environment.__table__)
"""The tables a deployment's run reads and writes, with statements built once (below): building, tracking and
flushing ORM objects, and building statements anew, was most of a worker's CPU time per deployment."""
_d, _e = DEPLOYMENTS.c, ENVIRONMENTS.c
CLAIMED = (
    _d.id, _d.account_id, _d.region, _d.operation, _d.stack_name, _d.environment_name, _d.cloud_account_id,
    _d.role_arn, _d.target_state, _d.attempts,
)  # fmt: skip
"""The columns a claim returns: everything a run reads of its deployment."""

_OF_ENVIRONMENT = (
    (_e.account_id == bindparam("account_id"))
    & (_e.region == bindparam("region"))
    & (_e.name == bindparam("environment_name"))
)
_PREVIOUS_RESOURCES = select(_e.provisioned_resources).where(_OF_ENVIRONMENT)
_ENVIRONMENT_ID = select(_e.id).where(_OF_ENVIRONMENT)
_VERSION = (
    select(ProtonTemplateVersion.bundle, ProtonTemplateVersion.schema)
    .join(ProtonTemplate, ProtonTemplate.id == ProtonTemplateVersion.template_id)
    .where(
        ProtonTemplate.account_id == bindparam("account_id"),
        ProtonTemplate.region == bindparam("region"),
        ProtonTemplate.kind == "ENVIRONMENT",
        ProtonTemplate.name == bindparam("template_name"),
        ProtonTemplateVersion.major == bindparam("major"),
        ProtonTemplateVersion.minor == bindparam("minor"),
    )
)
_HELD = (_d.id == bindparam("deployment_id")) & (_d.lease_owner == bindparam("owner")) & _d.finished.is_(False)
_SETTLING = select(_d.account_id, _d.region, _d.environment_name, _d.operation, _d.target_state, _d.events).where(_HELD)
_END = update(DEPLOYMENTS).where(_HELD)
"""Ends a held deployment; the columns it sets are the keys of the parameters it runs with."""
_ENVIRONMENT_ROW = _e.id == bindparam("environment_id")
_UPDATE_ENVIRONMENT = update(ENVIRONMENTS).where(_ENVIRONMENT_ROW)
_DELETE_ENVIRONMENT = delete(ENVIRONMENTS).where(_ENVIRONMENT_ROW)


class Claimed(Protocol):
    """A claimed deployment: the row of its `CLAIMED` columns."""

    id: str
    account_id: str
    region: str
    operation: str
    stack_name: str
    environment_name: str
    cloud_account_id: str
    role_arn: str | None
    target_state: dict[str, Any]
    attempts: int


class LeaseLost(Exception):
    """Another worker took the deployment over (this one was too slow to renew its lease)."""


@dataclass(frozen=True)
class Plan:
    """Everything a deployment's slow steps need, read from the store before any of them."""

    deployment_id: str
    operation: str
    stack_name: str
    environment_name: str
    cloud: Cloud
    role_arn: str | None
    template_text: str
    document: dict[str, Any]
    """The rendered template as plain data (empty for a delete)."""
    tags: dict[str, str]
    previous: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    """Every resource the stack ever had (read for a delete; a failed create reads it when it cleans up)."""
    first_attempt: bool
    """No worker took this deployment before: nothing of it can exist in the cloud yet."""


def plan_of(db: Connection, settings: Settings, deployment: Claimed) -> Plan | str:
    """The plan of a claimed deployment (its `CLAIMED` columns), or why it can't run (a message for FAILED)."""
    previous = list(db.scalar(_PREVIOUS_RESOURCES, _environment_key(deployment)) or [])
    cloud = cloud_of(db, settings, deployment.cloud_account_id, deployment.region)
    ledger = _ledger(db, deployment) if deployment.operation == "DELETE" else []
    template_text, document = "", {}
    if deployment.operation != "DELETE":
        target = deployment.target_state
        version = _version(db, deployment, target)
        if version is None or version.bundle is None or version.schema is None:
            number = f"{target.get('templateMajorVersion')}.{target.get('templateMinorVersion')}"
            label = f"{target.get('templateName')}:{number}"
            return f"The environment template version {label} no longer exists."
        try:
            template_text = rendering.environment_template(
                version.bundle, version.schema, target.get("spec") or "", deployment.environment_name
            )
            document = template_document(template_text)
        except BundleError as error:
            return f"Rendering the template failed: {error.message}"
    tags = {
        "proton:environment": f"arn:aws:proton:{deployment.region}:{deployment.account_id}:environment/"
        f"{deployment.environment_name}",
        "proton:account": deployment.account_id,
    }
    if deployment.operation != "DELETE":
        tags["proton:template"] = (
            f"arn:aws:proton:{deployment.region}:{deployment.account_id}:environment-template/"
            f"{deployment.target_state.get('templateName')}"
        )
    return Plan(
        deployment_id=deployment.id, operation=deployment.operation, stack_name=deployment.stack_name,
        environment_name=deployment.environment_name, cloud=cloud, role_arn=deployment.role_arn,
        template_text=template_text, document=document, tags=tags, previous=previous, ledger=ledger,
        first_attempt=deployment.attempts <= 1,
    )  # fmt: skip


def _environment_key(deployment: Any) -> dict[str, Any]:
    """The parameters that find a deployment's environment row (from any row with its account_id, region and
    environment_name)."""
    return {
        "account_id": deployment.account_id,
        "region": deployment.region,
        "environment_name": deployment.environment_name,
    }


def _version(db: Connection, deployment: Claimed, target: dict[str, Any]) -> Row[bytes | None, str | None] | None:
    """The bundle and schema of the version the deployment targets."""
    return db.execute(
        _VERSION,
        {
            "account_id": deployment.account_id,
            "region": deployment.region,
            "template_name": target.get("templateName"),
            "major": int(target.get("templateMajorVersion") or -1),
            "minor": int(target.get("templateMinorVersion") or -1),
        },
    ).first()


def _ledger(db: Session | Connection, deployment: Deployment | Claimed) -> list[dict[str, Any]]:
    """Every resource any deployment of this stack ever recorded (what a delete must leave no trace of)."""
    rows = db.scalars(
        select(Deployment.resources).where(
            Deployment.account_id == deployment.account_id,
            Deployment.region == deployment.region,
            Deployment.stack_name == deployment.stack_name,
            Deployment.cloud_account_id == deployment.cloud_account_id,
        )
    )
    seen: dict[str, dict[str, Any]] = {}
    for resources in rows:
        for resource in resources or []:
            if resource.get("physicalId"):
                seen.setdefault(f"{resource['type']}|{resource['physicalId']}", resource)
    return list(seen.values())


class Runner:
    """Carries out claimed deployments. `renew` extends the lease (raises LeaseLost when it was lost)."""

    def __init__(self, store: Store, settings: Settings, guardrails: StackGuardrails | None = None) -> None:
        self.store = store
        self.settings = settings
        self.guardrails = guardrails
        """Decides, before anything is created, whether the stack may run (see `guardrails`)."""

    def run(self, claimed: Claimed, owner: str, renew: Callable[[], None]) -> None:
        """Carry out a deployment this worker claimed (`claimed`: its `CLAIMED` columns)."""
        deployment_id = claimed.id
        with self.store.connection() as db:
            plan = plan_of(db, self.settings, claimed)
        if isinstance(plan, str):
            self.settle(deployment_id, owner, StackResult(False, plan))
            return
        self._pause(renew)
        if plan.operation == "UPDATE" and self._cancel_requested(deployment_id):
            self.settle(deployment_id, owner, StackResult(False, "Cancelled before the stack was changed."), True)
            return
        result = self._stack_step(plan, renew)
        self._pause(renew)
        self.settle(deployment_id, owner, result)

    def _pause(self, renew: Callable[[], None]) -> None:
        """The configured pause around the stack operation, holding the lease."""
        deadline = time.monotonic() + self.settings.provisioning_step_delay_seconds
        while time.monotonic() < deadline:
            renew()
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def _stack_step(self, plan: Plan, renew: Callable[[], None]) -> StackResult:
        try:
            session = plan.cloud.assume(plan.role_arn or "")
        except RoleRefused as refused:
            return StackResult(False, str(refused))
        stacks = StackOperator(plan.cloud, session, renew)
        if plan.operation == "DELETE":
            return stacks.delete(plan.stack_name, plan.ledger)
        if self.guardrails is not None:
            denied = self.guardrails.check(plan.cloud, session, plan.role_arn or "", plan.document, plan.operation)
            if denied:
                return StackResult(False, denied)
        first_create = plan.operation == "CREATE" and plan.first_attempt
        result = stacks.apply(plan.stack_name, plan.template_text, plan.document, plan.tags, plan.deployment_id,
                              plan.previous, first_create)  # fmt: skip
        if not result.ok and plan.operation == "CREATE":  # roll back, as CloudFormation does: no orphans
            cleanup = stacks.delete(plan.stack_name, self._ledger(plan.deployment_id) + result.resources)
            result.events += cleanup.events
            if not cleanup.ok:
                result.reason += f" Cleaning up failed too: {cleanup.reason}"
        return result

    def _ledger(self, deployment_id: str) -> list[dict[str, Any]]:
        with self.store.session() as db:
            deployment = db.get(Deployment, deployment_id)
            return _ledger(db, deployment) if deployment is not None else []

    def _cancel_requested(self, deployment_id: str) -> bool:
        """Whether CancelEnvironmentDeployment arrived; once the stack operation starts it runs to its end."""
        with self.store.session() as db:
            deployment = db.get(Deployment, deployment_id)
            return deployment is not None and deployment.cancel_requested

    def settle(self, deployment_id: str, owner: str, result: StackResult, cancelled: bool = False) -> None:
        """Write the deployment's end and the environment's new state in one transaction."""
        held = {"deployment_id": deployment_id, "owner": owner}
        with self.store.connection() as db:  # reads first: on SQLite the writes then hold the writer's turn briefly
            deployment = db.execute(_SETTLING, held).first()
            if deployment is None:
                raise LeaseLost(deployment_id)
            environment_id = db.scalar(_ENVIRONMENT_ID, _environment_key(deployment))
            now = utcnow()
            if cancelled:
                status = CANCELLED
            elif deployment.operation == "DELETE":
                status = DELETE_COMPLETE if result.ok else DELETE_FAILED
            else:
                status = SUCCEEDED if result.ok else FAILED
            ended = {
                "status": status, "status_message": result.reason[:MAX_MESSAGE] or None,
                "events": list(deployment.events or []) + result.events, "outputs": result.outputs,
                "resources": result.resources, "finished": True, "completed_at": now, "updated_at": now,
                "lease_owner": None, "lease_until": None, "step": "DONE",
            }  # fmt: skip
            if db.execute(_END, {**held, **ended}).rowcount != 1:
                raise LeaseLost(deployment_id)
            if environment_id is not None:
                _apply_to_environment(db, environment_id, deployment, deployment_id, result, status, now)


def _apply_to_environment(
    db: Connection, environment_id: int, deployment: Any, deployment_id: str, result: StackResult, status: str,
    now: Any,
) -> None:  # fmt: skip
    """The environment's new state after its deployment (`deployment`: its `_SETTLING` row) ended: it keeps its
    last good state on failure."""
    row = {"environment_id": environment_id}
    if deployment.operation == "DELETE":
        if result.ok:
            db.execute(_DELETE_ENVIRONMENT, row)
        else:
            message = result.reason[:MAX_MESSAGE]
            db.execute(_UPDATE_ENVIRONMENT, {**row, "deployment_status": DELETE_FAILED,
                                             "deployment_status_message": message})  # fmt: skip
        return
    values: dict[str, Any] = {"updated_at": now}
    if status == SUCCEEDED:
        target = deployment.target_state
        values.update(
            template_name=target["templateName"], template_major=int(target["templateMajorVersion"]),
            template_minor=int(target["templateMinorVersion"]), spec=target.get("spec"), outputs=result.outputs,
            provisioned_resources=result.resources, last_succeeded_at=now, last_succeeded_deployment_id=deployment_id,
            deployment_status=SUCCEEDED, deployment_status_message=None,
        )  # fmt: skip
    else:
        values.update(deployment_status=CANCELLED if status == CANCELLED else FAILED,
                      deployment_status_message=result.reason[:MAX_MESSAGE])  # fmt: skip
    db.execute(_UPDATE_ENVIRONMENT, {**row, **values})

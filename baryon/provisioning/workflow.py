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
from typing import Any

from sqlalchemy import select
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


def plan_of(db: Session, settings: Settings, deployment: Deployment) -> Plan | str:
    """The deployment's plan, or why it can't run (a message for FAILED)."""
    environment = _environment(db, deployment)
    cloud = cloud_of(db, settings, deployment.cloud_account_id, deployment.region)
    ledger = _ledger(db, deployment) if deployment.operation == "DELETE" else []
    previous = list(environment.provisioned_resources or []) if environment is not None else []
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


def _environment(db: Session, deployment: Deployment) -> Environment | None:
    return db.scalars(
        select(Environment).where(
            Environment.account_id == deployment.account_id,
            Environment.region == deployment.region,
            Environment.name == deployment.environment_name,
        )
    ).first()


def _version(db: Session, deployment: Deployment, target: dict[str, Any]) -> ProtonTemplateVersion | None:
    return db.scalars(
        select(ProtonTemplateVersion)
        .join(ProtonTemplate, ProtonTemplate.id == ProtonTemplateVersion.template_id)
        .where(
            ProtonTemplate.account_id == deployment.account_id,
            ProtonTemplate.region == deployment.region,
            ProtonTemplate.kind == "ENVIRONMENT",
            ProtonTemplate.name == target.get("templateName"),
            ProtonTemplateVersion.major == int(target.get("templateMajorVersion") or -1),
            ProtonTemplateVersion.minor == int(target.get("templateMinorVersion") or -1),
        )
    ).first()


def _ledger(db: Session, deployment: Deployment) -> list[dict[str, Any]]:
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

    def run(self, deployment_id: str, owner: str, renew: Callable[[], None]) -> None:
        with self.store.session() as db:
            deployment = db.get(Deployment, deployment_id)
            if deployment is None or deployment.finished or deployment.lease_owner != owner:
                return
            plan = plan_of(db, self.settings, deployment)
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
        with self.store.session() as db:
            deployment = db.get(Deployment, deployment_id)
            if deployment is None or deployment.lease_owner != owner or deployment.finished:
                raise LeaseLost(deployment_id)
            environment = _environment(db, deployment)  # read before any change: writes wait for the commit
            now = utcnow()
            deleting = deployment.operation == "DELETE"
            if cancelled:
                status = CANCELLED
            elif deleting:
                status = DELETE_COMPLETE if result.ok else DELETE_FAILED
            else:
                status = SUCCEEDED if result.ok else FAILED
            deployment.status, deployment.status_message = status, result.reason[:MAX_MESSAGE] or None
            deployment.events = list(deployment.events or []) + result.events
            deployment.outputs, deployment.resources = result.outputs, result.resources
            deployment.finished, deployment.completed_at, deployment.updated_at = True, now, now
            deployment.lease_owner, deployment.lease_until, deployment.step = None, None, "DONE"
            if environment is None:
                return
            _apply_to_environment(db, environment, deployment, result, status, now)


def _apply_to_environment(
    db: Session, environment: Environment, deployment: Deployment, result: StackResult, status: str, now: Any
) -> None:
    if deployment.operation == "DELETE":
        if result.ok:
            db.delete(environment)
        else:
            environment.deployment_status = DELETE_FAILED
            environment.deployment_status_message = result.reason[:MAX_MESSAGE]
        return
    environment.updated_at = now
    if status == SUCCEEDED:
        target = deployment.target_state
        environment.template_name = target["templateName"]
        environment.template_major = int(target["templateMajorVersion"])
        environment.template_minor = int(target["templateMinorVersion"])
        environment.spec = target.get("spec")
        environment.outputs, environment.provisioned_resources = result.outputs, result.resources
        environment.last_succeeded_at = now
        environment.last_succeeded_deployment_id = deployment.id
        environment.deployment_status, environment.deployment_status_message = SUCCEEDED, None
    else:
        environment.deployment_status = CANCELLED if status == CANCELLED else FAILED
        environment.deployment_status_message = result.reason[:MAX_MESSAGE]

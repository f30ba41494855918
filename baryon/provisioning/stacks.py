"""A deployment's CloudFormation stack: apply a rendered template, delete the stack, and read back what
Proton reports (outputs, provisioned resources, per-resource events).

Every call here is safe to repeat after a crash: a stack is named after its environment, a change set after
its deployment, and a template already in place is not applied again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from baryon.provisioning.clouds import Cloud, CloudSession
from baryon.provisioning.local_fixes import fix_template
from baryon.provisioning.sweep import Sweeper
from baryon.store.base import utcnow
from baryon.templates.yamlio import load_cloudformation

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
POLL_SECONDS = 2.0
WAIT_LIMIT_SECONDS = 3600.0
NO_CHANGES = ("No updates are to be performed", "didn't contain changes", "The submitted information didn't contain")
FAILED_STATES = {
    "CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "ROLLBACK_IN_PROGRESS", "DELETE_FAILED",
    "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED", "IMPORT_ROLLBACK_COMPLETE",
}  # fmt: skip
DEAD_CREATES = {"REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_FAILED", "CREATE_IN_PROGRESS"}


@dataclass
class StackResult:
    """What a stack operation ended with; `reason` says why it failed."""

    ok: bool
    reason: str = ""
    outputs: list[dict[str, str]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def template_document(text: str) -> dict[str, Any]:
    """A rendered CloudFormation template (YAML with short-form tags, or JSON) as plain data."""
    return load_cloudformation(text, "the rendered template")


class StackOperator:
    """Operations on the stacks of one account's cloud, as one role session. `heartbeat` is called while
    waiting (it renews the worker's lease; it raises when the lease is lost)."""

    def __init__(self, cloud: Cloud, session: CloudSession, heartbeat: Callable[[], None]) -> None:
        self.cloud = cloud
        self.session = session
        self.cfn = cloud.client(session, "cloudformation")
        self.heartbeat = heartbeat

    # -- apply ---------------------------------------------------------------------------------------------

    def apply(
        self, name: str, template_text: str, document: dict[str, Any], tags: dict[str, str], token: str,
        previous: list[dict[str, Any]], first_create: bool = False,
    ) -> StackResult:  # fmt: skip
        """Create or update `name` with the template (its text and its `template_document`); `previous` are the
        resources of the last good state.
        `first_create`: the first attempt at an environment's creation, when no stack of it should exist: its
        change set is made and executed straight away (should the stack exist after all, the usual path, which
        looks first, takes over)."""
        started = utcnow()
        body = json.dumps(fix_template(document, self.cloud.region)) if self.cloud.is_local else template_text
        try:
            if not (first_create and self._create_at_once(name, body, tags, token)):
                stack = self._find(name)
                if stack is not None and stack["StackStatus"] in DEAD_CREATES:
                    self.delete(name, previous)  # a create that never finished: start over, as CloudFormation asks
                    stack = None
                if stack is None or not self._holds(name, body):
                    self._submit(name, body, stack is not None, tags, token)
            final = self._wait(name, started)
        except (ClientError, BotoCoreError) as error:
            return StackResult(False, _message(error))
        if final is None or final["StackStatus"] in FAILED_STATES:
            status = final["StackStatus"] if final else "missing"
            reason = (final or {}).get("StackStatusReason") or self._first_failure(name, started) or status
            return StackResult(False, f"The stack {name} ended in {status}: {reason}")
        resources = self._resources(name, document, previous)
        operation = "UPDATE" if previous else "CREATE"
        self._sweep_replaced(previous, resources)
        return StackResult(True, "", _outputs(final), resources, self._events(final, started, resources, operation))

    def _create_at_once(self, name: str, body: str, tags: dict[str, str], token: str) -> bool:
        """Create the stack through the deployment's change set; False when a stack of that name exists."""
        try:
            self._make_change_set(name, body, tags, token, "CREATE")
        except ClientError as error:
            if "already exists" in _message(error):
                return False
            raise
        self._execute(name, _change_set(token))
        return True

    def _submit(self, name: str, body: str, exists: bool, tags: dict[str, str], token: str) -> None:
        """Create and execute the deployment's change set, or carry on with it if an earlier attempt made it."""
        change_set = _change_set(token)
        try:
            found = self.cfn.describe_change_set(StackName=name, ChangeSetName=change_set)
        except ClientError:  # none yet: this deployment never got this far
            found = None
        if found is None:
            self._make_change_set(name, body, tags, token, "UPDATE" if exists else "CREATE")
            self._execute(name, change_set)
        else:
            self._execute_when_ready(name, change_set, found)

    def _make_change_set(self, name: str, body: str, tags: dict[str, str], token: str, kind: str) -> None:
        wire_tags = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        self.cfn.create_change_set(StackName=name, TemplateBody=body, Capabilities=CAPABILITIES, Tags=wire_tags,
                                   ChangeSetName=_change_set(token), ChangeSetType=kind)  # fmt: skip

    def _execute(self, name: str, change_set: str) -> None:
        """Execute a change set just made: at once when the cloud has it ready (the local cloud makes change
        sets synchronously), else once it is."""
        try:
            self.cfn.execute_change_set(StackName=name, ChangeSetName=change_set)
            return
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "InvalidChangeSetStatus":
                raise
        self._execute_when_ready(name, change_set, self._wait_change_set(name, change_set))

    def _execute_when_ready(self, name: str, change_set: str, found: dict[str, Any]) -> None:
        if found["Status"] == "FAILED":
            if any(text in (found.get("StatusReason") or "") for text in NO_CHANGES):
                return
            raise _Failed(f"The change set for {name} failed: {found.get('StatusReason')}")
        if found.get("ExecutionStatus") == "AVAILABLE":
            self.cfn.execute_change_set(StackName=name, ChangeSetName=change_set)

    def _wait_change_set(self, name: str, change_set: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while True:
            found: dict[str, Any] = self.cfn.describe_change_set(StackName=name, ChangeSetName=change_set)
            if found["Status"] in ("CREATE_COMPLETE", "FAILED") or time.monotonic() > deadline:
                return found
            self.heartbeat()
            time.sleep(POLL_SECONDS)

    def _holds(self, name: str, body: str) -> bool:
        """Whether the stack already runs exactly this template (a crash came after applying it)."""
        try:
            current = self.cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
        except ClientError:
            return False
        wanted = json.loads(body) if self.cloud.is_local else template_document(body)
        held = current if isinstance(current, dict) else template_document(current)
        return bool(held == wanted)

    def _find(self, name: str) -> dict[str, Any] | None:
        try:
            stacks = self.cfn.describe_stacks(StackName=name)["Stacks"]
        except ClientError as error:
            if "does not exist" in _message(error):
                return None
            raise
        live = [s for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]
        return live[0] if live else None

    def _wait(self, name: str, started: datetime) -> dict[str, Any] | None:
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while True:
            stack = self._find(name)
            if stack is None or not stack["StackStatus"].endswith("_IN_PROGRESS"):
                return stack
            if time.monotonic() > deadline:
                raise _Failed(f"The stack {name} was still {stack['StackStatus']} after {WAIT_LIMIT_SECONDS:g} s.")
            self.heartbeat()
            time.sleep(POLL_SECONDS)

    def _first_failure(self, name: str, started: datetime) -> str:
        for event in reversed(self._stack_events(name, started)):
            if event["ResourceStatus"].endswith("FAILED") and event.get("ResourceStatusReason"):
                return f"{event['LogicalResourceId']}: {event['ResourceStatusReason']}"
        return ""

    # -- read back -----------------------------------------------------------------------------------------

    def _resources(self, name: str, document: dict[str, Any], previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The stack's resources. moto drops some rows after an update while the resource lives on; those
        keep the physical id they had in the last good state."""
        listed = {}
        for row in self.cfn.describe_stack_resources(StackName=name)["StackResources"]:
            if row.get("LogicalResourceId"):
                listed[row["LogicalResourceId"]] = {
                    "logicalId": row["LogicalResourceId"],
                    "physicalId": row.get("PhysicalResourceId", ""),
                    "type": row["ResourceType"],
                    "status": row["ResourceStatus"],
                }
        declared = document.get("Resources") or {}
        for old in previous:
            if old["logicalId"] in declared and old["logicalId"] not in listed:
                listed[old["logicalId"]] = dict(old)
        order = list(declared)
        return sorted(
            listed.values(), key=lambda r: order.index(r["logicalId"]) if r["logicalId"] in order else 1 << 30
        )

    def _sweep_replaced(self, previous: list[dict[str, Any]], current: list[dict[str, Any]]) -> None:
        """Resources an update replaced or removed are deleted, as CloudFormation's cleanup phase does."""
        now = {r["physicalId"] for r in current}
        kept = {r["logicalId"]: r["physicalId"] for r in current}
        stale = [r for r in previous if r["physicalId"] not in now and kept.get(r["logicalId"]) != r["physicalId"]]
        stale = [r for r in stale if r["logicalId"] not in kept or r["type"] != "AWS::EC2::VPC"]
        if stale:
            Sweeper(self.cloud, self.session).sweep(stale)

    def _stack_events(self, name: str, since: datetime) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        request = {"StackName": name}
        try:
            while True:
                page = self.cfn.describe_stack_events(**request)
                events += [e for e in page["StackEvents"] if e["Timestamp"] >= since.replace(microsecond=0)]
                if not page.get("NextToken"):
                    break
                request["NextToken"] = page["NextToken"]
        except ClientError:
            return []
        return sorted(events, key=lambda e: e["Timestamp"])

    def _events(
        self, stack: dict[str, Any], started: datetime, resources: list[dict[str, Any]], operation: str
    ) -> list[dict[str, Any]]:
        """Per-resource events of this operation. The local cloud records only the stack's own start and end,
        which Baryon knows without asking; there, and in any cloud that recorded no resource's event, each
        resource gets its IN_PROGRESS and COMPLETE event from what the stack holds."""
        name = stack["StackName"]
        if self.cloud.is_local:
            stack_events = _own_events(stack, started, operation)
        else:
            recorded = [_event(e) for e in self._stack_events(name, started)]
            if any(e["logicalId"] != name for e in recorded):
                return recorded
            stack_events = [e for e in recorded if e["logicalId"] == name]
        now = utcnow()
        synthesized = []
        for resource in resources:
            for status in (f"{operation}_IN_PROGRESS", f"{operation}_COMPLETE"):
                synthesized.append(
                    {
                        "time": now.isoformat(),
                        "logicalId": resource["logicalId"],
                        "physicalId": resource["physicalId"],
                        "type": resource["type"],
                        "status": status,
                        "reason": "",
                    }
                )
        return stack_events[:-1] + synthesized + stack_events[-1:]  # inside the stack's IN_PROGRESS..COMPLETE

    # -- delete --------------------------------------------------------------------------------------------

    def delete(self, name: str, ledger: list[dict[str, Any]]) -> StackResult:
        """Delete the stack, then sweep every resource it ever had that is still there."""
        started = utcnow()
        known = list(ledger)
        failure = ""
        try:
            stack = self._find(name)
            if stack is not None:
                known += self._resources(name, {}, [])
                try:
                    self.cfn.delete_stack(StackName=name)
                    final = self._wait(name, started)
                    if final is not None and final["StackStatus"] == "DELETE_FAILED":
                        failure = final.get("StackStatusReason") or "DELETE_FAILED"
                except ClientError as error:  # moto: DependencyViolation, and the stack record is gone
                    failure = _message(error)
            deleted, leftovers = Sweeper(self.cloud, self.session).sweep(known)
        except (ClientError, BotoCoreError) as error:
            return StackResult(False, f"Deleting the stack {name} failed: {_message(error)}")
        if leftovers:
            return StackResult(False, f"Deleting the stack {name} left resources behind: {'; '.join(leftovers)}")
        events = [
            {"time": utcnow().isoformat(), "logicalId": _logical(known, r["physicalId"]), "physicalId": r["physicalId"],
             "type": r["type"], "status": "DELETE_COMPLETE",
             "reason": "Deleted by Baryon: the stack deletion left it behind" + (f" ({failure})" if failure else "")}
            for r in deleted
        ]  # fmt: skip
        recorded = [_event(e) for e in self._stack_events(name, started)]
        return StackResult(True, "", [], [], recorded + events)


class _Failed(ClientError):
    def __init__(self, message: str) -> None:
        super().__init__({"Error": {"Code": "StackFailed", "Message": message}}, "Provision")


def _message(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Message") or error)
    return str(error)


def _change_set(token: str) -> str:
    """The change set of one deployment (its name makes a repeated attempt find it)."""
    return f"baryon-{token}"


def _outputs(stack: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": o["OutputKey"], "valueString": str(o.get("OutputValue", ""))} for o in stack.get("Outputs") or []]


def _event(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "time": event["Timestamp"].isoformat(),
        "logicalId": event.get("LogicalResourceId", ""),
        "physicalId": event.get("PhysicalResourceId", ""),
        "type": event.get("ResourceType", ""),
        "status": event.get("ResourceStatus", ""),
        "reason": event.get("ResourceStatusReason") or "",
    }


def _own_events(stack: dict[str, Any], started: datetime, operation: str) -> list[dict[str, Any]]:
    """The stack's own events of an operation through a change set, as CloudFormation records them."""
    name, stack_id, now = stack["StackName"], stack["StackId"], utcnow()
    steps = [(started, f"{operation}_IN_PROGRESS", "User Initiated"), (now, f"{operation}_COMPLETE", "")]
    if operation == "CREATE":
        steps.insert(0, (started, "REVIEW_IN_PROGRESS", "User Initiated"))
    return [
        {"time": at.isoformat(), "logicalId": name, "physicalId": stack_id, "type": "AWS::CloudFormation::Stack",
         "status": status, "reason": reason}
        for at, status, reason in steps
    ]  # fmt: skip


def _logical(resources: list[dict[str, Any]], physical_id: str) -> str:
    return next((r["logicalId"] for r in resources if r.get("physicalId") == physical_id), "")

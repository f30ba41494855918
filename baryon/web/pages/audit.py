"""The audit page: recent calls filtered by principal, account and decision; each denial explained.

The trail is read from the store, not through a served API, so the page authorizes itself as AWS's console
does for CloudTrail's event history: the signed-in principal must be allowed `cloudtrail:LookupEvents`,
decided by the same authorizer as every API call (identity policies, boundary, SCPs, ...) and recorded in
the trail like one. A principal of the management account reads the whole organization's calls; one of a
member account only its own account's (CloudTrail's event history is per account).

Pages are keyset-paginated on the event id (`?before=ID`): any page is one indexed range scan, however long
the trail. A denial links to its explanation: the call decided again with today's policies and the request
context recorded with it, as `baryon policy explain REQUEST_ID` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from baryon import ids
from baryon.audit.query import AuditFilter, as_dict, by_request_id
from baryon.audit.tables import AuditEvent
from baryon.authz.explain import UnknownPrincipal, caller_for, recorded_context, recorded_resources
from baryon.edge.context import RequestContext
from baryon.edge.errors import ServiceError
from baryon.edge.pipeline import request_context
from baryon.identity.caller import Caller
from baryon.policy import Effect, PolicyType
from baryon.web.calls import AwsCalls, CallFailed, SignedOut
from baryon.web.path import Level, cited_from_step
from baryon.web.view import View

PAGE_SIZE = 50
GATE_ACTION = "cloudtrail:LookupEvents"
DECISIONS = ("allowed", "explicitDeny", "implicitDeny", "unauthenticated", "not-evaluated")
DENIALS = frozenset({"explicitDeny", "implicitDeny"})


@dataclass(frozen=True)
class Reader:
    """A principal allowed to read the trail, and the account it is limited to (None: every account)."""

    caller: Caller
    account: str | None


def authorize(view: View) -> Reader:
    """Decide `cloudtrail:LookupEvents` for the signed-in principal and record the decision in the trail;
    raises `CallFailed` (AccessDeniedException, AWS's message) when refused."""
    started = time.perf_counter()
    view.calls("sts", "GetCallerIdentity")  # authenticates the session's credentials through the pipeline
    credential = view.runtime.credentials.resolve(view.session.credentials.access_key_id)
    if credential is None:
        raise SignedOut("InvalidClientTokenId")
    caller = credential.caller
    ctx = RequestContext(
        request_id=ids.request_id(),
        received_at=datetime.now(UTC),
        source_ip=view.client_ip,
        secure_transport=view.secure,
        service="cloudtrail",
        operation="LookupEvents",
        region=view.calls.region,
        caller=caller,
        action=GATE_ACTION,
        resources=("*",),
    )
    ctx.authz_context = request_context(ctx)
    outcome = view.runtime.authorizer.check(caller, GATE_ACTION, ("*",), ctx.authz_context)
    ctx.decision = outcome.decision.effect.value
    allowed_by = sorted({m.policy_id for m in outcome.decision.matched_statements if m.effect is Effect.ALLOW})
    ctx.reason = outcome.message or "allowed by " + ", ".join(allowed_by)
    refused = None if outcome.allowed else ServiceError("AccessDeniedException", outcome.message or "", status=403)
    view.runtime.audit.enqueue(view.pipeline.audit_event(ctx, 403 if refused else 200, refused, started))
    if refused is not None:
        raise CallFailed(refused.code, refused.message, 403, "LookupEvents")
    organization = view.runtime.facts.org.identity()
    management = organization is not None and caller.account_id == organization[0]
    return Reader(caller, None if management else caller.account_id)


def _filter(view: View, reader: Reader) -> AuditFilter:
    decision = view.param("decision")
    return AuditFilter(
        principal=view.param("principal") or None,
        account=reader.account or view.param("account") or None,
        decision=decision if decision in DECISIONS else None,
    )


def events_before(db: Session, where: AuditFilter, before: int | None, limit: int) -> list[AuditEvent]:
    """The newest `limit` events matching the filter with an id below `before` (keyset pagination)."""
    query = select(AuditEvent)
    if where.principal:
        query = query.where(AuditEvent.principal_arn == where.principal)
    if where.account:
        query = query.where(AuditEvent.account_id == where.account)
    if where.decision:
        query = query.where(AuditEvent.decision == where.decision)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def _rows(view: View, reader: Reader) -> tuple[list[dict[str, Any]], int | None]:
    """One page of rows (newest first) and the cursor of the next, older page."""
    before = view.param("before")
    cursor = int(before) if before.isdigit() and len(before) <= 18 else None
    with view.runtime.store.session() as db:
        events = events_before(db, _filter(view, reader), cursor, PAGE_SIZE + 1)
    older = events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None
    return [as_dict(event) for event in events[:PAGE_SIZE]], older


def _refused(view: View, failure: CallFailed) -> Response:
    return view.page("audit.html", status=403, failure=failure, rows=[], older=None, reader=None, filters={})


def _filters(view: View, reader: Reader) -> dict[str, str]:
    """The filters in force, as the form and the page links repeat them."""
    where = _filter(view, reader)
    return {"principal": where.principal or "", "account": where.account or "", "decision": where.decision or ""}


def audit_page(view: View) -> Response:
    try:
        reader = authorize(view)
    except CallFailed as failure:
        return _refused(view, failure)
    rows, older = _rows(view, reader)
    return view.page(
        "audit.html",
        failure=None,
        rows=rows,
        older=older,
        reader=reader,
        filters=_filters(view, reader),
        live=not view.param("before"),
        decisions=DECISIONS,
        denials=DENIALS,
    )


def audit_rows(view: View) -> Response:
    """The newest rows alone (the table body the page refreshes while it shows the newest page)."""
    try:
        reader = authorize(view)
    except CallFailed as failure:
        return view.page("panel.html", status=403, failure=failure)
    rows, _ = _rows(view, reader)
    return view.page("audit_rows.html", rows=rows, denials=DENIALS)


def explain_page(view: View) -> Response:
    """A recorded call decided again with today's policies: each policy type and organization level."""
    try:
        reader = authorize(view)
    except CallFailed as failure:
        return _refused(view, failure)
    with view.runtime.store.session() as db:
        event = by_request_id(db, view.param("request_id"))
        if event is None or (reader.account and event.account_id != reader.account):
            return view.page("explain.html", status=404, event=None, note="No such call in your audit trail.")
        if event.principal_arn is None or event.action is None:
            note = f"Nothing to explain: the call was refused before authorization ({event.decision})."
            return view.page("explain.html", event=as_dict(event), note=note)
        try:
            caller = caller_for(db, event.principal_arn)
        except UnknownPrincipal:
            note = "The principal no longer exists, so the call cannot be decided again."
            return view.page("explain.html", event=as_dict(event), note=note)
        action, resources, context = event.action, recorded_resources(event), recorded_context(event)
        recorded = as_dict(event)
    outcome = view.runtime.authorizer.check(caller, action, resources, context)
    steps = outcome.decision.steps
    return view.page(
        "explain.html",
        event=recorded,
        note=None,
        decision=outcome.decision.effect.value,
        message=outcome.message,
        levels=_named(
            view,
            [
                Level(s.target_id or "", None, s.decision.value, cited_from_step(s))
                for s in steps
                if s.policy_type is PolicyType.SCP
            ],
        ),
        others=[
            (s.policy_type.value + (f" at {s.target_id}" if s.target_id else ""), s.decision.value, cited_from_step(s))
            for s in steps
            if s.policy_type is not PolicyType.SCP
        ],
    )


_NAMES: dict[str, Callable[[AwsCalls, str], str]] = {
    "root": lambda calls, _: calls("organizations", "ListRoots")["Roots"][0]["Name"],
    "ou": lambda calls, ou: calls("organizations", "DescribeOrganizationalUnit", OrganizationalUnitId=ou)[
        "OrganizationalUnit"
    ]["Name"],
    "account": lambda calls, account: calls("organizations", "DescribeAccount", AccountId=account)["Account"]["Name"],
    "scp": lambda calls, policy: calls("organizations", "DescribePolicy", PolicyId=policy)["Policy"]["PolicySummary"][
        "Name"
    ],
}


def _named(view: View, levels: list[Level]) -> list[Level]:
    """The levels and their SCPs with names, where the principal may read them through the API."""
    found: dict[str, str | None] = {}

    def name(kind: str, ident: str) -> str | None:
        if ident not in found:
            try:
                found[ident] = _NAMES[kind](view.calls, ident)
            except CallFailed:
                found[ident] = None
        return found[ident]

    return [
        replace(
            level,
            name=name(level.kind, level.target_id),
            statements=tuple(
                replace(s, policy_name=name("scp", s.scp_id)) if s.scp_id else s for s in level.statements
            ),
        )
        for level in levels
    ]

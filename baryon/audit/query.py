"""Reading the audit trail back: newest first, filtered by principal, account, decision, operation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from baryon.audit.tables import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    principal: str | None = None
    account: str | None = None
    decision: str | None = None
    operation: str | None = None
    since: datetime | None = None
    after_id: int | None = None


def recent(db: Session, where: AuditFilter, limit: int = 50) -> list[AuditEvent]:
    """The newest `limit` events matching the filter, oldest first (ready to print as a tail)."""
    query = select(AuditEvent)
    if where.principal:
        query = query.where(AuditEvent.principal_arn == where.principal)
    if where.account:
        query = query.where(AuditEvent.account_id == where.account)
    if where.decision:
        query = query.where(AuditEvent.decision == where.decision)
    if where.operation:
        query = query.where(AuditEvent.operation == where.operation)
    if where.since:
        query = query.where(AuditEvent.at >= where.since)
    if where.after_id is not None:
        query = query.where(AuditEvent.id > where.after_id)
    rows = list(db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
    rows.reverse()
    return rows


def by_request_id(db: Session, request_id: str) -> AuditEvent | None:
    return db.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)).one_or_none()


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "requestId": event.request_id,
        "principal": event.principal_arn,
        "account": event.account_id,
        "sourceIp": event.source_ip,
        "service": event.service,
        "operation": event.operation,
        "action": event.action,
        "resources": event.resources,
        "region": event.region,
        "decision": event.decision,
        "reason": event.reason,
        "errorCode": event.error_code,
        "status": event.status,
        "latencyMs": event.latency_ms,
    }

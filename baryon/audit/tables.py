"""Audit rows. They hold who called what and how it was decided, never a secret or a request body."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_account_at", "account_id", "at"),
        Index("ix_audit_events_principal_at", "principal_arn", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    request_id: Mapped[str] = mapped_column(String(40), unique=True)
    principal_arn: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    account_id: Mapped[str | None] = mapped_column(String(12), nullable=True)
    source_ip: Mapped[str] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(64), nullable=True)
    operation: Mapped[str | None] = mapped_column(String(128), nullable=True)
    action: Mapped[str | None] = mapped_column(String(200), nullable=True)
    resources: Mapped[str | None] = mapped_column(Text, nullable=True)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision: Mapped[str] = mapped_column(String(20))
    """`allowed`, `explicitDeny`, `implicitDeny`, `unauthenticated` or `not-evaluated` (bad request)."""
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    context: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The request context the authorizer saw (JSON), so a decision can be replayed and explained."""

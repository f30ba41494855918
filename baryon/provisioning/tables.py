"""Deployments: Proton's `Deployment` resource and the workflow that carries it out.

A deployment is a state machine kept in the store: `step` says where it is, `lease_owner`/`lease_until` which
worker holds it. Every step is written before the worker acts on it and is safe to run again, so any worker
can take over a deployment whose worker died.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime, utcnow


class Deployment(Base):
    """One deployment of an environment (later: service instance, pipeline, component)."""

    __tablename__ = "proton_deployments"
    __table_args__ = (
        Index("ix_proton_deployments_scope", "account_id", "region", "created_at"),
        Index("ix_proton_deployments_target", "account_id", "region", "target_name"),
        Index("ix_proton_deployments_claim", "finished", "lease_until"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(24))
    """ENVIRONMENT (SERVICE_INSTANCE, SERVICE_PIPELINE, COMPONENT later)."""
    target_name: Mapped[str] = mapped_column(String(100))
    target_arn: Mapped[str] = mapped_column(String(512))
    environment_name: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(12))
    """CREATE, UPDATE or DELETE."""
    status: Mapped[str] = mapped_column(String(24))
    status_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    initial_state: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    target_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """`{"templateName", "templateMajorVersion", "templateMinorVersion", "spec"}` (Proton's `DeploymentState`)."""
    cloud_account_id: Mapped[str] = mapped_column(String(12))
    """The account whose cloud holds the infrastructure."""
    role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    stack_name: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(24))
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[bool] = mapped_column(default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    events: Mapped[list[Any]] = mapped_column(default=list)
    """Per-resource events, oldest first: `{"time", "logicalId", "physicalId", "type", "status", "reason"}`."""
    outputs: Mapped[list[Any]] = mapped_column(default=list)
    resources: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

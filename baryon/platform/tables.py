"""Proton templates, their versions, and the durable queue of version registrations.

Everything is partitioned by account and region (Proton is a regional service). Environment and service
templates share one table (`kind` tells them apart; each kind has its own name space and ARN prefix), and so do
their versions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime, utcnow


class ProtonTemplate(Base):
    """An environment template (`kind` ENVIRONMENT) or a service template (`kind` SERVICE).

    `provisioning` is the environment template's `provisioning` or the service template's
    `pipelineProvisioning` (only value: CUSTOMER_MANAGED). `recommended_version` (`"M.m"`) is the highest
    PUBLISHED version, kept up to date whenever a version is published or deleted."""

    __tablename__ = "proton_templates"
    __table_args__ = (UniqueConstraint("account_id", "region", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    encryption_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    provisioning: Mapped[str | None] = mapped_column(String(20), nullable=True)
    recommended_version: Mapped[str | None] = mapped_column(String(10), nullable=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProtonTemplateVersion(Base):
    """One `major.minor` version of a template, from REGISTRATION_IN_PROGRESS to DRAFT (or
    REGISTRATION_FAILED) to PUBLISHED.

    `bundle` is the registered tarball (at most 5 MB), kept to rebuild its schema and, later, to render what
    the version provisions; `schema` is the schema text the API returns. `client_token` and `request_digest`
    make CreateXTemplateVersion idempotent."""

    __tablename__ = "proton_template_versions"
    __table_args__ = (
        UniqueConstraint("template_id", "major", "minor"),
        Index("ix_proton_versions_token", "template_id", "client_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("proton_templates.id"), index=True)
    major: Mapped[int] = mapped_column(Integer)
    minor: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30))
    status_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source_bucket: Mapped[str] = mapped_column(String(63))
    source_key: Mapped[str] = mapped_column(String(1024))
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    schema: Mapped[str | None] = mapped_column(Text, nullable=True)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    bundle: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    compatible_environments: Mapped[list[Any]] = mapped_column(default=list)
    """Service template versions: `[{"templateName": ..., "majorVersion": ...}]`."""
    component_sources: Mapped[list[Any]] = mapped_column(default=list)
    """Service template versions: `supportedComponentSources`."""
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProtonRegistrationJob(Base):
    """A version waiting to be registered. Written with the version, deleted in the transaction that settles
    it. A worker holds a job while `lease_until` is in the future; a job whose lease expired (its worker
    crashed) is claimed again."""

    __tablename__ = "proton_registration_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proton_template_versions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

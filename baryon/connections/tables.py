"""Hosts and connections, partitioned by account and region.

`arn_service` keeps which of the two service names created the resource (`codestar-connections` or
`codeconnections`): its ARN keeps that name for its whole life, as AWS's do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime, utcnow


class ConnectionHost(Base):
    """A *host*: the infrastructure where a self-managed provider is installed, reached at `endpoint`.

    `credential` is the token or key Baryon presents to the host, sealed with the runtime's secret box; the
    wire API has no field for it (AWS asks for it in the console), so the `baryon` CLI sets it."""

    __tablename__ = "connection_hosts"
    __table_args__ = (Index("ix_connection_hosts_scope", "account_id", "region", "id"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    """`NAME-SUFFIX`, the last part of the ARN (`host/NAME-SUFFIX`)."""
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    arn_service: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    provider_type: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(64))
    status_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    vpc_configuration: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    credential: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CodeConnection(Base):
    """A *connection*: a named link to a provider (`GitHub`, `Bitbucket`, `GitLab`: the public services) or
    to a host (`host_id`). Its status is AVAILABLE when Baryon can use it, PENDING otherwise."""

    __tablename__ = "code_connections"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """A UUID, the last part of the ARN (`connection/ID`)."""
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    arn_service: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(32))
    provider_type: Mapped[str] = mapped_column(String(32))
    host_id: Mapped[str | None] = mapped_column(ForeignKey("connection_hosts.id"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

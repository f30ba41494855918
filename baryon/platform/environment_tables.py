"""Environments and environment account connections, partitioned by account and region.

An *environment* is Proton's record of shared infrastructure (a VPC, a cluster...) provisioned from an
environment template version with a spec. It lives in the account that created it (the management account),
while its infrastructure lives in `environment_account_id`: the same account (through
`protonServiceRoleArn`) or another one (through an *environment account connection*, which that other
account requested and the management account accepted).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime, utcnow


class AccountConnection(Base):
    """An environment account connection: created by the environment account (PENDING), accepted
    (CONNECTED) or rejected (REJECTED) by the management account. Its ARN is in the environment account."""

    __tablename__ = "proton_account_connections"
    __table_args__ = (
        Index("ix_proton_account_connections_env", "account_id", "region"),
        Index("ix_proton_account_connections_mgmt", "management_account_id", "region"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    """The environment account (the requester, where the ARN lives)."""
    region: Mapped[str] = mapped_column(String(32))
    management_account_id: Mapped[str] = mapped_column(String(12))
    environment_name: Mapped[str] = mapped_column(String(100))
    role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    component_role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    codebuild_role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Environment(Base):
    """A Proton environment. The template version and spec are those of the last *successful* deployment
    (its last good state); a deployment in progress carries its target in `ProvisioningDeployment`."""

    __tablename__ = "proton_environments"
    __table_args__ = (
        UniqueConstraint("account_id", "region", "name"),
        Index("ix_proton_environments_template", "account_id", "region", "template_name"),
        Index("ix_proton_environments_target", "environment_account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    template_name: Mapped[str] = mapped_column(String(100))
    template_major: Mapped[int] = mapped_column(Integer)
    template_minor: Mapped[int] = mapped_column(Integer)
    spec: Mapped[str | None] = mapped_column(Text, nullable=True)
    proton_service_role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    connection_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    environment_account_id: Mapped[str] = mapped_column(String(12))
    component_role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    codebuild_role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    provisioning: Mapped[str | None] = mapped_column(String(20), nullable=True)
    deployment_status: Mapped[str] = mapped_column(String(24))
    deployment_status_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempted_deployment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    last_succeeded_deployment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    outputs: Mapped[list[Any]] = mapped_column(default=list)
    """`[{"key": ..., "valueString": ...}]` of the last successful deployment."""
    provisioned_resources: Mapped[list[Any]] = mapped_column(default=list)
    stack_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Linked repositories, template sync configs and the sync loop's state, partitioned by account and region.

* `ProtonRepository`: `provider` + `name` (`owner/repo`) linked through `connection_arn`.
* `TemplateSyncConfig`: a template (`template_type`, `template_name`) follows `branch` of a repository, looking
  for `<subdirectory>/<template>/v<N>/` directories.
* `RepositorySyncState`: one row per repository branch being synced: the commit last fetched, the latest
  repository sync attempt (what GetRepositorySyncStatus shows), the retry backoff and the fetch lease.
* `TemplateSyncState`: one row per template major being synced: the commit and bundle digest last synced, the
  latest (and latest successful) attempt (GetTemplateSyncStatus) and the lease that makes one sync at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime, utcnow


class ProtonRepository(Base):
    """A Git repository linked to Proton: `provider` GITHUB | GITHUB_ENTERPRISE | BITBUCKET."""

    __tablename__ = "proton_repositories"
    __table_args__ = (UniqueConstraint("account_id", "region", "provider", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    connection_arn: Mapped[str] = mapped_column(String(200))
    encryption_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TemplateSyncConfig(Base):
    """A template that follows a branch: each `v<N>/` directory of the template is major version N."""

    __tablename__ = "proton_template_sync_configs"
    __table_args__ = (UniqueConstraint("account_id", "region", "template_type", "template_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    template_type: Mapped[str] = mapped_column(String(12))
    template_name: Mapped[str] = mapped_column(String(100))
    repository_id: Mapped[int] = mapped_column(ForeignKey("proton_repositories.id"), index=True)
    branch: Mapped[str] = mapped_column(String(200))
    subdirectory: Mapped[str | None] = mapped_column(String(4096), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RepositorySyncState(Base):
    """The sync of one branch of one repository. `latest` is a RepositorySyncAttempt as stored JSON
    (`startedAt` and event times as ISO strings). `failures` counts consecutive failed fetches; the next fetch
    waits until `next_attempt_at` (exponential backoff)."""

    __tablename__ = "proton_repository_sync_states"
    __table_args__ = (UniqueConstraint("repository_id", "branch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("proton_repositories.id"), index=True)
    branch: Mapped[str] = mapped_column(String(200))
    fetched_sha: Mapped[str | None] = mapped_column(String(40), nullable=True)
    latest: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TemplateSyncState(Base):
    """The sync of one major version of a synced template. `synced_sha` is the last commit whose `v<major>/`
    directory was handled (registered, or found unchanged); `synced_digest` its bundle digest. `latest` and
    `latest_success` are ResourceSyncAttempts as stored JSON."""

    __tablename__ = "proton_template_sync_states"
    __table_args__ = (UniqueConstraint("config_id", "major"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    config_id: Mapped[int] = mapped_column(ForeignKey("proton_template_sync_configs.id"), index=True)
    major: Mapped[int] = mapped_column(Integer)
    synced_sha: Mapped[str | None] = mapped_column(String(40), nullable=True)
    synced_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    latest: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    latest_success: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

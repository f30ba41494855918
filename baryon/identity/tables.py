"""IAM and STS state, partitioned by account (IAM is a global service, so there is no region column).

IAM names are unique per account regardless of case, so each named row keeps a lower-cased `name_key`.
Secret access keys are stored sealed (see `baryon.crypto`), never in the clear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "iam_users"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512), default="/")
    arn: Mapped[str] = mapped_column(String(600), unique=True)
    permissions_boundary_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Group(Base):
    __tablename__ = "iam_groups"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512), default="/")
    arn: Mapped[str] = mapped_column(String(700), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupMember(Base):
    __tablename__ = "iam_group_members"

    group_id: Mapped[str] = mapped_column(ForeignKey("iam_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("iam_users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Role(Base):
    __tablename__ = "iam_roles"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512), default="/")
    arn: Mapped[str] = mapped_column(String(600), unique=True)
    assume_role_policy: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    max_session_duration: Mapped[int] = mapped_column(Integer, default=3600)
    permissions_boundary_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ManagedPolicy(Base):
    """A managed policy: customer-managed (`account_id` = its account) or AWS-managed (`account_id` = "aws")."""

    __tablename__ = "iam_policies"
    __table_args__ = (UniqueConstraint("account_id", "path", "name_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512), default="/")
    arn: Mapped[str] = mapped_column(String(700), unique=True)
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    default_version_id: Mapped[str] = mapped_column(String(20), default="v1")
    next_version: Mapped[int] = mapped_column(Integer, default=2)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyVersion(Base):
    __tablename__ = "iam_policy_versions"

    policy_id: Mapped[str] = mapped_column(ForeignKey("iam_policies.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyAttachment(Base):
    """A managed policy attached to a user, group or role (`principal_type` is `user`, `group` or `role`)."""

    __tablename__ = "iam_policy_attachments"
    __table_args__ = (Index("ix_iam_attach_principal", "principal_type", "principal_id"),)

    principal_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    policy_id: Mapped[str] = mapped_column(
        ForeignKey("iam_policies.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class InlinePolicy(Base):
    """A policy embedded in one user, group or role, named per principal."""

    __tablename__ = "iam_inline_policies"

    principal_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    document: Mapped[str] = mapped_column(Text)


class AccessKey(Base):
    """A long-term access key of an IAM user (or of the account root when `user_id` is None)."""

    __tablename__ = "iam_access_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("iam_users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    secret_sealed: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="Active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StsSession(Base):
    """Temporary credentials issued by STS (`ASIA…`): an assumed-role session or a user's session token."""

    __tablename__ = "sts_sessions"

    access_key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    secret_sealed: Mapped[str] = mapped_column(Text)
    token_fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    """`assumed-role` or `user` (GetSessionToken)."""
    principal_arn: Mapped[str] = mapped_column(String(1000))
    principal_id: Mapped[str] = mapped_column(String(32))
    """The role or user id the session acts for."""
    session_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    session_policy: Mapped[str | None] = mapped_column(Text, nullable=True)
    session_policy_arns: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    source_identity: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

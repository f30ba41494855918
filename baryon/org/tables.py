"""Organization and account rows; the organization's tree, policies, attachments, tags and account requests.

An account is the unit of isolation: every other table is keyed by it. The organization's tree is one root
(`r-…`) holding OUs (`ou-…`, nested at most five deep) and accounts; Organizations policies (SCPs, RCPs, tag
policies) are attached to any node of that tree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from baryon.store.base import Base, UTCDateTime, utcnow


class Organization(Base):
    """The one organization this Baryon serves (`o-…`), owned by its management account."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    management_account_id: Mapped[str] = mapped_column(String(12))
    feature_set: Mapped[str] = mapped_column(String(20), default="ALL")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Account(Base):
    """An AWS account (12 digits). `parent_id` is the root or OU that holds it in the organization."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="ACTIVE")
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), nullable=True)
    parent_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    joined_method: Mapped[str] = mapped_column(String(20), default="CREATED")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cloud: Mapped[str] = mapped_column(String(20), default="local")
    """Where the account's resources live: `local` (the embedded cloud) or `aws` (`baryon account bind`)."""
    cloud_endpoint: Mapped[str | None] = mapped_column(String(512), nullable=True)
    """With `aws`: an AWS-compatible endpoint to call instead of AWS's own (None: AWS's endpoints)."""

    organization: Mapped[Organization | None] = relationship()
    """Declared so a flush inserts a new organization before the accounts that name it."""


class Root(Base):
    """The organization's root (`r-…`); `policy_types` lists the policy types enabled in it."""

    __tablename__ = "org_roots"

    id: Mapped[str] = mapped_column(String(34), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="Root")
    policy_types: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganizationalUnit(Base):
    """An OU (`ou-…`); `parent_id` is the root or the OU that contains it. Names are unique per parent."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[str] = mapped_column(String(68), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    parent_id: Mapped[str] = mapped_column(String(68), index=True)
    name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrgPolicy(Base):
    """An Organizations policy (`p-…`). AWS-managed ones (`p-FullAWSAccess`, `p-RCPFullAWSAccess`) have no
    organization and cannot be changed. Names are unique per organization and policy type."""

    __tablename__ = "org_policies"
    __table_args__ = (UniqueConstraint("organization_id", "type", "name"),)

    id: Mapped[str] = mapped_column(String(130), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), nullable=True, index=True)
    type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(String(512), default="")
    content: Mapped[str] = mapped_column(Text)
    aws_managed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrgPolicyAttachment(Base):
    """A policy attached to a root, OU or account. `policy_type` repeats the policy's (immutable) type so
    per-target limits are counted without a join."""

    __tablename__ = "org_policy_attachments"
    __table_args__ = (Index("ix_org_attach_org_type", "organization_id", "policy_type"),)

    target_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    policy_id: Mapped[str] = mapped_column(
        ForeignKey("org_policies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    policy_type: Mapped[str] = mapped_column(String(64))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrgTag(Base):
    """A tag on an Organizations resource: an account, OU, root or policy (by id)."""

    __tablename__ = "org_tags"

    resource_id: Mapped[str] = mapped_column(String(130), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class CreateAccountRequest(Base):
    """One CreateAccount request (`car-…`) and its outcome."""

    __tablename__ = "org_create_account_requests"
    __table_args__ = (Index("ix_org_car_org_state", "organization_id", "state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    account_name: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(String(12), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

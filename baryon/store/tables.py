"""Imports every table module so the metadata is complete (for migrations and for tests)."""

from __future__ import annotations

from baryon.audit import tables as audit_tables
from baryon.connections import tables as connections_tables
from baryon.identity import tables as identity_tables
from baryon.org import tables as org_tables
from baryon.platform import environment_tables
from baryon.platform import tables as platform_tables
from baryon.provisioning import tables as provisioning_tables
from baryon.store import generation, meta
from baryon.store.base import Base
from baryon.sync import tables as sync_tables
from baryon.web import tables as web_tables

MODULES = (
    audit_tables,
    identity_tables,
    org_tables,
    platform_tables,
    environment_tables,
    provisioning_tables,
    connections_tables,
    sync_tables,
    web_tables,
    generation,
    meta,
)
metadata = Base.metadata

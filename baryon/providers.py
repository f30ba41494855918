"""Every service Baryon serves natively, and the modules that implement its operations."""

from __future__ import annotations

from baryon.edge.operations import Operations


def operation_tables() -> dict[str, Operations]:
    from baryon.connections.operations import codeconnections, codestar_connections
    from baryon.identity import iam, sts
    from baryon.org.operations import organizations
    from baryon.platform.operations import proton

    tables = [sts.sts, iam.iam, organizations, proton, codestar_connections, codeconnections]
    return {table.service: table for table in tables}

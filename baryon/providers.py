"""Every service Baryon serves natively, and the modules that implement its operations."""

from __future__ import annotations

from baryon.edge.operations import Operations


def operation_tables() -> dict[str, Operations]:
    from baryon.identity import iam, sts
    from baryon.org.operations import organizations

    tables = [sts.sts, iam.iam, organizations]
    return {table.service: table for table in tables}

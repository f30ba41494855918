"""`baryon account`: where each account's resources live (its cloud).

Every account starts in the embedded local cloud. `baryon account bind ACCOUNT --cloud aws` sends its
provisioning to real AWS: Baryon assumes the environment's role through AWS's STS with the server's own
credentials (the standard AWS chain of the server process: environment, shared files, instance role) and
calls AWS's CloudFormation. `--endpoint-url` points at an AWS-compatible stand-in instead of AWS's endpoints.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from baryon.cli_options import DatabaseUrl, DataDir, open_store
from baryon.config import DEFAULT_DATA_DIR, Settings

account_app = typer.Typer(help="Where accounts' resources live: the local cloud or AWS.", no_args_is_help=True)
console = Console(soft_wrap=True, highlight=False)
errors = Console(stderr=True, soft_wrap=True, highlight=False)

CLOUDS = ("local", "aws")


@account_app.command()
def bind(
    account_id: Annotated[str, typer.Argument(help="The 12-digit account id.")],
    cloud: Annotated[str, typer.Option(help="local (the embedded cloud) or aws.")],
    endpoint_url: Annotated[
        str | None, typer.Option("--endpoint-url", help="With --cloud aws: an AWS-compatible endpoint to use.")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Choose the cloud that holds an account's resources (new deployments use it)."""
    from baryon.org.tables import Account

    if cloud not in CLOUDS:
        errors.print(f"--cloud must be one of {', '.join(CLOUDS)}.")
        raise typer.Exit(2)
    if endpoint_url and cloud != "aws":
        errors.print("--endpoint-url applies to --cloud aws only.")
        raise typer.Exit(2)
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
    store = open_store(settings)
    try:
        with store.session() as db:
            account = db.get(Account, account_id)
            if account is None:
                errors.print(f"No account {account_id} in this Baryon.")
                raise typer.Exit(1)
            account.cloud, account.cloud_endpoint = cloud, endpoint_url
    finally:
        store.dispose()
    where = f" at {endpoint_url}" if endpoint_url else ""
    console.print(f"Account {account_id}: its resources live in the {cloud} cloud{where}.")


@account_app.command()
def show(data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None) -> None:
    """List the accounts bound to a cloud other than the local one."""
    from sqlalchemy import select

    from baryon.org.tables import Account

    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
    store = open_store(settings)
    try:
        with store.session() as db:
            rows = list(db.scalars(select(Account).where(Account.cloud != "local").order_by(Account.id)))
    finally:
        store.dispose()
    for row in rows:
        console.print(f"{row.id}  {row.cloud}  {row.cloud_endpoint or ''}".rstrip())
    if not rows:
        console.print("Every account uses the local cloud.")

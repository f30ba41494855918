"""`baryon host` and `baryon sync`: what the Git side of template sync needs beyond the wire API.

Both work on the store directly (the same `--data-dir` / `--database-url` as the server), so they act
whether or not a server is running; a running server sees the change on its next sync pass.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from baryon.cli_options import DatabaseUrl, DataDir, open_store
from baryon.config import DEFAULT_DATA_DIR, Settings

host_app = typer.Typer(help="Credentials for self-managed Git hosts (connection hosts).", no_args_is_help=True)
sync_app = typer.Typer(help="Template sync from Git repositories.", no_args_is_help=True)
console = Console(soft_wrap=True, highlight=False)
errors = Console(stderr=True, soft_wrap=True, highlight=False)


def _settings(data_dir: Path, database_url: str | None) -> Settings:
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
    if not settings.secret_key and not (settings.data_dir / "secret.key").exists():
        errors.print(f"No Baryon state in {settings.data_dir} (no secret.key); pass --data-dir or run `baryon up`.")
        raise typer.Exit(2)
    return settings


def _read_token(token_env: str | None) -> str:
    if token_env:
        token = os.environ.get(token_env, "")
    elif sys.stdin.isatty():
        token = typer.prompt("Token", hide_input=True)
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        errors.print("No token given (read from standard input, or --token-env VARIABLE).")
        raise typer.Exit(2)
    return token


@host_app.command("set-token")
def set_token(
    host_arn: Annotated[str, typer.Argument(help="The host's ARN (from create-host or list-hosts).")],
    username: Annotated[
        str | None, typer.Option(help="User name sent with the token (default: x-access-token / oauth2).")
    ] = None,
    token_env: Annotated[
        str | None, typer.Option("--token-env", help="Read the token from this environment variable.")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Store the access token Baryon presents to an HTTP(S) host (read from standard input; never echoed)."""
    from baryon.connections.credentials import UnknownHost
    from baryon.connections.credentials import set_token as seal_token
    from baryon.crypto import SecretBox

    settings = _settings(data_dir, database_url)
    token = _read_token(token_env)
    store = open_store(settings)
    try:
        box = SecretBox.from_settings(settings.data_dir, settings.secret_key)
        with store.session() as db:
            login = seal_token(db, box, host_arn, token, username)
    except UnknownHost as error:
        errors.print(str(error))
        raise typer.Exit(1) from None
    finally:
        store.dispose()
    console.print(f"Token stored for {host_arn} (user name {login}).")


@host_app.command("clear-token")
def clear_token(
    host_arn: Annotated[str, typer.Argument(help="The host's ARN.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Forget the token stored for a host."""
    from baryon.connections.credentials import UnknownHost
    from baryon.connections.credentials import clear_token as forget

    settings = _settings(data_dir, database_url)
    store = open_store(settings)
    try:
        with store.session() as db:
            had = forget(db, host_arn)
    except UnknownHost as error:
        errors.print(str(error))
        raise typer.Exit(1) from None
    finally:
        store.dispose()
    console.print(f"Token for {host_arn} {'removed' if had else 'was not set'}.")


@sync_app.command("now")
def sync_now(data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None) -> None:
    """Fetch every synced branch now (ignoring retry backoff) and register what changed."""
    from baryon.crypto import SecretBox
    from baryon.sync.worker import SyncWorker

    settings = _settings(data_dir, database_url)
    store = open_store(settings)
    try:
        worker = SyncWorker(store, settings, SecretBox.from_settings(settings.data_dir, settings.secret_key))
        outcomes = worker.run_once(force=True)
    finally:
        store.dispose()
    for branch, outcome in outcomes:
        console.print(f"{branch.provider.lower()}:{branch.name}@{branch.branch}: {outcome}")
    if not outcomes:
        console.print("No template sync config follows any branch.")
    if any(outcome.startswith(("Fetching", "failed")) for _, outcome in outcomes):
        raise typer.Exit(1)

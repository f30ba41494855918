"""The `baryon` command."""

from __future__ import annotations

import logging
import socket
import sys
from typing import Annotated

import typer
from rich.console import Console

from baryon.cli_account import account_app
from baryon.cli_cloud import cloud_app, resolve_cloud
from baryon.cli_git import host_app, sync_app
from baryon.cli_options import DatabaseUrl, DataDir, open_store
from baryon.cli_policy import policy_app
from baryon.cli_template import template_app
from baryon.config import DEFAULT_DATA_DIR, Settings

SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while others wait. Requests hop between the event loop, worker threads
and the audit writer; Python's default 5 ms lets one of them stall the rest (a lock convoy)."""

app = typer.Typer(
    help="Baryon: a self-hosted control plane for multi-account AWS provisioning.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)


app.add_typer(policy_app, name="policy")
app.add_typer(template_app, name="template")
app.add_typer(host_app, name="host")
app.add_typer(sync_app, name="sync")
app.add_typer(account_app, name="account")
app.add_typer(cloud_app, name="cloud")


@app.callback()
def baryon() -> None:
    """Baryon: a self-hosted control plane for multi-account AWS provisioning."""


@app.command()
def up(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 4570,
    region: Annotated[str, typer.Option(help="Default region written to the profile.")] = "us-east-1",
    database_url: DatabaseUrl = None,
    no_local_cloud: Annotated[
        bool, typer.Option("--no-local-cloud", help="Start no local cloud (moto) for the accounts' resources.")
    ] = False,
) -> None:
    """Start Baryon in the foreground on its embedded defaults; Ctrl-C stops it (the local cloud keeps running)."""
    import uvicorn

    from baryon.edge.app import build_app
    from baryon.identity.bootstrap import bootstrap
    from baryon.profile import write_profile
    from baryon.runtime import Runtime

    sys.setswitchinterval(SWITCH_INTERVAL)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    bound_port = listener.getsockname()[1]
    cloud_url, cloud_line = resolve_cloud(data_dir, no_local_cloud)
    settings = Settings.from_env(
        data_dir=data_dir,
        host=host,
        port=bound_port,
        region=region,
        database_url=database_url,
        local_cloud_url=cloud_url,
    )
    runtime = Runtime.build(settings)
    admin = bootstrap(runtime.store, runtime.secrets)
    config_file, credentials_file = write_profile(
        admin.access_key_id, admin.secret_access_key, settings.region, settings.endpoint_url
    )
    console.print(f"[bold]Baryon[/bold] listening on [cyan]{settings.endpoint_url}[/cyan]")
    console.print(f"  management account {admin.account_id}, administrator {admin.user_arn}")
    console.print(f"  AWS profile [green]baryon[/green] written to {config_file} and {credentials_file}")
    console.print(f"  data dir {settings.data_dir}")
    console.print(f"  {cloud_line}")
    console.print("  try: [bold]aws --profile baryon sts get-caller-identity[/bold]")
    server = uvicorn.Server(
        uvicorn.Config(build_app(runtime), log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    )
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; the shutdown itself already completed
    finally:
        runtime.close()
        console.print("Baryon stopped.")


@app.command()
def worker(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    threads: Annotated[int, typer.Option(help="Deployments carried out at once.")] = 4,
) -> None:
    """Run provisioning workers only (no API), against the same store as the servers; Ctrl-C stops them.

    Start as many as you like beside `baryon up` on PostgreSQL: they share deployments through leases, and any
    of them may die at any moment."""
    import signal
    import threading

    from baryon.provisioning.worker import ProvisioningWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
    if settings.local_cloud_url is None:
        settings = _with_running_local_cloud(settings)
    store = open_store(settings)
    workers = ProvisioningWorker(store, settings, threads)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    workers.start()
    where = settings.resolved_database_url.split("@")[-1]  # never print a password in the URL
    console.print(f"Baryon worker {workers.owner}: {threads} threads on {where}")
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        workers.stop()
        store.dispose()


def _with_running_local_cloud(settings: Settings) -> Settings:
    """The settings with the local cloud that `baryon up` runs for this data directory, if any."""
    from dataclasses import replace

    from baryon.cloud.local import LocalCloud

    running = LocalCloud(settings.data_dir).running()
    return replace(settings, local_cloud_url=running.url) if running else settings


@app.command()
def audit(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    principal: Annotated[str | None, typer.Option(help="Only calls by this principal ARN.")] = None,
    account: Annotated[str | None, typer.Option(help="Only calls by principals of this account.")] = None,
    decision: Annotated[
        str | None,
        typer.Option(help="allowed, explicitDeny, implicitDeny, unauthenticated or not-evaluated."),
    ] = None,
    operation: Annotated[str | None, typer.Option(help="Only this operation, e.g. CreateUser.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many recent calls to show.")] = 50,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new calls.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Show recent calls from the audit trail (newest last)."""
    import json
    import time

    from rich.table import Table

    from baryon.audit.query import AuditFilter, as_dict, recent

    store = open_store(Settings.from_env(data_dir=data_dir, database_url=database_url))
    where = AuditFilter(principal=principal, account=account, decision=decision, operation=operation)
    last_id: int | None = None
    while True:
        with store.session() as db:
            events = recent(
                db,
                where if last_id is None else AuditFilter(**{**where.__dict__, "after_id": last_id}),
                limit=limit if last_id is None else 1000,
            )
        if as_json:
            for event in events:
                typer.echo(json.dumps(as_dict(event)))
        elif events:
            table = Table("time", "principal", "operation", "decision", "status", "error", "ms", box=None)
            for event in events:
                table.add_row(
                    event.at.strftime("%H:%M:%S"),
                    event.principal_arn or "-",
                    f"{event.service}:{event.operation}",
                    event.decision,
                    str(event.status),
                    event.error_code or "",
                    f"{event.latency_ms:.1f}",
                )
            console.print(table)
        if events:
            last_id = events[-1].id
        elif last_id is None:
            last_id = 0
        if not follow:
            break
        time.sleep(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

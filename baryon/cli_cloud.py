"""`baryon cloud`: the local cloud (moto's server) that `baryon up` starts as the accounts' resource plane."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from baryon.cli_options import DataDir
from baryon.cloud.local import CloudError, LocalCloud
from baryon.config import DEFAULT_DATA_DIR

cloud_app = typer.Typer(
    help="Inspect and stop the local cloud that holds the accounts' resources.", no_args_is_help=True
)
console = Console(soft_wrap=True)


def _cloud(data_dir: Path) -> LocalCloud:
    return LocalCloud(data_dir.expanduser().resolve())


def resolve_cloud(data_dir: Path, disabled: bool) -> tuple[str | None, str]:
    """For `baryon up`: the resource plane's URL and the line that says where it is.

    `BARYON_LOCAL_CLOUD_URL` names an external cloud (empty: none); `--no-local-cloud` starts none; otherwise
    the data directory's local cloud is reused or started."""
    if "BARYON_LOCAL_CLOUD_URL" in os.environ:
        external = os.environ["BARYON_LOCAL_CLOUD_URL"] or None
        return external, f"account cloud {external} (BARYON_LOCAL_CLOUD_URL)" if external else "no account cloud"
    if disabled:
        return None, "no local cloud (--no-local-cloud): services Baryon does not serve natively are refused"
    cloud = _cloud(data_dir)
    try:
        ready = cloud.ensure()
    except CloudError as error:
        console.print(f"[red]The local cloud could not start:[/red] {error}")
        console.print(f"  to start with an empty cloud, move {cloud.recording} aside; or run with --no-local-cloud")
        raise typer.Exit(1) from None
    how = {
        "reused": "reused",
        "started": "started",
        "replayed": f"restored from its recording ({ready.requests} requests)",
    }[ready.how]
    return ready.process.url, f"local cloud (moto) on [cyan]{ready.process.url}[/cyan], {how}, pid {ready.process.pid}"


@cloud_app.command()
def status(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Say whether the local cloud runs (exit code 1 when it does not)."""
    cloud = _cloud(data_dir)
    process = cloud.running()
    entries = cloud.recording.read_bytes().count(b"\n") if cloud.recording.exists() else 0
    if process is None:
        console.print(f"local cloud not running; its recording holds {entries} requests ({cloud.recording})")
        raise typer.Exit(1)
    console.print(f"local cloud running on {process.url}, pid {process.pid}")
    console.print(f"  recording: {cloud.recording} ({entries} requests); log: {cloud.log}")


@cloud_app.command()
def stop(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Stop the local cloud. Its recording stays: the next `baryon up` restores the resources."""
    process = _cloud(data_dir).stop()
    if process is None:
        console.print("no local cloud was running")
    else:
        console.print(f"local cloud stopped (pid {process.pid}, {process.url})")

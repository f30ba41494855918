"""Runtime settings: where Baryon keeps its state and how it listens.

Every setting has an embedded default (a data directory with SQLite) so `baryon up` works on a bare machine;
each can be overridden by a command-line flag or a `BARYON_*` environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path(os.environ.get("BARYON_DATA_DIR", "~/.baryon")).expanduser()


@dataclass(frozen=True)
class Settings:
    """What one Baryon process needs to know to serve requests."""

    data_dir: Path = DEFAULT_DATA_DIR
    host: str = "127.0.0.1"
    port: int = 4566
    region: str = "us-east-1"
    database_url: str | None = None
    """SQLAlchemy URL; None means SQLite in the data directory."""
    max_clock_skew_seconds: int = 15 * 60
    """SigV4 requests older or newer than this are refused (AWS allows 15 minutes)."""
    max_body_bytes: int = 8 * 1024 * 1024
    max_session_seconds: int | None = None
    """Upper bound on the lifetime of temporary credentials STS issues, whatever the caller asks for
    (an operator's policy; AWS's own bounds still apply)."""
    secret_key: str | None = field(default=None, repr=False)
    """Key for secrets at rest; None means the key file in the data directory (created on first start)."""
    local_cloud_url: str | None = None
    """Endpoint of the cloud that holds the accounts' resources (an S3-compatible endpoint that selects the
    account by the `x-moto-account-id` header); Proton template bundles are read from it. None: no cloud."""
    sync_interval_seconds: float = 10.0
    """How often template sync fetches every synced branch."""
    provisioning_workers: int = 4
    """Deployment worker threads in this process (0: this process only serves the API)."""
    provisioning_step_delay_seconds: float = 0.0
    """A pause before and after each deployment's stack operation (crash tests kill a worker inside it)."""
    registration_delay_seconds: float = 0.0
    """How long the Proton template registration worker waits after start before its first claim (tests)."""

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'baryon.db'}"

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `BARYON_*` variables, then explicit overrides (flags) on top."""
        env: dict[str, object] = {}
        if "BARYON_DATABASE_URL" in os.environ:
            env["database_url"] = os.environ["BARYON_DATABASE_URL"]
        if "BARYON_SECRET_KEY" in os.environ:
            env["secret_key"] = os.environ["BARYON_SECRET_KEY"]
        if "BARYON_MAX_SESSION_SECONDS" in os.environ:
            env["max_session_seconds"] = int(os.environ["BARYON_MAX_SESSION_SECONDS"])
        if "BARYON_REGION" in os.environ:
            env["region"] = os.environ["BARYON_REGION"]
        if "BARYON_LOCAL_CLOUD_URL" in os.environ:
            env["local_cloud_url"] = os.environ["BARYON_LOCAL_CLOUD_URL"] or None
        if os.environ.get("BARYON_SYNC_INTERVAL_SECONDS"):
            env["sync_interval_seconds"] = float(os.environ["BARYON_SYNC_INTERVAL_SECONDS"])
        if os.environ.get("BARYON_PROVISIONING_WORKERS"):
            env["provisioning_workers"] = int(os.environ["BARYON_PROVISIONING_WORKERS"])
        if os.environ.get("BARYON_PROVISIONING_STEP_DELAY_SECONDS"):
            env["provisioning_step_delay_seconds"] = float(os.environ["BARYON_PROVISIONING_STEP_DELAY_SECONDS"])
        if "BARYON_REGISTRATION_DELAY_SECONDS" in os.environ:
            env["registration_delay_seconds"] = float(os.environ["BARYON_REGISTRATION_DELAY_SECONDS"])
        env.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in env:
            env["data_dir"] = Path(str(env["data_dir"])).expanduser().resolve()
        return cls(**env)  # type: ignore[arg-type]

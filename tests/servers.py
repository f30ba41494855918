"""Starting real Baryon server processes for tests, on SQLite or on a fresh PostgreSQL database.

A test gets a `RunningServer`: its endpoint, the bootstrap administrator's keys, boto3 clients signed with
any credentials, and `aws(...)` to run the AWS CLI (a separate process, since awscli vendors its own
botocore) against the server with the `baryon` profile the server wrote.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

POSTGRES_ADMIN_URL = os.environ.get("BARYON_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CLIENT_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one server; dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = "baryon_test_" + secrets.token_hex(4)
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@dataclass
class RunningServer:
    store: str
    endpoint: str
    home: Path
    data_dir: Path
    database_url: str | None
    port: int
    process: subprocess.Popen[bytes] | None = None
    admin: dict[str, str] = field(default_factory=dict)
    account_id: str = ""
    region: str = "us-east-1"
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """Environment for the AWS CLI and for child processes: the server's profile files, no retries."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_CONFIG_FILE=str(self.home / "aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.home / "aws-credentials"),
            AWS_MAX_ATTEMPTS="1",
            AWS_PAGER="",
        )
        env.update(self.extra_env)
        return env

    def client(self, service: str, credentials: dict[str, str] | None = None, region: str | None = None) -> Any:
        creds = credentials or self.admin
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=region or self.region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            config=CLIENT_CONFIG,
        )

    def aws(
        self, *args: str, credentials: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run the AWS CLI as a user would type it; with `credentials`, through environment variables."""
        env = self.env
        command = [shutil.which("aws") or "aws"]
        if credentials is None:
            command += ["--profile", "baryon"]
        else:
            env.update(
                AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
                AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
                AWS_DEFAULT_REGION=self.region,
                AWS_ENDPOINT_URL=self.endpoint,
            )
            if credentials.get("SessionToken"):
                env["AWS_SESSION_TOKEN"] = credentials["SessionToken"]
        result = subprocess.run(command + list(args), env=env, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def aws_json(self, *args: str, credentials: dict[str, str] | None = None) -> Any:
        return json.loads(self.aws(*args, credentials=credentials).stdout or "null")

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "baryon.cli",
            "up",
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(self.port),
        ]
        if self.database_url:
            command += ["--database-url", self.database_url]
        with open(self.home / "server.log", "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"baryon up exited: {(self.home / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_baryon/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("baryon up did not become healthy in 60 s")
        self._read_profile()

    def _read_profile(self) -> None:
        import configparser

        parser = configparser.RawConfigParser()
        parser.read(self.home / "aws-credentials")
        self.admin = {
            "AccessKeyId": parser.get("baryon", "aws_access_key_id"),
            "SecretAccessKey": parser.get("baryon", "aws_secret_access_key"),
        }
        identity = self.client("sts").get_caller_identity()
        self.account_id = identity["Account"]

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop_cloud(self) -> None:
        """What `baryon cloud stop` does for this server's data directory: stop the local cloud it started."""
        from baryon.cloud.local import LocalCloud

        LocalCloud(self.data_dir).stop()

    def log(self) -> str:
        return (self.home / "server.log").read_text(errors="replace")


@contextmanager
def running_server(store: str, extra_env: dict[str, str] | None = None) -> Iterator[RunningServer]:
    home = Path(tempfile.mkdtemp(prefix=f"baryon-{store}-"))
    with postgres_database() if store == "postgres" else _no_database() as database_url:
        server = RunningServer(
            store=store,
            endpoint="",
            home=home,
            data_dir=home / "data",
            database_url=database_url,
            port=free_port(),
            extra_env=dict(extra_env or {}),
        )
        server.endpoint = f"http://127.0.0.1:{server.port}"
        try:
            server.start()
            yield server
        finally:
            server.stop()
            server.stop_cloud()
    shutil.rmtree(home, ignore_errors=True)


@contextmanager
def _no_database() -> Iterator[None]:
    yield None

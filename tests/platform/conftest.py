"""Servers for the Proton template tests: a moto server stands in for the accounts' cloud (template bundles
are read from its S3), and a Baryon server per store is pointed at it with `BARYON_LOCAL_CLOUD_URL`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import STORES
from tests.servers import RunningServer, free_port, postgres_available, running_server


@pytest.fixture(scope="session")
def cloud() -> Iterator[str]:
    """The endpoint of a moto server (every account's S3), stopped at the end of the session."""
    with moto_server() as url:
        yield url


@dataclass(frozen=True)
class Moto:
    """A running moto server: its endpoint and its process (benchmarks read its CPU time)."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def moto_server(module: str = "baryon.cloud.moto_server") -> Iterator[str]:
    """A moto server on a free loopback port with AWS's managed policies loaded; its endpoint. By default it
    is moto as Baryon runs it for the local cloud (with Baryon's fixes); `moto.server` is plain moto."""
    with moto_process(module) as moto:
        yield moto.url


@contextmanager
def moto_process(module: str = "baryon.cloud.moto_server") -> Iterator[Moto]:
    """`moto_server`, yielding the process too."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="baryon-moto-")) / "moto.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", module, "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=out,
            env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},  # AWS-managed policies, as in AWS
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto server exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start in 60 s") from None
                time.sleep(0.1)
        yield Moto(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def need_store(store: str) -> None:
    if store == "postgres" and not postgres_available():
        if os.environ.get("BARYON_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required (BARYON_REQUIRE_POSTGRES=1) but unreachable")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")


@pytest.fixture(scope="session", params=STORES)
def server(request: pytest.FixtureRequest, cloud: str) -> Iterator[RunningServer]:
    """A Baryon server per store whose account cloud is the moto server (overrides the suite's `server`)."""
    need_store(request.param)
    with running_server(request.param, {"BARYON_LOCAL_CLOUD_URL": cloud}) as running:
        yield running

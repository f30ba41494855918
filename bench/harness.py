"""What every server benchmark needs: start Baryon (and a peer) as real processes, sign one request to
replay, and compare the two under the same client in interleaved rounds (the machine is shared and noisy, so
absolute figures mean little; the ratio measured in one run is what counts)."""

from __future__ import annotations

import configparser
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from loadgen import LoadResult, run_load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Baryon:
    """A `baryon up` process on SQLite in a temporary data directory, and its administrator's keys."""

    port: int
    process: subprocess.Popen[bytes]
    key: str
    secret: str

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_baryon() -> Baryon:
    home = Path(tempfile.mkdtemp(prefix="baryon-bench-"))
    env = dict(os.environ, AWS_CONFIG_FILE=str(home / "config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "creds"))
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "baryon.cli",
        "up",
        "--data-dir",
        str(home / "data"),
        "--port",
        str(port),
        "--no-local-cloud",
    ]  # fmt: skip  (these benches call native services only)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    wait_until_up(f"http://127.0.0.1:{port}/_baryon/health")
    credentials = configparser.RawConfigParser()
    credentials.read(home / "creds")
    return Baryon(
        port,
        process,
        credentials.get("baryon", "aws_access_key_id"),
        credentials.get("baryon", "aws_secret_access_key"),
    )


def stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def signed_headers(
    port: int, service: str, body: bytes, headers: dict[str, str], key: str, secret: str
) -> dict[str, str]:
    """Headers of one SigV4-signed POST to 127.0.0.1:port, valid for replay during 15 minutes."""
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body, headers=headers)
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    signed = dict(request.headers.items())
    signed["Host"] = f"127.0.0.1:{port}"
    return signed


@dataclass(frozen=True)
class Target:
    name: str
    port: int
    headers: dict[str, str]


def _report(name: str, result: LoadResult) -> None:
    print(
        f"{name:>10}: {result.rps:8.0f} req/s  p50 {result.p50:6.2f} ms  p99 {result.percentile(0.99):6.2f} ms"
        f"  ({result.requests} requests, {result.errors} errors)"
    )


def compare(ours: Target, theirs: Target, body: bytes, seconds: float, connections: int, rounds: int = 2) -> float:
    """Warm both up, then alternate timed rounds; print each round and return ours/theirs throughput."""
    for target in (ours, theirs):
        run_load("127.0.0.1", target.port, "POST", "/", body, target.headers, 1.0, connections)
    results: list[Sequence[LoadResult]] = []
    for index in range(1, rounds + 1):
        pair = [
            run_load("127.0.0.1", t.port, "POST", "/", body, t.headers, seconds, connections) for t in (ours, theirs)
        ]
        _report(f"{ours.name}#{index}", pair[0])
        _report(f"{theirs.name}#{index}", pair[1])
        results.append(pair)
    errors = sum(r.errors for pair in results for r in pair)
    if errors:
        print(f"  [{errors} requests did not answer 200]")
    ours_rps = sum(p[0].requests for p in results) / sum(p[0].seconds for p in results)
    theirs_rps = sum(p[1].requests for p in results) / sum(p[1].seconds for p in results)
    return ours_rps / theirs_rps

"""Signed sts:GetCallerIdentity through Baryon against a bare Starlette endpoint on the same server stack.

Both servers run under uvicorn in their own process; the same client replays one SigV4-signed request
(valid for 15 minutes) over keep-alive connections. Prints throughput, p50/p99 latency and the ratio
Baryon / bare (goal >= 0.5). Run: `python bench/bench_front_door.py [--seconds 5]`.
"""

from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).parent))
from loadgen import LoadResult, run_load

BODY = b"Action=GetCallerIdentity&Version=2011-06-15"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def _signed_headers(port: int, key: str, secret: str) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:{port}/",
        data=BODY,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(key, secret), "sts", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = f"127.0.0.1:{port}"
    return headers


def _report(name: str, result: LoadResult) -> None:
    print(
        f"{name:>8}: {result.rps:8.0f} req/s  p50 {result.p50:6.2f} ms  p99 {result.percentile(0.99):6.2f} ms"
        f"  ({result.requests} requests, {result.errors} errors)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="baryon-bench-"))
    env = dict(os.environ, AWS_CONFIG_FILE=str(home / "config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "creds"))
    baryon_port, bare_port = _free_port(), _free_port()
    baryon = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "baryon.cli",
            "up",
            "--data-dir",
            str(home / "data"),
            "--port",
            str(baryon_port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    bare = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--port",
            str(bare_port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=Path(__file__).parent,
        env=env,
    )
    try:
        _wait(f"http://127.0.0.1:{baryon_port}/_baryon/health")
        _wait(f"http://127.0.0.1:{bare_port}/")
        creds = configparser.RawConfigParser()
        creds.read(home / "creds")
        key, secret = creds.get("baryon", "aws_access_key_id"), creds.get("baryon", "aws_secret_access_key")
        baryon_headers = _signed_headers(baryon_port, key, secret)
        bare_headers = _signed_headers(bare_port, key, secret)
        run_load("127.0.0.1", baryon_port, "POST", "/", BODY, baryon_headers, 1.0, args.connections)  # warm-up
        run_load("127.0.0.1", bare_port, "POST", "/", BODY, bare_headers, 1.0, args.connections)
        rounds = []
        for _ in range(2):  # interleave to even out the shared machine's noise
            rounds.append(
                (
                    run_load(
                        "127.0.0.1",
                        baryon_port,
                        "POST",
                        "/",
                        BODY,
                        baryon_headers,
                        args.seconds,
                        args.connections,
                    ),
                    run_load(
                        "127.0.0.1",
                        bare_port,
                        "POST",
                        "/",
                        BODY,
                        bare_headers,
                        args.seconds,
                        args.connections,
                    ),
                )
            )
        for index, (ours, base) in enumerate(rounds, 1):
            _report(f"baryon#{index}", ours)
            _report(f"bare#{index}", base)
        baryon_rps = sum(r[0].requests for r in rounds) / sum(r[0].seconds for r in rounds)
        bare_rps = sum(r[1].requests for r in rounds) / sum(r[1].seconds for r in rounds)
        errors = sum(r[0].errors for r in rounds)
        ratio = baryon_rps / bare_rps
        print(f"ratio baryon/bare = {ratio:.2f} (goal >= 0.5){'' if errors == 0 else f'  [{errors} ERRORS]'}")
    finally:
        for process in (baryon, bare):
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()

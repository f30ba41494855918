"""Signed organizations:ListAccounts through Baryon (authenticating, enforcing SCPs, auditing) against the same
requests to moto's server (which checks nothing), same client, same run, 50 accounts in each.

Prints requests per second for each, p50/p99 latency and the ratio Baryon / moto (goal >= 2).
Run: `python bench/bench_org_list_accounts.py [--seconds 5]`.
"""

from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).parent))
from bench_front_door import _free_port, _report, _wait
from loadgen import run_load

ACCOUNTS = 50
BODY = b"{}"


def _headers(port: int, key: str, secret: str) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:{port}/",
        data=BODY,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts",
        },
    )
    SigV4Auth(Credentials(key, secret), "organizations", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = f"127.0.0.1:{port}"
    return headers


def _populate(client: object, wait_for_status: bool) -> None:
    for index in range(ACCOUNTS):
        status = client.create_account(Email=f"bench{index}@example.com", AccountName=f"bench-{index}")  # type: ignore[attr-defined]
        request_id = status["CreateAccountStatus"]["Id"]
        while wait_for_status:
            state = client.describe_create_account_status(CreateAccountRequestId=request_id)  # type: ignore[attr-defined]
            if state["CreateAccountStatus"]["State"] != "IN_PROGRESS":
                break
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="baryon-bench-"))
    env = dict(os.environ, AWS_CONFIG_FILE=str(home / "config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "creds"))
    baryon_port, moto_port = _free_port(), _free_port()
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
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://127.0.0.1:{baryon_port}/_baryon/health")
        _wait(f"http://127.0.0.1:{moto_port}/moto-api/")
        creds = configparser.RawConfigParser()
        creds.read(home / "creds")
        key, secret = creds.get("baryon", "aws_access_key_id"), creds.get("baryon", "aws_secret_access_key")
        ours = boto3.client(
            "organizations",
            endpoint_url=f"http://127.0.0.1:{baryon_port}",
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )
        theirs = boto3.client(
            "organizations",
            endpoint_url=f"http://127.0.0.1:{moto_port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        theirs.create_organization(FeatureSet="ALL")
        _populate(ours, wait_for_status=True)
        _populate(theirs, wait_for_status=False)
        baryon_headers = _headers(baryon_port, key, secret)
        moto_headers = _headers(moto_port, "testing", "testing")
        run_load("127.0.0.1", baryon_port, "POST", "/", BODY, baryon_headers, 1.0, args.connections)
        run_load("127.0.0.1", moto_port, "POST", "/", BODY, moto_headers, 1.0, args.connections)
        rounds = []
        for _ in range(2):
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
                        moto_port,
                        "POST",
                        "/",
                        BODY,
                        moto_headers,
                        args.seconds,
                        args.connections,
                    ),
                )
            )
        for index, (a, b) in enumerate(rounds, 1):
            _report(f"baryon#{index}", a)
            _report(f"moto#{index}", b)
        ours_rps = sum(r[0].requests for r in rounds) / sum(r[0].seconds for r in rounds)
        theirs_rps = sum(r[1].requests for r in rounds) / sum(r[1].seconds for r in rounds)
        errors = sum(r[0].errors + r[1].errors for r in rounds)
        print(
            f"ratio baryon/moto = {ours_rps / theirs_rps:.2f} (goal >= 2)"
            + ("" if not errors else f"  [{errors} ERRORS]")
        )
    finally:
        for process in (baryon, moto):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()

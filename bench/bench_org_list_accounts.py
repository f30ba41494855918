"""Signed organizations:ListAccounts through Baryon (authenticating, enforcing SCPs, auditing) against the same
request to moto's server (which checks nothing), same client, same run, 50 accounts in each.

Prints requests per second for each, p50/p99 latency and the ratio Baryon / moto (goal >= 2).
Run: `python bench/bench_org_list_accounts.py [--seconds 5]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).parent))
from harness import Target, compare, free_port, signed_headers, start_baryon, stop, wait_until_up

ACCOUNTS = 50
BODY = b"{}"
JSON = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"}


def _populate(client: Any, wait_for_status: bool) -> None:
    for index in range(ACCOUNTS):
        status = client.create_account(Email=f"bench{index}@example.com", AccountName=f"bench-{index}")
        request_id = status["CreateAccountStatus"]["Id"]
        while wait_for_status:
            state = client.describe_create_account_status(CreateAccountRequestId=request_id)
            if state["CreateAccountStatus"]["State"] != "IN_PROGRESS":
                break
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    moto_port = free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    baryon = start_baryon()
    try:
        wait_until_up(f"http://127.0.0.1:{moto_port}/moto-api/")
        ours_client = boto3.client(
            "organizations",
            endpoint_url=baryon.endpoint,
            region_name="us-east-1",
            aws_access_key_id=baryon.key,
            aws_secret_access_key=baryon.secret,
        )
        moto_client = boto3.client(
            "organizations",
            endpoint_url=f"http://127.0.0.1:{moto_port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        moto_client.create_organization(FeatureSet="ALL")
        _populate(ours_client, wait_for_status=True)
        _populate(moto_client, wait_for_status=False)
        ours = Target(
            "baryon", baryon.port, signed_headers(baryon.port, "organizations", BODY, JSON, baryon.key, baryon.secret)
        )
        theirs = Target("moto", moto_port, signed_headers(moto_port, "organizations", BODY, JSON, "testing", "testing"))
        ratio = compare(ours, theirs, BODY, args.seconds, args.connections)
        print(f"ratio baryon/moto = {ratio:.2f} (goal >= 2)")
    finally:
        stop(baryon.process, moto)


if __name__ == "__main__":
    main()

"""Signed sts:GetCallerIdentity through Baryon against a bare Starlette endpoint on the same server stack.

Both servers run under uvicorn in their own process; the same client replays one SigV4-signed request
over keep-alive connections. Prints throughput, p50/p99 latency and the ratio Baryon / bare (goal >= 0.5).
Run: `python bench/bench_front_door.py [--seconds 5]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import Target, compare, free_port, signed_headers, start_baryon, stop, wait_until_up

BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    bare_port = free_port()
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
    )
    baryon = start_baryon()
    try:
        wait_until_up(f"http://127.0.0.1:{bare_port}/")
        ours = Target("baryon", baryon.port, signed_headers(baryon.port, "sts", BODY, FORM, baryon.key, baryon.secret))
        theirs = Target("bare", bare_port, signed_headers(bare_port, "sts", BODY, FORM, baryon.key, baryon.secret))
        ratio = compare(ours, theirs, BODY, args.seconds, args.connections)
        print(f"ratio baryon/bare = {ratio:.2f} (goal >= 0.5)")
    finally:
        stop(baryon.process, bare)


if __name__ == "__main__":
    main()

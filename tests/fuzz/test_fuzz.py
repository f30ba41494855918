"""Model-driven fuzzing of every operation Baryon serves, against a real server on each store.

Valid inputs may get any 4xx (NoSuchEntity...); what fails is a 5xx, a traceback or exception name in a
body, a 4xx that is not the protocol's AWS error shape or lacks `x-amzn-RequestId`, a model-breaking input
that is accepted, a rejected create that leaves something behind, or a server that is not healthy at the end.
Scale with `BARYON_FUZZ_SCALE` (default 1: 4 valid and 30 mutated inputs per operation, plus raw junk) and
vary the inputs with `BARYON_FUZZ_SEED` (default 0).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.fuzz.runner import Fuzzer, served_operations
from tests.fuzz.state import CHECKS, CreateCheck, run_create_check
from tests.servers import RunningServer

SERVED = served_operations()
SHOWN = 40
AUDIT_FLUSH_SECONDS = 1.0


def _report(failures: list[str]) -> str:
    more = f"\n... and {len(failures) - SHOWN} more" if len(failures) > SHOWN else ""
    return f"{len(failures)} fuzz failures:\n" + "\n".join(failures[:SHOWN]) + more


@pytest.fixture
def fuzzer(server: RunningServer) -> Iterator[Fuzzer]:
    fuzzer = Fuzzer(server)
    yield fuzzer
    fuzzer.close()


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: f"{check.service}-{check.operation}")
def test_rejected_create_changes_nothing(fuzzer: Fuzzer, check: CreateCheck) -> None:
    if check.operation not in SERVED.get(check.service, []):
        pytest.skip(f"{check.service}:{check.operation} is not served yet")
    failures = run_create_check(fuzzer, check) + fuzzer.failures
    assert not failures, _report(failures)


@pytest.mark.parametrize("service", sorted(SERVED))
def test_fuzz_service(fuzzer: Fuzzer, service: str) -> None:
    fuzzer.service(service, SERVED[service])
    failures = fuzzer.failures + fuzzer.log_failures()
    assert not failures, _report(failures)


def test_server_healthy_after_fuzzing(fuzzer: Fuzzer) -> None:
    time.sleep(AUDIT_FLUSH_SECONDS)  # let queued audit records be written, so their failures show in the log
    unhealthy = fuzzer.healthy()
    assert unhealthy is None, unhealthy
    failures = fuzzer.log_failures(whole_run=True)
    assert not failures, _report(failures)

"""Driving the fuzz cases of one service against a running server and collecting what went wrong.

`Fuzzer(server).service(name)` sends, for every operation the service serves, `Plan.valid` valid inputs,
`Plan.mutated` mutations and the operation's raw junk, then the service-level junk (headers, signatures,
huge body). Every answer is checked with `tests.fuzz.checks.problems`; failures are collected, not raised,
so one run reports all of them.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from botocore.model import OperationModel

from baryon.edge.protocols.spec import ServiceSpec, load_service
from baryon.providers import operation_tables
from tests.fuzz.checks import SERVICE_LEVEL, TALLY, Tally, describe, problems
from tests.fuzz.encode import operation_request
from tests.fuzz.generate import InputGenerator, seed_for
from tests.fuzz.junk import operation_junk, service_junk
from tests.fuzz.sender import Request, Response, Sender
from tests.servers import RunningServer

# Operations that may remove or disable shared state run after the others of their service.
DESTRUCTIVE = (
    "Delete",
    "Remove",
    "Leave",
    "Disable",
    "Deregister",
    "Detach",
    "Decline",
    "Cancel",
    "Close",
    "Deactivate",
    "Untag",
    "Reject",
)
READ_ONLY = ("Get", "List", "Describe")
MEMORY = 20
_REQUEST_FAILED = re.compile(r"request (\S+) failed")
_LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ |[A-Z]+:\s")  # baryon's and uvicorn's formats


@dataclass
class ServerRun:
    """What the fuzz tests of one server process share: where its log stood when fuzzing began, the request
    ids it answered with a 5xx, and the values it accepted (by member name) for valid inputs to reuse."""

    log_start: int
    answered_5xx: set[str] = field(default_factory=set)
    memory: dict[str, list[str]] = field(default_factory=dict)


RUNS: dict[Path, ServerRun] = {}


def unexplained_tracebacks(log: str, answered_5xx: set[str]) -> list[str]:
    """Tracebacks in a server log no 5xx answer accounts for (failures in background work, e.g. audit).

    Each traceback (chained ones included) belongs to the log record above it; a record `request ID failed`
    is accounted for when the fuzzer got a 5xx answer carrying that request id."""
    lines = log.splitlines()
    records: dict[int, str] = {}
    for index, line in enumerate(lines):
        if not line.startswith("Traceback"):
            continue
        header = next((i for i in range(index - 1, -1, -1) if _LOG_RECORD.match(lines[i])), -1)
        match = _REQUEST_FAILED.search(lines[header]) if header >= 0 else None
        if header in records or (match and match.group(1) in answered_5xx):
            continue
        error = next((text for text in lines[index + 1 :] if text and not text[0].isspace()), "")
        record = lines[header][:200] if header >= 0 else ""
        records[header] = f"traceback in the server log: {record} -> {error[:300]}"
    return list(records.values())


@dataclass(frozen=True)
class Plan:
    valid: int
    mutated: int

    @classmethod
    def from_env(cls) -> Plan:
        """4 valid and 30 mutated inputs per operation, times `BARYON_FUZZ_SCALE` (default 1)."""
        scale = float(os.environ.get("BARYON_FUZZ_SCALE", "1"))
        return cls(valid=max(1, round(4 * scale)), mutated=max(1, round(30 * scale)))


def served_operations() -> dict[str, list[str]]:
    """Every operation Baryon serves, per service, in fuzzing order (destructive ones last)."""
    return {
        service: sorted(table.handlers, key=lambda name: (name.startswith(DESTRUCTIVE), name))
        for service, table in sorted(operation_tables().items())
    }


def sample_operation(spec: ServiceSpec, operations: list[str]) -> OperationModel:
    """A read-only operation without required input (the carrier of service-level junk), if there is one."""
    models = [spec.model.operation_model(name) for name in operations]

    def rank(model: OperationModel) -> tuple[bool, bool, str]:
        required = bool(model.input_shape is not None and model.input_shape.required_members)
        return (required, not model.name.startswith(READ_ONLY), model.name)

    return min(models, key=rank)


class Fuzzer:
    def __init__(self, server: RunningServer, plan: Plan | None = None, tally: Tally = TALLY) -> None:
        self.server = server
        self.plan = plan or Plan.from_env()
        self.tally = tally
        self.sender = Sender(server.endpoint, server.admin, server.region)
        self.failures: list[str] = []
        self.log_mark = len(server.log())
        if server.home not in RUNS:
            RUNS[server.home] = ServerRun(
                self.log_mark,
                memory={
                    "AccountId": [server.account_id],
                    "PolicyArn": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                },
            )
        self.run = RUNS[server.home]
        self.memory = self.run.memory

    def remember(self, params: dict[str, object]) -> None:
        """Keep the top-level strings of an accepted input, for later valid inputs to reuse."""
        for name, value in params.items():
            known = self.memory.setdefault(name, [])
            fresh = isinstance(value, str) and 0 < len(value) <= 256 and value not in known
            if fresh and len(known) < MEMORY:
                known.append(str(value))

    def close(self) -> None:
        self.sender.close()

    def send(self, request: Request, kind: str, operation: str | None = None) -> Response:
        response = self.sender.send(request)
        where = operation or request.operation or "-"
        self.tally.add(self.server.store, request.service, where, response, kind)
        found = problems(request, response)
        if response.status >= 500:
            self.run.answered_5xx.add(response.header("x-amzn-RequestId") or "")
        if found:
            failure = f"[{self.server.store}] {describe(request, response, found)}"
            self.failures.append(failure)
            self.tally.failures.append(failure)
        return response

    def service(self, name: str, operations: list[str]) -> float:
        """Fuzz every listed operation of one service, then its service-level junk; returns seconds taken."""
        started = time.monotonic()
        spec = load_service(name)
        for index, operation in enumerate(operations):
            self.operation(spec, spec.model.operation_model(operation), index)
        sample = sample_operation(spec, operations)
        carrier = operation_request(spec, sample, InputGenerator(sample, spec.protocol, 0).valid(1)[0])
        for request in service_junk(spec, carrier, self.server.admin["AccessKeyId"], self.server.region):
            self.send(request, request.label.split(":", 1)[0], operation=SERVICE_LEVEL)
        elapsed = time.monotonic() - started
        self.tally.seconds[(self.server.store, name)] += elapsed
        return elapsed

    def operation(self, spec: ServiceSpec, operation: OperationModel, index: int) -> None:
        generator = InputGenerator(operation, spec.protocol, seed_for(spec.name, operation.name), self.memory)
        valid = generator.valid(self.plan.valid)
        for case in valid:
            if self.send(operation_request(spec, operation, case), "valid").status == 200:
                self.remember(case.params)
        base = valid[min(1, len(valid) - 1)].params
        for case in generator.mutations(base, self.plan.mutated):
            self.send(operation_request(spec, operation, case), "mutated")
        for request in operation_junk(spec, operation_request(spec, operation, valid[0]), index):
            self.send(request, "junk")

    def log_failures(self, whole_run: bool = False) -> list[str]:
        """Unexplained tracebacks the server logged since this fuzzer (or, `whole_run`, the first) started."""
        log = self.server.log()[self.run.log_start if whole_run else self.log_mark :]
        found = unexplained_tracebacks(log, self.run.answered_5xx)
        return [f"[{self.server.store}] {problem}" for problem in found]

    def healthy(self) -> str | None:
        """None if the server process is alive and `/_baryon/health` answers 200, else what is wrong."""
        process = self.server.process
        if process is None or process.poll() is not None:
            return "the server process has exited"
        response = self.sender.get("/_baryon/health")
        if response.status != 200:
            return f"/_baryon/health answered {response.status} {response.error or ''}"
        return None

"""What every answer to a fuzz request must satisfy, and the tally of what was sent and seen."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tests.fuzz.sender import Request, Response

LAST_RUN = Path(__file__).parent / "last-run.json"
SERVICE_LEVEL = "(service)"
"""The tally's operation key for service-level junk (headers, signatures, huge bodies)."""
_LEAKS = re.compile(
    r"Traceback|File \"|\b(?:KeyError|TypeError|ValueError|AttributeError|IndexError|AssertionError|"
    r"RecursionError|UnicodeDecodeError|UnicodeEncodeError|ZeroDivisionError|NameError|OverflowError|"
    r"RuntimeError|NotImplementedError|IntegrityError|OperationalError|DataError|ProgrammingError|"
    r"StatementError|sqlalchemy|psycopg|sqlite3)\b"
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def json_error(body: bytes) -> str | None:
    """What is wrong with an awsJson error body, or None if it is `{"__type": ..., "message": ...}`."""
    try:
        document = json.loads(body)
    except ValueError:
        return "error body is not JSON"
    if not isinstance(document, dict):
        return "error body is not a JSON object"
    if not isinstance(document.get("__type"), str) or not document["__type"]:
        return "error body has no __type"
    if not isinstance(document.get("message", document.get("Message")), str):
        return "error body has no message/Message"
    return None


def query_error(body: bytes) -> str | None:
    """What is wrong with a query-protocol error body, or None if it is `<ErrorResponse>` with a `<Code>`."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "error body is not XML"
    if _local(root.tag) != "ErrorResponse":
        return f"error body root is <{_local(root.tag)}>, not <ErrorResponse>"
    codes = [el.text for el in root.iter() if _local(el.tag) == "Code"]
    if not codes or not codes[0]:
        return "error body has no <Code>"
    return None


def _well_formed(protocol: str | None, body: bytes) -> str | None:
    try:
        if protocol == "json":
            if not isinstance(json.loads(body), dict):
                return "success body is not a JSON object"
        elif protocol == "query":
            ET.fromstring(body)
    except (ValueError, ET.ParseError) as exc:
        return f"success body is malformed: {exc}"
    return None


def problems(request: Request, response: Response) -> list[str]:
    """Every way `response` breaks the rules for `request` (empty when it is fine)."""
    found: list[str] = []
    status = response.status
    if status == 0:
        return [f"no HTTP response ({response.error})"]
    if status >= 500:
        found.append(f"server error {status}")
    text = response.body.decode("utf-8", errors="replace")
    leak = _LEAKS.search(text)
    if leak:
        found.append(f"response leaks internals: {leak.group(0)!r}")
    if request.expect_status is not None and status != request.expect_status:
        found.append(f"expected status {request.expect_status}, got {status}")
    if request.expect_reject and status < 400:
        found.append(f"input that breaks the model was accepted ({status})")
    if 400 <= status < 500:
        if not response.header("x-amzn-RequestId"):
            found.append("4xx without x-amzn-RequestId")
        shapes = {"json": json_error, "query": query_error}
        checks = [shapes[request.protocol]] if request.protocol else list(shapes.values())
        verdicts = [check(response.body) for check in checks]
        if all(verdicts):
            found.append(f"4xx body is not an AWS error ({'; '.join(v for v in verdicts if v)})")
    if 200 <= status < 300:
        malformed = _well_formed(request.protocol, response.body)
        if malformed:
            found.append(malformed)
    return found


def describe(request: Request, response: Response, found: list[str]) -> str:
    body = response.body[:300].decode("utf-8", errors="replace")
    return (
        f"{request.service}:{request.operation or '-'} [{request.label}] -> {response.status}: "
        f"{'; '.join(found)} | {body}"
    )


class Tally:
    """Requests sent and statuses seen, per store, service and operation (`(service)` for service-level
    junk), and the seconds each service took."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
        self.kinds: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self.failures: list[str] = []

    def add(self, store: str, service: str, operation: str, response: Response, kind: str) -> None:
        key = (store, service, operation)
        self.counts[key][str(response.status)] += 1
        self.kinds[key][kind] += 1

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for (store, service, operation), statuses in sorted(self.counts.items()):
            entry = out.setdefault(store, {}).setdefault(service, {})
            entry[operation] = {
                "sent": sum(statuses.values()),
                "kinds": dict(sorted(self.kinds[(store, service, operation)].items())),
                "statuses": dict(sorted(statuses.items())),
            }
        return out

    def summary_lines(self) -> list[str]:
        lines = []
        for store, services in self.as_dict().items():
            for service, operations in services.items():
                sent = sum(op["sent"] for op in operations.values())
                statuses: Counter[str] = Counter()
                for op in operations.values():
                    statuses.update(op["statuses"])
                shown = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
                seconds = self.seconds.get((store, service), 0.0)
                served = len([name for name in operations if name != SERVICE_LEVEL])
                lines.append(f"{store:8} {service:14} {served:4} ops {sent:6} requests {seconds:6.1f} s  {shown}")
        return lines

    def write(self, path: Path = LAST_RUN) -> None:
        seconds: dict[str, dict[str, float]] = {}
        for (store, service), value in sorted(self.seconds.items()):
            seconds.setdefault(store, {})[service] = round(value, 1)
        document = {"operations": self.as_dict(), "seconds": seconds, "failures": self.failures}
        path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


TALLY = Tally()

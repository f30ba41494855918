"""Fuzz runs go last in a session (they call destructive operations with valid input on the shared server)
and leave their per-operation counts in `tests/fuzz/last-run.json` and the terminal summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.checks import LAST_RUN, TALLY

HERE = Path(__file__).parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    fuzz = [item for item in items if HERE in item.path.parents]
    rest = [item for item in items if HERE not in item.path.parents]
    items[:] = rest + fuzz


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY.counts:
        return
    TALLY.write()
    terminalreporter.section("baryon fuzz: requests and statuses")
    for line in TALLY.summary_lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"per-operation counts: {LAST_RUN}")

"""End-to-end tests that run `baryon up` themselves leave no local cloud behind: after each test, every local
cloud started for a data directory under its `tmp_path` is stopped (as `baryon cloud stop` would)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from baryon.cloud.local import LocalCloud


@pytest.fixture(autouse=True)
def _stop_local_clouds(tmp_path: Path) -> Iterator[None]:
    yield
    for state in tmp_path.rglob("cloud/process.json"):
        LocalCloud(state.parent.parent).stop()

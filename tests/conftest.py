"""Fixtures shared by the whole suite.

`server` is a real Baryon process; end-to-end tests that use it run once on SQLite and once on PostgreSQL
(127.0.0.1:5432). Without a reachable PostgreSQL the PostgreSQL leg is skipped, unless
`BARYON_REQUIRE_POSTGRES=1` (set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.servers import RunningServer, postgres_available, running_server

STORES = ["sqlite", "postgres"]


@pytest.fixture(scope="session", params=STORES)
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    store = request.param
    if store == "postgres" and not postgres_available():
        if os.environ.get("BARYON_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required (BARYON_REQUIRE_POSTGRES=1) but unreachable")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
    with running_server(store) as running:
        yield running

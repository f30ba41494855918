"""A Baryon server per store whose template sync runs every second."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import STORES
from tests.platform.conftest import need_store
from tests.servers import RunningServer, running_server


@pytest.fixture(scope="module", params=STORES)
def sync_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    need_store(request.param)
    with running_server(request.param, {"BARYON_SYNC_INTERVAL_SECONDS": "1"}) as running:
        yield running

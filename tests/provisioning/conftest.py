"""A moto server as every account's cloud for the provisioning tests (shared by the module's servers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platform.conftest import moto_server


@pytest.fixture(scope="session")
def cloud() -> Iterator[str]:
    with moto_server() as url:
        yield url

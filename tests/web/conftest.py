"""Fixtures of the dashboard's tests.

`browser` is headless Chromium from Debian's `chromium` package, driven by Playwright (Playwright's own
browser download is never used). Without /usr/bin/chromium the browser tests are skipped, unless
`BARYON_REQUIRE_BROWSER=1` (set by CI), which turns the skip into a failure. `dashboard_server` is a Baryon
of the browser tests' own (SQLite, no account cloud: the dashboard needs none), so its tree holds only what
they create and the screenshots stay legible. `cloud_server` is one with an account cloud (moto as Baryon runs
it) and template sync every second, for the Proton pages: templates register, environments deploy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.platform.conftest import moto_server
from tests.servers import RunningServer, running_server
from tests.web.helpers import DashboardClient

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("BARYON_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (BARYON_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def dashboard_server() -> Iterator[RunningServer]:
    with running_server("sqlite", extra_env={"BARYON_LOCAL_CLOUD_URL": ""}) as running:
        yield running


@pytest.fixture(scope="session")
def cloud_server() -> Iterator[RunningServer]:
    sync_every_second = {"BARYON_SYNC_INTERVAL_SECONDS": "1"}
    with (
        moto_server() as url,
        running_server("sqlite", {"BARYON_LOCAL_CLOUD_URL": url, **sync_every_second}) as running,
    ):
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; `page.dialogs` lists every alert/confirm that fired."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.dialogs = []

    def dismiss(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", dismiss)
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact, and say where."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


@pytest.fixture
def admin(server: RunningServer) -> Iterator[DashboardClient]:
    """The dashboard, signed in as the server's administrator."""
    client = DashboardClient(server)
    assert client.sign_in(server.admin).status_code == 303
    yield client
    client.close()

"""The dashboard's fleet page against the same query through the API, same server, same run.

10,000 environments of the management account spread over 100 environment accounts, on three environment
templates with versions 1.0, 1.1 and 2.0 published (a mix of up-to-date, behind-minor, behind-major and failed
environments). Creating them through the API would provision 10,000 stacks, so the benchmark seeds the store
directly: it starts `baryon up` once on a fresh SQLite data directory (migrations, organization, administrator),
stops it, writes the accounts, templates, versions and environments, and starts it again with no account cloud
and no provisioning workers.

Then, alternating, N times each over loopback with keep-alive connections:
- the first fleet page, `GET /dashboard/fleet` with a signed-in session cookie (its `ListEnvironments` page,
  one `GetEnvironmentTemplate` per template on it, the template names for the filter, the HTML);
- boto3's `list_environments(maxResults=50)`, the page size of the fleet page.

Both are timed by the client (the request's wall time, so both include HTTP and the whole server stack;
boto3's also includes its own signing and parsing). The dashboard's `Server-Timing` (the handler's time in the
server) is printed too. Prints medians, p90 and the ratio of medians (goal <= 2).

Run: `python bench/bench_fleet_page.py [--rounds 50]`. About a minute.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from baryon.org.tables import Account, Organization, Root  # noqa: E402
from baryon.platform.environment_tables import Environment  # noqa: E402
from baryon.platform.tables import ProtonTemplate, ProtonTemplateVersion  # noqa: E402
from baryon.store.db import Store  # noqa: E402
from baryon.web.pages.fleet import PAGE_SIZE  # noqa: E402
from tests.servers import RunningServer, running_server  # noqa: E402
from tests.web.helpers import DashboardClient  # noqa: E402

ENVIRONMENTS = 10_000
ACCOUNTS = 100
TEMPLATES = ("web-platform", "data-platform", "edge-platform")
VERSIONS = ((1, 0), (1, 1), (2, 0))
SCHEMA = (
    "schema:\n  format:\n    openapi: 3.0.0\n  environment_input_type: Input\n"
    "  types:\n    Input:\n      type: object\n"
)
GOAL = 2.0


def _seed(store: Store, region: str) -> None:
    """Accounts, templates with published versions, and environments, written straight to the store."""
    now = datetime.now(UTC)
    with store.session() as db:
        organization = db.scalars(select(Organization)).one()
        root = db.scalars(select(Root)).one()
        management = organization.management_account_id
        accounts = [f"{500000000000 + i:012d}" for i in range(ACCOUNTS)]
        db.add_all(
            Account(id=a, name=f"team-{i:03d}", email=f"team-{i:03d}@example.com", organization_id=organization.id,
                    parent_id=root.id, joined_at=now)
            for i, a in enumerate(accounts)
        )  # fmt: skip
        for name in TEMPLATES:
            template = ProtonTemplate(account_id=management, region=region, kind="ENVIRONMENT", name=name,
                                      recommended_version="2.0", created_at=now, updated_at=now)  # fmt: skip
            db.add(template)
            db.flush()
            db.add_all(
                ProtonTemplateVersion(template_id=template.id, major=major, minor=minor, status="PUBLISHED",
                                      source_bucket="bench", source_key=f"{name}/{major}.{minor}.tgz",
                                      request_digest="bench", schema=SCHEMA, created_at=now, updated_at=now)
                for major, minor in VERSIONS
            )  # fmt: skip
        rows: list[dict[str, Any]] = []
        for index in range(ENVIRONMENTS):
            major, minor = VERSIONS[(index // 3) % len(VERSIONS)]
            at = now - timedelta(minutes=index)
            rows.append(
                {"account_id": management, "region": region, "name": f"env-{index:05d}",
                 "template_name": TEMPLATES[index % len(TEMPLATES)], "template_major": major, "template_minor": minor,
                 "spec": "proton: EnvironmentSpec\nspec: {}\n", "environment_account_id": accounts[index % ACCOUNTS],
                 "proton_service_role_arn": f"arn:aws:iam::{management}:role/ProtonService",
                 "deployment_status": "FAILED" if index % 17 == 0 else "SUCCEEDED", "outputs": [],
                 "provisioned_resources": [], "tags": [], "last_attempted_at": at, "last_succeeded_at": at,
                 "created_at": at, "updated_at": at}
            )  # fmt: skip
        db.execute(Environment.__table__.insert(), rows)


def _timed_page(dashboard: DashboardClient) -> tuple[float, float]:
    """(client milliseconds, the server's own milliseconds) of the first fleet page."""
    started = time.perf_counter()
    response = dashboard.get("/dashboard/fleet")
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200 and response.text.count("data-environment=") == PAGE_SIZE, response.text[:500]
    return elapsed, float(response.headers["server-timing"].split("dur=")[1])


def _timed_list(proton: Any) -> float:
    started = time.perf_counter()
    listed = proton.list_environments(maxResults=PAGE_SIZE)
    elapsed = (time.perf_counter() - started) * 1000
    assert len(listed["environments"]) == PAGE_SIZE
    return elapsed


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def _line(name: str, values: list[float]) -> str:
    return f"{name:>28}: median {statistics.median(values):7.2f} ms  p90 {_p90(values):7.2f} ms  (n={len(values)})"


def _measure(server: RunningServer, rounds: int) -> None:
    dashboard = DashboardClient(server)
    assert dashboard.sign_in(server.admin).status_code == 303
    proton = server.client("proton")
    for _ in range(5):  # warm both paths up (imports, caches, connections)
        _timed_page(dashboard)
        _timed_list(proton)
    page, server_side, listed = [], [], []
    for _ in range(rounds):
        client_ms, server_ms = _timed_page(dashboard)
        page.append(client_ms)
        server_side.append(server_ms)
        listed.append(_timed_list(proton))
    dashboard.close()
    print(f"{ENVIRONMENTS} environments, {ACCOUNTS} accounts, page size {PAGE_SIZE}")
    print(_line("GET /dashboard/fleet", page))
    print(_line("  of which Server-Timing", server_side))
    print(_line("boto3 list_environments", listed))
    ratio = statistics.median(page) / statistics.median(listed)
    print(f"ratio fleet page / ListEnvironments (medians) = {ratio:.2f} (goal <= {GOAL:g})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    environment = {"BARYON_LOCAL_CLOUD_URL": "", "BARYON_PROVISIONING_WORKERS": "0"}
    with running_server("sqlite", environment) as server:
        server.stop()
        store = Store(f"sqlite:///{server.data_dir / 'baryon.db'}")
        started = time.perf_counter()
        _seed(store, server.region)
        store.dispose()
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        server.start()
        _measure(server, args.rounds)


if __name__ == "__main__":
    main()

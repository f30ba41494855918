"""The fleet page's logic without a server: categories, and which API calls a page makes (one page of
environments, one template read per template not already known, client-side filters scanning on)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest

from baryon.web.calls import AwsCalls
from baryon.web.pages.fleet import PAGE_SIZE, SCAN_PAGES, Filters, fleet, parse_version, standing


def _environment(index: int, template: str = "web", version: str = "2.0", status: str = "SUCCEEDED") -> dict[str, Any]:
    major, minor = version.split(".")
    return {
        "name": f"env-{index:05d}", "templateName": template, "templateMajorVersion": major,
        "templateMinorVersion": minor, "deploymentStatus": status,
        "environmentAccountId": str(100000000000 + index % 7),
    }  # fmt: skip


class FakeCalls:
    """Proton's and Organizations' answers over fixed data, and a log of the calls made."""

    def __init__(self, environments: list[dict[str, Any]], recommended: dict[str, str | None]) -> None:
        self.environments = environments
        self.recommended = recommended
        self.tree: dict[str, tuple[list[str], list[str]]] = {}
        """Parent → (child OUs, accounts)."""
        self.log: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        self.log.append((operation, params))
        if operation == "GetEnvironmentTemplate":
            recommended = self.recommended[params["name"]]
            return {
                "environmentTemplate": {
                    "name": params["name"],
                    **({"recommendedVersion": recommended} if recommended else {}),
                }
            }
        assert operation == "ListEnvironments", operation
        wanted = {(f["templateName"], f["majorVersion"]) for f in params.get("environmentTemplates", [])}
        listed = [
            e for e in self.environments if not wanted or (e["templateName"], e["templateMajorVersion"]) in wanted
        ]
        start, size = int(params.get("nextToken") or 0), params["maxResults"]
        page: dict[str, Any] = {"environments": listed[start : start + size]}
        if start + size < len(listed):
            page["nextToken"] = str(start + size)
        return page

    def pages(self, service: str, operation: str, member: str, **params: Any) -> Iterator[dict[str, Any]]:
        self.log.append((operation, params))
        ous, accounts = self.tree.get(params["ParentId"], ([], []))
        yield from ({"Id": i} for i in (ous if operation == "ListOrganizationalUnitsForParent" else accounts))

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.log]


@pytest.mark.parametrize(
    ("version", "status", "category", "behind"),
    [
        ("2.1", "SUCCEEDED", "up-to-date", ""),
        ("2.0", "IN_PROGRESS", "behind-minor", "1 minor version behind 2.1"),
        ("1.4", "SUCCEEDED", "behind-major", "1 major version behind 2.1"),
        ("2.0", "FAILED", "failed", "1 minor version behind 2.1"),
        ("2.1", "DELETE_FAILED", "failed", ""),
    ],
)
def test_standing_against_the_recommended_version(version: str, status: str, category: str, behind: str) -> None:
    found = standing(_environment(1, version=version, status=status), (2, 1))
    assert (found.category, found.behind) == (category, behind)


def test_standing_without_a_recommended_version_and_versions_as_text() -> None:
    assert standing(_environment(1), None).category == "unknown"
    assert standing(_environment(1, version="1.0"), (3, 0)).behind == "2 major versions behind 3.0"
    assert parse_version("12.3") == (12, 3) and parse_version(None) is None and parse_version("1") is None


def test_a_page_is_one_list_call_and_one_read_per_template_not_yet_known() -> None:
    templates = ("web", "data", "edge")
    environments = [_environment(i, templates[i % 3], ("2.0", "1.0", "2.1")[i % 3]) for i in range(120)]
    calls = FakeCalls(environments, {"web": "2.1", "data": "2.1", "edge": "2.1"})
    first = fleet(cast(AwsCalls, calls), Filters(), "", {"web": (2, 1)})
    assert calls.operations() == ["ListEnvironments", "GetEnvironmentTemplate", "GetEnvironmentTemplate"]
    assert calls.log[0][1] == {"maxResults": PAGE_SIZE}
    assert {params["name"] for _, params in calls.log[1:]} == {"data", "edge"}
    assert [row.environment["name"] for row in first.rows] == [e["name"] for e in environments[:PAGE_SIZE]]
    assert first.next_token == str(PAGE_SIZE)
    assert first.counts == {"up-to-date": 16, "behind-minor": 17, "behind-major": 17, "failed": 0}

    calls.log.clear()
    last = fleet(cast(AwsCalls, calls), Filters(), "100", {"web": (2, 1), "data": (2, 1), "edge": (2, 1)})
    assert calls.operations() == ["ListEnvironments"] and len(last.rows) == 20 and last.next_token is None


def test_client_side_filters_scan_pages_until_the_page_fills_and_link_on_from_there() -> None:
    environments = [_environment(i, status="FAILED" if i % 4 == 0 else "SUCCEEDED") for i in range(1000)]
    calls = FakeCalls(environments, {"web": "2.0"})
    failed = fleet(cast(AwsCalls, calls), Filters(status="FAILED"), "", {"web": (2, 0)})
    assert calls.operations() == ["ListEnvironments"] * 4  # 4 pages of 50 hold 50 FAILED
    assert len(failed.rows) == PAGE_SIZE and failed.scanned == 200 and failed.next_token == "200"
    assert all(row.standing.category == "failed" for row in failed.rows)

    account = "999999999999"
    calls.environments = [
        {**e, "environmentAccountId": account} if i % 100 == 0 else e for i, e in enumerate(environments)
    ]
    calls.log.clear()
    sparse = fleet(cast(AwsCalls, calls), Filters(account=account), "", {"web": (2, 0)})
    assert calls.operations() == ["ListEnvironments"] * SCAN_PAGES
    assert sparse.scanned == SCAN_PAGES * PAGE_SIZE and sparse.next_token == str(SCAN_PAGES * PAGE_SIZE)
    assert [row.environment["name"] for row in sparse.rows] == [f"env-{i:05d}" for i in range(0, 500, 100)]


def test_the_template_filter_asks_the_api_for_every_major_up_to_the_recommended_one() -> None:
    calls = FakeCalls([_environment(1, "web", "1.0"), _environment(2, "data", "1.0")], {"web": "3.1", "draft": None})
    found = fleet(cast(AwsCalls, calls), Filters(template="web"), "", {})
    assert calls.operations() == ["GetEnvironmentTemplate", "ListEnvironments"]
    assert calls.log[1][1]["environmentTemplates"] == [
        {"templateName": "web", "majorVersion": str(major)} for major in (1, 2, 3)
    ]
    assert [row.environment["name"] for row in found.rows] == ["env-00001"]
    assert found.rows[0].standing.category == "behind-major" and found.rows[0].recommended == "3.1"

    calls.log.clear()
    nothing = fleet(cast(AwsCalls, calls), Filters(template="draft"), "", {})
    assert calls.operations() == ["GetEnvironmentTemplate"] and nothing.rows == []


def test_the_ou_filter_keeps_the_accounts_of_the_ou_and_of_its_nested_ous() -> None:
    environments = [_environment(i) for i in range(14)]
    calls = FakeCalls(environments, {"web": "2.0"})
    a, b, c = (_environment(i)["environmentAccountId"] for i in (1, 2, 3))
    calls.tree = {"ou-teams": (["ou-payments"], [a]), "ou-payments": ([], [b]), "ou-other": ([], [c])}
    found = fleet(cast(AwsCalls, calls), Filters(ou="ou-teams"), "", {"web": (2, 0)})
    assert {row.environment["environmentAccountId"] for row in found.rows} == {a, b}
    assert len(found.rows) == 4
    narrowed = fleet(cast(AwsCalls, calls), Filters(ou="ou-teams", account=b), "", {"web": (2, 0)})
    assert {row.environment["environmentAccountId"] for row in narrowed.rows} == {b}
    assert Filters(ou="ou-teams", account=b, status="FAILED").query == f"account={b}&ou=ou-teams&status=FAILED"

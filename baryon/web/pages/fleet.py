"""The fleet page: the signed-in account's environments, wherever their infrastructure lives, and how far
each one's template version is behind its template's recommended version.

Categories are those of Proton's `GetResourcesSummary` (which Baryon does not serve), computed per
environment: **failed** (deployment status FAILED or DELETE_FAILED), else **behind major** (its major is below
the recommended version's), else **behind minor** (below the recommended major's highest published minor,
which *is* the recommended version's minor, the recommended version being the highest published one), else
**up to date**. So a template's `recommendedVersion` says it all. The page reads it from the first page of
`ListEnvironmentTemplates` (which also fills the template filter), and with `GetEnvironmentTemplate` only for
a template on the page that is not on that first page, once per template. The counts at the top are those of
the environments shown, never of the whole fleet: counting 10,000 environments would mean listing them all.
Service instances do not exist in Baryon yet, so the fleet holds environments only.

Only one page is ever fetched: `ListEnvironments` with the `next` token kept in the URL. The template filter
is the API's own (`environmentTemplates`, every major up to the recommended one). The API cannot filter by
account or deployment status, so those filters, and the OU filter (the accounts of the OU and of the OUs
nested in it, listed through Organizations), are applied to the API's pages as they come: a filtered page
scans up to `SCAN_PAGES` of them until it holds `PAGE_SIZE` matches, shows every match of the pages it
scanned, and links on from where it stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from baryon.web.calls import AwsCalls, CallFailed
from baryon.web.view import View

PAGE_SIZE = 50
SCAN_PAGES = 10
FAILED = frozenset({"FAILED", "DELETE_FAILED"})
STATUSES = (
    "IN_PROGRESS", "SUCCEEDED", "FAILED", "DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_COMPLETE", "CANCELLING",
    "CANCELLED",
)  # fmt: skip
CATEGORIES = {"up-to-date": "up to date", "behind-minor": "behind minor", "behind-major": "behind major",
              "failed": "failed"}  # fmt: skip

Version = tuple[int, int]


@dataclass(frozen=True)
class Standing:
    """How an environment's template version compares with its template's recommended version."""

    category: str
    """A key of `CATEGORIES`, or `unknown` (the template could not be read)."""
    behind: str
    """How far behind, in words (empty when up to date)."""


def parse_version(text: str | None) -> Version | None:
    """`"2.1"` → (2, 1)."""
    major, dot, minor = (text or "").partition(".")
    return (int(major), int(minor)) if dot and major.isdigit() and minor.isdigit() else None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def standing(environment: dict[str, Any], recommended: Version | None) -> Standing:
    if recommended is None:
        distance, category = "the template's recommended version is unknown", "unknown"
    else:
        current = (int(environment["templateMajorVersion"]), int(environment["templateMinorVersion"]))
        label = "{}.{}".format(*recommended)
        if current[0] < recommended[0]:
            distance = f"{_plural(recommended[0] - current[0], 'major version')} behind {label}"
            category = "behind-major"
        elif current < recommended:
            distance = f"{_plural(recommended[1] - current[1], 'minor version')} behind {label}"
            category = "behind-minor"
        else:
            distance, category = "", "up-to-date"
    return Standing("failed" if environment["deploymentStatus"] in FAILED else category, distance)


@dataclass(frozen=True)
class Filters:
    template: str = ""
    account: str = ""
    ou: str = ""
    status: str = ""

    @classmethod
    def of(cls, view: View) -> Filters:
        status = view.param("status")
        return cls(
            view.param("template"), view.param("account"), view.param("ou"), status if status in STATUSES else ""
        )

    @property
    def client_side(self) -> bool:
        """Whether environments are filtered after they are listed (the API filters only by template)."""
        return bool(self.account or self.ou or self.status)

    @property
    def query(self) -> str:
        """The filters as the page's links repeat them."""
        return urlencode({k: v for k, v in vars(self).items() if v})

    def admits(self, environment: dict[str, Any], accounts: frozenset[str] | None) -> bool:
        account = environment["environmentAccountId"]
        return (
            (not self.account or account == self.account)
            and (accounts is None or account in accounts)
            and (not self.status or environment["deploymentStatus"] == self.status)
        )


@dataclass(frozen=True)
class Row:
    environment: dict[str, Any]
    standing: Standing
    recommended: str | None


@dataclass(frozen=True)
class Fleet:
    rows: list[Row]
    next_token: str | None
    scanned: int

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.standing.category for row in self.rows)
        return {key: counted[key] for key in CATEGORIES}


def listed_templates(calls: AwsCalls) -> dict[str, Version | None]:
    """The first page of environment templates (up to 100), with their recommended versions."""
    try:
        listed = calls("proton", "ListEnvironmentTemplates", maxResults=100)["templates"]
    except CallFailed:
        return {}
    return {t["name"]: parse_version(t.get("recommendedVersion")) for t in listed}


def recommended_versions(calls: AwsCalls, names: Iterable[str]) -> dict[str, Version | None]:
    """Each template's recommended version, one `GetEnvironmentTemplate` per template (None if unreadable)."""
    found: dict[str, Version | None] = {}
    for name in sorted(set(names)):
        try:
            template = calls("proton", "GetEnvironmentTemplate", name=name)["environmentTemplate"]
        except CallFailed:
            found[name] = None
            continue
        found[name] = parse_version(template.get("recommendedVersion"))
    return found


def accounts_under(calls: AwsCalls, ou_id: str) -> frozenset[str]:
    """The accounts in an OU and in the OUs nested in it (at most five levels deep)."""
    accounts: set[str] = set()
    parents = [ou_id]
    while parents:
        parent = parents.pop()
        accounts |= {
            a["Id"] for a in calls.pages("organizations", "ListAccountsForParent", "Accounts", ParentId=parent)
        }
        children = calls.pages(
            "organizations", "ListOrganizationalUnitsForParent", "OrganizationalUnits", ParentId=parent
        )
        parents += [ou["Id"] for ou in children]
    return frozenset(accounts)


def fleet(calls: AwsCalls, filters: Filters, token: str, known: dict[str, Version | None]) -> Fleet:
    """One page of the fleet: one `ListEnvironments` call, or up to `SCAN_PAGES` with client-side filters.
    `known`: recommended versions already read, by template name."""
    recommended = dict(known)
    params: dict[str, Any] = {"maxResults": PAGE_SIZE}
    if filters.template:
        if filters.template not in recommended:
            recommended |= recommended_versions(calls, [filters.template])
        latest = recommended[filters.template]
        if latest is None:  # nothing published (or no such template): no environment can use it
            return Fleet([], None, 0)
        params["environmentTemplates"] = [
            {"templateName": filters.template, "majorVersion": str(major)} for major in range(1, latest[0] + 1)
        ]
    accounts = accounts_under(calls, filters.ou) if filters.ou else None
    matched: list[dict[str, Any]] = []
    scanned = 0
    for _ in range(SCAN_PAGES if filters.client_side else 1):
        page = calls("proton", "ListEnvironments", **params, **({"nextToken": token} if token else {}))
        scanned += len(page["environments"])
        matched += [e for e in page["environments"] if filters.admits(e, accounts)]
        token = page.get("nextToken", "")
        if not token or len(matched) >= PAGE_SIZE:
            break
    recommended |= recommended_versions(calls, {e["templateName"] for e in matched} - set(recommended))
    rows = []
    for environment in matched:
        latest = recommended[environment["templateName"]]
        label = "{}.{}".format(*latest) if latest else None
        rows.append(Row(environment, standing(environment, latest), label))
    return Fleet(rows, token or None, scanned)


def fleet_page(view: View) -> Response:
    filters = Filters.of(view)
    templates = listed_templates(view.calls)
    found: Fleet | None = None
    failure: CallFailed | None = None
    try:
        found = fleet(view.calls, filters, view.param("next"), templates)
    except CallFailed as error:
        failure = error
    return view.page(
        "fleet.html",
        failure=failure,
        fleet=found,
        filters=filters,
        first_page=not view.param("next"),
        template_names=list(templates),
        statuses=STATUSES,
        categories=CATEGORIES,
    )

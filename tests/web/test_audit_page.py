"""The audit page over HTTP: who may read it and what each principal sees, keyset pages, and the dashboard's
own calls in the trail like anyone else's."""

from __future__ import annotations

import re
import time
from html import unescape

from tests.org.helpers import assume_access_role, new_account, unique
from tests.servers import RunningServer
from tests.web.helpers import DashboardClient, text

_REQUEST_IDS = re.compile(r'<td class="id">([0-9a-f-]{36})</td>')
_ROW_ACCOUNTS = re.compile(r'<td class="principal">[^<]*</td>\s*<td>([^<]*)</td>')


def _rows_until(client: DashboardClient, count: int, **filters: str) -> str:
    """The audit page once at least `count` rows match (the trail is written just after each answer)."""
    deadline = time.monotonic() + 20
    while True:
        page = client.get("/dashboard/audit", **filters)
        if len(_REQUEST_IDS.findall(page.text)) >= count or time.monotonic() > deadline:
            return page.text
        time.sleep(0.2)


def test_a_member_account_reads_only_its_own_calls(server: RunningServer) -> None:
    account = new_account(server)
    role_session = assume_access_role(server, account, session="auditor")
    server.client("iam", role_session).list_users()
    member = DashboardClient(server)
    assert member.sign_in(role_session).status_code == 303
    page = _rows_until(member, 1, account=server.account_id)  # asking for another account changes nothing
    assert f"Calls of account {account}" in text(page)
    accounts = set(_ROW_ACCOUNTS.findall(page))
    assert accounts == {account}
    assert server.account_id not in page
    member.close()


def test_pages_follow_the_trail_backwards_without_overlap(server: RunningServer, admin: DashboardClient) -> None:
    iam = server.client("iam")
    user = unique("pager")
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    key = iam.create_access_key(UserName=user)["AccessKey"]
    sts = server.client("sts", key)
    for _ in range(56):
        sts.get_caller_identity()
    deadline = time.monotonic() + 20
    while True:  # the trail is written in batches just after the answers: wait until all 56 calls are in it
        first = admin.get("/dashboard/audit", principal=arn).text
        older = re.search(r'href="(/dashboard/audit\?[^"]*before=\d+)" id="older"', first)
        second = admin.get(unescape(older.group(1))).text if older else ""
        if len(_REQUEST_IDS.findall(second)) >= 6 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    newest = _REQUEST_IDS.findall(first)
    assert len(newest) == 50 and older is not None
    rest = _REQUEST_IDS.findall(second)
    assert len(rest) == 6 and not set(rest) & set(newest)
    assert 'id="older"' not in second and "data-refresh" not in second


def test_the_dashboards_own_calls_are_in_the_trail(server: RunningServer, admin: DashboardClient) -> None:
    admin.get("/dashboard/org")
    admin.get("/dashboard/audit")
    arn = f"arn:aws:iam::{server.account_id}:user/baryon-admin"
    deadline = time.monotonic() + 20
    while True:
        page = text(admin.get("/dashboard/audit", principal=arn).text)
        if ("organizations:ListRoots" in page and "cloudtrail:LookupEvents" in page) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "organizations:ListRoots" in page and "cloudtrail:LookupEvents" in page


def test_explaining_an_unknown_call(admin: DashboardClient) -> None:
    missing = admin.get("/dashboard/audit/explain/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert "No such call in your audit trail." in text(missing.text)

"""The organization page over HTTP: one page of children per node, and the effective decision of the SCPs
for an action in an account, level by level."""

from __future__ import annotations

import re
from html import unescape

from tests.org.helpers import allow, create_scp, new_account, new_ou, orgs, root_id, unique
from tests.servers import RunningServer
from tests.web.helpers import DashboardClient, text


def _ous(page_html: str) -> list[str]:
    return re.findall(
        r'<li class="ou">\s*<details data-src="/dashboard/org/children\?parent=(ou-[a-z0-9-]+)"', page_html
    )


def test_children_come_one_page_at_a_time(server: RunningServer, admin: DashboardClient) -> None:
    parent = new_ou(server, root_id(server), unique("Many"))
    created = {new_ou(server, parent, f"team-{i:02d}") for i in range(23)}
    first = admin.get("/dashboard/org", node=parent)
    assert first.status_code == 200
    shown = _ous(first.text)
    assert len(shown) == 20
    more = re.search(r'href="(/dashboard/org\?node=[^"]+&amp;ous=[^"]+)">More OUs', first.text)
    assert more is not None
    second = admin.get(unescape(more.group(1)))
    rest = _ous(second.text)
    assert len(rest) == 3 and set(shown) | set(rest) == created
    fragment = admin.get("/dashboard/org/children", parent=parent)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert _ous(fragment.text) == shown


def test_decision_names_the_level_without_an_allow(server: RunningServer, admin: DashboardClient) -> None:
    ou = new_ou(server, root_id(server), unique("IamOnly"))
    account = new_account(server)
    orgs(server).move_account(AccountId=account, SourceParentId=root_id(server), DestinationParentId=ou)
    iam_only = create_scp(server, allow("iam:*"), unique("iam-only"))
    orgs(server).attach_policy(PolicyId=iam_only["Id"], TargetId=ou)
    orgs(server).detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou)

    denied = admin.get("/dashboard/org", account=account, action="proton:ListEnvironments")
    levels = re.findall(r'<li class="level depth-(\d) (\w+)">', denied.text)
    assert levels == [("0", "allowed"), ("1", "implicitDeny"), ("2", "allowed")]
    assert "No SCP at this level allows the action." in text(denied.text)
    assert re.search(r'<span class="badge implicitDeny">implicitDeny</span>', denied.text)

    allowed = admin.get("/dashboard/org", account=account, action="iam:ListUsers")
    assert re.findall(r'<li class="level depth-\d (\w+)">', allowed.text) == ["allowed"] * 3
    assert iam_only["Name"] in allowed.text


def test_decision_for_the_management_account_and_a_malformed_question(
    server: RunningServer, admin: DashboardClient
) -> None:
    management = admin.get("/dashboard/org", account=server.account_id, action="proton:CreateEnvironment")
    assert "The management account is not governed by SCPs." in text(management.text)
    malformed = admin.get("/dashboard/org", account="12ab", action="proton:CreateEnvironment")
    assert "Enter the 12-digit id of an account." in text(malformed.text)
    unknown = admin.get("/dashboard/org", account="000000000000", action="proton:CreateEnvironment")
    assert "AccountNotFoundException" in unknown.text

"""The dashboard end to end in headless Chromium: sign in, walk the tree, decide an action an SCP denies, read
the audit trail and a denial's explanation, sign out; a principal limited by its policies; hostile names.

Each test keeps a screenshot of every page it visits in tests/web/artifacts/.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.org.helpers import (
    ACCESS_ROLE,
    assume_access_role,
    create_scp,
    new_account,
    new_ou,
    orgs,
    root_id,
    unique,
)
from tests.servers import RunningServer
from tests.web.conftest import screenshot
from tests.web.helpers import member_user, sign_in_browser

DENY_AUTHORING = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NoTemplateAuthoring",
                "Effect": "Deny",
                "Action": ["proton:CreateEnvironmentTemplate", "proton:CreateEnvironment"],
                "Resource": "*",
            }
        ],
    }
)


def _development(server: RunningServer) -> tuple[str, str, str, dict[str, Any]]:
    """An OU 'Development-…' with a vended account in it and an SCP denying Proton authoring attached to it:
    (OU id, OU name, account id, SCP summary)."""
    ou_name = unique("Development")
    ou_id = new_ou(server, root_id(server), ou_name)
    account = new_account(server, unique("dev"))
    orgs(server).move_account(AccountId=account, SourceParentId=root_id(server), DestinationParentId=ou_id)
    scp = create_scp(server, DENY_AUTHORING, unique("deny-authoring"))
    orgs(server).attach_policy(PolicyId=scp["Id"], TargetId=ou_id)
    return ou_id, ou_name, account, scp


def _denied_request(server: RunningServer, account: str) -> str:
    """A developer in the account is denied by the SCP; the request id of that call."""
    developer = assume_access_role(server, account, session="alice")
    with pytest.raises(ClientError) as denied:
        server.client("proton", developer).create_environment_template(name=unique("web"))
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    return str(denied.value.response["ResponseMetadata"]["RequestId"])


def _until_listed(page: Any, url: str, selector: str, seconds: float = 15) -> None:
    """Reload `url` until `selector` shows (audit records of refused calls are written just after the answer)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if page.locator(selector).count() or time.monotonic() > deadline:
            return
        time.sleep(0.3)


def test_walkthrough_sign_in_tree_decision_audit_explanation_sign_out(
    dashboard_server: RunningServer, page: Any
) -> None:
    from playwright.sync_api import expect

    server = dashboard_server
    ou_id, ou_name, account, scp = _development(server)
    request_id = _denied_request(server, account)
    base = server.endpoint + "/dashboard"

    page.goto(base)
    expect(page).to_have_url(base + "/sign-in")
    screenshot(page, "sign-in")

    # A wrong secret is refused with a generic message that never repeats the secret.
    page.fill("#access_key_id", server.admin["AccessKeyId"])
    page.fill("#secret_access_key", "not-the-secret-" + unique("x"))
    page.click("#sign-in")
    expect(page.locator("#sign-in-error")).to_contain_text("not accepted")
    assert "not-the-secret-" not in page.content()
    screenshot(page, "sign-in-refused")

    sign_in_browser(page, server, server.admin)
    expect(page.locator("header .principal")).to_have_text(f"arn:aws:iam::{server.account_id}:user/baryon-admin")
    screenshot(page, "organization")

    # Walk the tree: open the Development OU in place; its account and the SCPs attached at each node show.
    ou = page.locator("li.ou", has=page.locator(f"text={ou_id}"))
    expect(ou.locator("summary a.scp", has_text=scp["Name"])).to_be_visible()
    ou.locator("summary .name").click()
    member = ou.locator("li.account", has_text=account)
    expect(member).to_be_visible()
    expect(member.locator("a.scp", has_text="FullAWSAccess")).to_be_visible()
    screenshot(page, "organization-tree")

    # The effective decision for the account, drawn on its path: the OU's SCP denies explicitly.
    member.locator("a.decide-link").click()
    expect(page.locator("#decide-account")).to_have_value(account)
    page.fill("#decide-action", "proton:CreateEnvironmentTemplate")
    page.click("#decide-submit")
    answer = page.locator("#answer")
    expect(answer.locator(".verdict .badge")).to_have_text("explicitDeny")
    root_level, ou_level, account_level = (answer.locator("li.level").nth(i) for i in range(3))
    expect(root_level).to_have_class("level depth-0 allowed")
    expect(ou_level).to_have_class("level depth-1 explicitDeny")
    expect(ou_level.locator(".name")).to_have_text(ou_name)
    expect(ou_level.locator("a.scp")).to_have_text(scp["Name"])
    expect(ou_level.locator(".sid")).to_have_text("Sid NoTemplateAuthoring")
    expect(account_level).to_have_class("level depth-2 allowed")
    screenshot(page, "decision")

    ou_level.locator("a.scp").click()
    expect(page.locator("#policy-content")).to_contain_text("NoTemplateAuthoring")
    screenshot(page, "policy")

    # The audit trail, filtered to the developer's denials; the denial links to its explanation.
    developer = f"arn:aws:sts::{account}:assumed-role/{ACCESS_ROLE}/alice"
    _until_listed(page, f"{base}/audit?decision=explicitDeny&principal={developer}", f"text={request_id}")
    row = page.locator("#audit-rows tr", has_text=request_id)
    expect(row).to_contain_text("proton:CreateEnvironmentTemplate")
    screenshot(page, "audit")
    row.locator("a.why").click()
    expect(page.locator("#recorded-reason")).to_contain_text(f"explicit deny in a service control policy: {scp['Arn']}")
    explained_ou = page.locator("ol.path li.level.explicitDeny")
    expect(explained_ou.locator(".name")).to_have_text(ou_name)
    expect(explained_ou.locator("a.scp")).to_have_text(scp["Name"])
    screenshot(page, "explanation")

    page.click("#sign-out")
    expect(page).to_have_url(base + "/sign-in")
    page.goto(base + "/org")
    expect(page).to_have_url(base + "/sign-in")
    page.goto(base + "/audit")
    expect(page).to_have_url(base + "/sign-in")
    assert page.dialogs == []


def test_a_principal_limited_by_its_policies_sees_only_its_own_account(
    dashboard_server: RunningServer, page: Any
) -> None:
    from playwright.sync_api import expect

    server = dashboard_server
    hidden_ou = new_ou(server, root_id(server), unique("Hidden"))
    account = new_account(server, unique("member"))
    arn, key = member_user(server, account, "organizations:Describe*", "organizations:List*", "iam:Get*", "iam:List*")

    sign_in_browser(page, server, key)
    expect(page.locator("header .principal")).to_have_text(arn)
    expect(page.locator("header .account")).to_have_text(f"account {account}")
    panel = page.locator(".panel.denied")
    expect(panel).to_contain_text("Access denied")
    expect(panel).to_contain_text("You don't have permissions to access this resource.")
    content = page.content()
    assert server.account_id not in content and hidden_ou not in content
    assert page.locator("#tree").count() == 0
    screenshot(page, "limited-organization")

    response = page.goto(server.endpoint + "/dashboard/audit")
    assert response is not None and response.status == 403
    expect(page.locator(".panel.denied")).to_contain_text(
        f"User: {arn} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy "
        "allows the cloudtrail:LookupEvents action"
    )
    screenshot(page, "limited-audit")


def test_names_carrying_html_or_script_are_shown_escaped(dashboard_server: RunningServer, page: Any) -> None:
    """Organizations refuses `<` and `>` in tags (their pattern), so names and descriptions carry the payloads:
    an OU's, an account's and an SCP's."""
    from playwright.sync_api import expect

    server = dashboard_server
    client = orgs(server)
    hostile_ou = '<script>alert("ou")</script>' + unique("")
    hostile_account = '<img src=x onerror=alert("acct")>'
    hostile_scp = "<b onmouseover=alert(1)>" + unique("scp")
    ou_id = new_ou(server, root_id(server), hostile_ou)
    client.tag_resource(ResourceId=ou_id, Tags=[{"Key": "team", "Value": "platform"}])
    status = client.create_account(Email=unique("acct") + "@example.com", AccountName=hostile_account)
    account = client.describe_create_account_status(CreateAccountRequestId=status["CreateAccountStatus"]["Id"])[
        "CreateAccountStatus"
    ]["AccountId"]
    client.move_account(AccountId=account, SourceParentId=root_id(server), DestinationParentId=ou_id)
    scp = client.create_policy(
        Name=hostile_scp, Description="<script>alert(2)</script>", Type="SERVICE_CONTROL_POLICY", Content=DENY_AUTHORING
    )["Policy"]["PolicySummary"]
    client.attach_policy(PolicyId=scp["Id"], TargetId=ou_id)

    sign_in_browser(page, server, server.admin)
    expect(page.locator("li.ou", has_text=ou_id)).to_contain_text(hostile_ou)
    page.goto(f"{server.endpoint}/dashboard/org?node={ou_id}")
    focus = page.locator("#focus")
    expect(focus.locator("h2")).to_contain_text(hostile_ou)
    expect(focus.locator("table.tags")).to_contain_text("platform")
    expect(focus.locator("a.scp", has_text=hostile_scp)).to_be_visible()
    expect(page.locator("li.account", has_text=account)).to_contain_text(hostile_account)
    screenshot(page, "escaping")
    _nothing_injected(page)
    page.locator("a.scp", has_text=hostile_scp).click()
    expect(page.locator("h1")).to_contain_text(hostile_scp)
    expect(page.locator("main")).to_contain_text("<script>alert(2)</script>")
    screenshot(page, "escaping-policy")
    _nothing_injected(page)
    assert page.dialogs == []


def _nothing_injected(page: Any) -> None:
    """No element came out of the hostile names: no image, no bold text, no script but the dashboard's own."""
    assert page.locator("img").count() == 0
    assert page.locator("b").count() == 0
    assert page.locator("script").count() == 1

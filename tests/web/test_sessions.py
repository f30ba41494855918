"""Sign-in, sessions and CSRF over plain HTTP, against real servers on both stores: the cookie's flags, a
generic refusal of wrong keys, POSTs without the token refused with nothing changed, sign-out, credentials
that stop working, and AWS-signed requests under /dashboard left to the API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.e2e.signing import GET_CALLER_IDENTITY, STS_FORM, send
from tests.org.helpers import assume_access_role, new_account, unique
from tests.servers import RunningServer
from tests.web.helpers import DashboardClient, csrf_token, text


@pytest.fixture
def dashboard(server: RunningServer) -> Iterator[DashboardClient]:
    client = DashboardClient(server)
    yield client
    client.close()


def test_sign_in_sets_a_strict_http_only_session_cookie(server: RunningServer, dashboard: DashboardClient) -> None:
    assert dashboard.get("/dashboard").headers["location"] == "/dashboard/sign-in"
    signed_in = dashboard.sign_in(server.admin)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/dashboard/org"
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("baryon_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/dashboard", "max-age=43200"} <= flags
    assert len(cookie.split(";")[0].split("=", 1)[1]) >= 43  # 32 random bytes, url-safe base64
    page = dashboard.get("/dashboard/org")
    assert page.status_code == 200
    assert f"arn:aws:iam::{server.account_id}:user/baryon-admin" in page.text
    assert server.admin["SecretAccessKey"] not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_wrong_keys_are_refused_with_one_generic_message(server: RunningServer, dashboard: DashboardClient) -> None:
    wrong_secret = {"AccessKeyId": server.admin["AccessKeyId"], "SecretAccessKey": "wrong-" + unique("s")}
    unknown_key = {"AccessKeyId": "AKIA" + "Z" * 16, "SecretAccessKey": "wrong-" + unique("s")}
    refusals = [dashboard.sign_in(wrong_secret), dashboard.sign_in(unknown_key)]
    for refused, credentials in zip(refusals, (wrong_secret, unknown_key), strict=True):
        assert refused.status_code == 401
        assert "Sign-in failed: that access key pair was not accepted." in text(refused.text)
        assert credentials["SecretAccessKey"] not in refused.text
        assert not any(c.startswith("baryon_session=") for c in refused.headers.get_list("set-cookie"))
    assert dashboard.get("/dashboard/org").headers["location"] == "/dashboard/sign-in"


def test_sign_in_with_temporary_credentials(server: RunningServer, dashboard: DashboardClient) -> None:
    account = new_account(server)
    role_session = assume_access_role(server, account, session="carol")
    assert dashboard.sign_in(role_session).status_code == 303
    page = dashboard.get("/dashboard/org")
    assert f"arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/carol" in page.text
    assert role_session["SessionToken"] not in page.text


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    server: RunningServer, dashboard: DashboardClient
) -> None:
    dashboard.sign_in(server.admin)
    page = dashboard.get("/dashboard/org")
    for forged in ({}, {"csrf_token": "forged"}, {"csrf_token": csrf_token(page.text)[:-2] + "xx"}):
        refused = dashboard.post("/dashboard/sign-out", forged)
        assert refused.status_code == 403
        assert "did not come from this dashboard" in text(refused.text)
        assert dashboard.get("/dashboard/org").status_code == 200  # still signed in
    # Another session's token does not fit this one.
    other = DashboardClient(server)
    other.sign_in(server.admin)
    foreign = csrf_token(other.get("/dashboard/org").text)
    assert dashboard.post("/dashboard/sign-out", {"csrf_token": foreign}).status_code == 403
    other.close()
    # Sign-in itself needs the token of its form.
    fresh = DashboardClient(server)
    forged_sign_in = fresh.post(
        "/dashboard/sign-in",
        {"access_key_id": server.admin["AccessKeyId"], "secret_access_key": server.admin["SecretAccessKey"]},
    )
    assert forged_sign_in.status_code == 403
    assert fresh.get("/dashboard/org").headers["location"] == "/dashboard/sign-in"
    fresh.close()


def test_sign_out_ends_the_session_for_good(server: RunningServer, dashboard: DashboardClient) -> None:
    dashboard.sign_in(server.admin)
    cookie = dashboard.http.cookies["baryon_session"]
    token = csrf_token(dashboard.get("/dashboard/org").text)
    signed_out = dashboard.post("/dashboard/sign-out", {}, headers={"X-CSRF-Token": token})  # as fetch() sends it
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/dashboard/sign-in"
    replay = DashboardClient(server)
    replay.http.cookies.set("baryon_session", cookie, path="/dashboard")
    for path in ("/dashboard/org", "/dashboard/audit", "/dashboard/org/children?parent=r-0000"):
        assert replay.get(path).headers["location"] == "/dashboard/sign-in"
    replay.close()


def test_a_deleted_key_ends_its_session(server: RunningServer, dashboard: DashboardClient) -> None:
    iam = server.client("iam")
    user = unique("viewer")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName=user)["AccessKey"]
    assert dashboard.sign_in(key).status_code == 303
    assert dashboard.get("/dashboard/org").status_code == 200
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    assert dashboard.get("/dashboard/org").headers["location"] == "/dashboard/sign-in"
    assert dashboard.get("/dashboard/org").headers["location"] == "/dashboard/sign-in"


def test_aws_signed_requests_under_dashboard_are_api_calls(server: RunningServer) -> None:
    credentials = Credentials(server.admin["AccessKeyId"], server.admin["SecretAccessKey"])
    for path in ("/dashboard", "/dashboard/sign-in"):
        request = AWSRequest(method="POST", url=server.endpoint + path, data=GET_CALLER_IDENTITY, headers=STS_FORM)
        SigV4Auth(credentials, "sts", server.region).add_auth(request)
        status, headers, body = send(server.endpoint, "POST", path, GET_CALLER_IDENTITY, dict(request.headers.items()))
        assert status == 200, body
        assert headers["content-type"].startswith("text/xml")
        assert re.search(rb"<Account>\d{12}</Account>", body)

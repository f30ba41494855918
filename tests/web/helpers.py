"""Shared steps of the dashboard's tests: signing in over HTTP and in the browser, principals with chosen
permissions, reading pages."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.org.helpers import allow, assume_access_role, unique
from tests.servers import RunningServer

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TAGS = re.compile(r"<[^>]+>")


def csrf_token(page_html: str) -> str:
    found = _CSRF.search(page_html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def text(page_html: str) -> str:
    """What a reader sees: the page without its markup, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_TAGS.sub(" ", page_html)).split())


class DashboardClient:
    """An HTTP client of the dashboard that keeps its cookies, as a browser would (redirects not followed)."""

    def __init__(self, server: RunningServer) -> None:
        self.http = httpx.Client(base_url=server.endpoint, follow_redirects=False, timeout=60)

    def sign_in(self, credentials: dict[str, str]) -> httpx.Response:
        form = self.http.get("/dashboard/sign-in")
        return self.http.post(
            "/dashboard/sign-in",
            data={
                "csrf_token": csrf_token(form.text),
                "access_key_id": credentials["AccessKeyId"],
                "secret_access_key": credentials["SecretAccessKey"],
                "session_token": credentials.get("SessionToken", ""),
            },
        )

    def get(self, path: str, **params: str) -> httpx.Response:
        """GET `path` (which may carry its own query), with `params` added."""
        return self.http.get(path, params=params or None)  # httpx drops the path's query for params={}

    def post(self, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(path, data=data, headers=headers)

    def close(self) -> None:
        self.http.close()


def member_user(server: RunningServer, account_id: str, *actions: str) -> tuple[str, dict[str, str]]:
    """An IAM user in a member account allowed only `actions` (inline policy): its ARN and an access key."""
    iam = server.client("iam", assume_access_role(server, account_id))
    name = unique("reader")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="reads", PolicyDocument=allow(*actions))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def sign_in_browser(page: Any, server: RunningServer, credentials: dict[str, str]) -> None:
    page.goto(server.endpoint + "/dashboard/sign-in")
    page.fill("#access_key_id", credentials["AccessKeyId"])
    page.fill("#secret_access_key", credentials["SecretAccessKey"])
    if credentials.get("SessionToken"):
        page.fill("#session_token", credentials["SessionToken"])
    page.click("#sign-in")
    page.wait_for_url("**/dashboard/org")

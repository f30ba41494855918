"""The connections page: environment account connections, from both sides.

As management account: the PENDING requests naming this account, each with Accept and Reject (POST actions
calling `AcceptEnvironmentAccountConnection` / `RejectEnvironmentAccountConnection` as the principal), then
the CONNECTED and REJECTED ones. As environment account: the connections this account requested. Each list
is one `ListEnvironmentAccountConnections` page, its next-page token in the URL (`pending`, `decided`,
`requested`). An action that succeeds redirects back to the page (`?accepted=ID` / `?rejected=ID`); one the
API refuses shows the page again with AWS's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from baryon.web.calls import CallFailed
from baryon.web.view import View

PAGE_SIZE = 20


@dataclass(frozen=True)
class Listing:
    """One page of connections, the token of the next, or why the list could not be read."""

    param: str
    """The URL parameter holding this list's next-page token."""
    items: list[dict[str, Any]]
    next_token: str | None = None
    failure: CallFailed | None = None


def _listing(view: View, param: str, requested_by: str, statuses: list[str] | None) -> Listing:
    params: dict[str, Any] = {"requestedBy": requested_by, "maxResults": PAGE_SIZE}
    if statuses:
        params["statuses"] = statuses
    if view.param(param):
        params["nextToken"] = view.param(param)
    try:
        page = view.calls("proton", "ListEnvironmentAccountConnections", **params)
    except CallFailed as failure:
        return Listing(param, [], failure=failure)
    return Listing(param, page["environmentAccountConnections"], page.get("nextToken"))


def _render(view: View, status: int = 200, action_failure: CallFailed | None = None) -> Response:
    return view.page(
        "connections.html",
        status=status,
        action_failure=action_failure,
        pending=_listing(view, "pending", "MANAGEMENT_ACCOUNT", ["PENDING"]),
        decided=_listing(view, "decided", "MANAGEMENT_ACCOUNT", ["CONNECTED", "REJECTED"]),
        requested=_listing(view, "requested", "ENVIRONMENT_ACCOUNT", None),
        accepted=view.param("accepted"),
        rejected=view.param("rejected"),
    )


def connections_page(view: View) -> Response:
    return _render(view)


def _decide(view: View, operation: str, outcome: str) -> Response:
    connection_id = view.param("connection_id")
    try:
        view.calls("proton", operation, id=connection_id)
    except CallFailed as failure:
        return _render(view, failure.status, failure)
    return RedirectResponse("/dashboard/connections?" + urlencode({outcome: connection_id}), status_code=303)


def accept(view: View) -> Response:
    return _decide(view, "AcceptEnvironmentAccountConnection", "accepted")


def reject(view: View) -> Response:
    return _decide(view, "RejectEnvironmentAccountConnection", "rejected")

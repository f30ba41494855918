"""The organization page: the OU tree with its accounts and the SCPs attached at each node.

The tree is read through Organizations' own API as the signed-in principal (`ListRoots`,
`ListOrganizationalUnitsForParent`, `ListAccountsForParent`, `ListPoliciesForTarget`), one node and one page
of its children at a time, so an organization with thousands of accounts never loads at once. The page
focuses one node (`?node=ou-…`, the root by default); each child OU can be opened in place (the script
fetches `/dashboard/org/children`) or focused by its link. A principal the API refuses — a member account's,
or one whose policies do not allow reading the organization — sees AWS's denial instead of the tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from baryon.web.calls import AwsCalls, CallFailed
from baryon.web.pages import decision
from baryon.web.view import View

PAGE_SIZE = 20
SCP = "SERVICE_CONTROL_POLICY"


@dataclass(frozen=True)
class Node:
    """A root, OU or account with the SCPs attached directly to it."""

    id: str
    name: str
    kind: str
    scps: tuple[dict[str, Any], ...] = ()
    scp_error: str | None = None
    """Why the attached SCPs could not be listed (a denial, say)."""
    email: str | None = None


@dataclass(frozen=True)
class Children:
    """One page of a node's child OUs and one page of its accounts, with the tokens of the next pages."""

    parent_id: str
    ous: list[Node] = field(default_factory=list)
    accounts: list[Node] = field(default_factory=list)
    ous_next: str | None = None
    accounts_next: str | None = None


def _with_scps(calls: AwsCalls, node: Node) -> Node:
    try:
        scps = tuple(calls.pages("organizations", "ListPoliciesForTarget", "Policies", TargetId=node.id, Filter=SCP))
    except CallFailed as failure:
        return Node(node.id, node.name, node.kind, scp_error=failure.message, email=node.email)
    return Node(node.id, node.name, node.kind, scps, email=node.email)


def children(calls: AwsCalls, parent_id: str, ous_token: str = "", accounts_token: str = "") -> Children:
    page: dict[str, Any] = {"ParentId": parent_id, "MaxResults": PAGE_SIZE}
    ous = calls("organizations", "ListOrganizationalUnitsForParent", **page, **_token(ous_token))
    accounts = calls("organizations", "ListAccountsForParent", **page, **_token(accounts_token))
    return Children(
        parent_id=parent_id,
        ous=[_with_scps(calls, Node(ou["Id"], ou["Name"], "ou")) for ou in ous["OrganizationalUnits"]],
        accounts=[
            _with_scps(calls, Node(a["Id"], a["Name"], "account", email=a.get("Email"))) for a in accounts["Accounts"]
        ],
        ous_next=ous.get("NextToken"),
        accounts_next=accounts.get("NextToken"),
    )


def _token(token: str) -> dict[str, str]:
    return {"NextToken": token} if token else {}


def _focus_path(calls: AwsCalls, root: dict[str, Any], node_id: str) -> list[Node]:
    """The nodes from the root down to the focused OU (names and SCPs of each)."""
    path: list[Node] = []
    current = node_id
    while current != root["Id"]:
        ou = calls("organizations", "DescribeOrganizationalUnit", OrganizationalUnitId=current)["OrganizationalUnit"]
        path.append(Node(ou["Id"], ou["Name"], "ou"))
        current = calls("organizations", "ListParents", ChildId=current)["Parents"][0]["Id"]
    path.append(Node(root["Id"], root["Name"], "root"))
    path.reverse()
    return [*path[:-1], _with_scps(calls, path[-1])]


def org_page(view: View) -> Response:
    calls = view.calls
    context: dict[str, Any] = {"failure": None, "path": [], "tags": [], "children": None, "scps_enabled": False}
    try:
        root = calls("organizations", "ListRoots")["Roots"][0]
        focus = view.param("node") or root["Id"]
        context["path"] = _focus_path(calls, root, focus)
        context["scps_enabled"] = any(
            t["Type"] == SCP and t["Status"] == "ENABLED" for t in root.get("PolicyTypes", [])
        )
        context["children"] = children(calls, focus, view.param("ous"), view.param("accounts"))
        context["tags"] = calls("organizations", "ListTagsForResource", ResourceId=focus)["Tags"]
    except CallFailed as failure:
        context["failure"] = failure
    asked = decision.Question.of(view)
    answer: decision.Explanation | None = None
    refused: CallFailed | None = None
    if asked is not None and asked.problem is None:
        try:
            answer = decision.decide(calls, asked)
        except CallFailed as failure:
            refused = failure
    return view.page(
        "org.html",
        question=asked,
        answer=answer,
        answer_failure=refused,
        node=view.param("node"),
        account=view.param("account"),
        **context,
    )


def children_fragment(view: View) -> Response:
    """The children of one node, as the HTML fragment the tree inserts when an OU is opened."""
    try:
        found = children(view.calls, view.param("parent"), view.param("ous"), view.param("accounts"))
    except CallFailed as failure:
        return view.page("panel.html", failure=failure)
    return view.page("org_children.html", children=found)


def policy_page(view: View) -> Response:
    """One SCP: its summary, its content, and the first targets it is attached to."""
    policy_id = view.param("policy_id")
    try:
        policy = view.calls("organizations", "DescribePolicy", PolicyId=policy_id)["Policy"]
        targets = view.calls(
            "organizations",
            "ListTargetsForPolicy",
            PolicyId=policy_id,
            MaxResults=PAGE_SIZE,
            **_token(view.param("next")),
        )
    except CallFailed as failure:
        return view.page("policy.html", failure=failure, policy=None, content="", targets=[], next_token=None)
    return view.page(
        "policy.html",
        failure=None,
        policy=policy["PolicySummary"],
        content=_pretty(policy["Content"]),
        targets=targets["Targets"],
        next_token=targets.get("NextToken"),
    )


def _pretty(content: str) -> str:
    try:
        return json.dumps(json.loads(content), indent=2)
    except ValueError:
        return content

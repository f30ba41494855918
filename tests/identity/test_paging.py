"""IAM pagination: MaxItems / Marker / IsTruncated across pages, and markers that cannot be forged."""

from __future__ import annotations

import base64
import json

from tests.identity.helpers import error, unique
from tests.servers import RunningServer


def _users(server: RunningServer, count: int) -> tuple[str, list[str]]:
    path = f"/{unique('page')}/"
    names = sorted(unique("p") for _ in range(count))
    iam = server.client("iam")
    for name in names:
        iam.create_user(UserName=name, Path=path)
    return path, names


def test_max_items_walks_every_page_once(server: RunningServer) -> None:
    iam = server.client("iam")
    path, names = _users(server, 7)
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, object] = {"PathPrefix": path, "MaxItems": 3}
    while True:
        page = iam.list_users(**kwargs)
        pages += 1
        seen += [u["UserName"] for u in page["Users"]]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        assert len(page["Users"]) == 3
        kwargs["Marker"] = page["Marker"]
    assert pages == 3
    assert seen == names

    paginated = iam.get_paginator("list_users").paginate(PathPrefix=path, PaginationConfig={"PageSize": 2})
    assert [u["UserName"] for p in paginated for u in p["Users"]] == names


def test_cli_paginates_with_page_size(server: RunningServer) -> None:
    path, names = _users(server, 5)
    listed = server.aws_json("iam", "list-users", "--path-prefix", path, "--page-size", "2")
    assert [u["UserName"] for u in listed["Users"]] == names
    first = server.aws_json("iam", "list-users", "--path-prefix", path, "--max-items", "2")
    assert [u["UserName"] for u in first["Users"]] == names[:2]
    assert first["NextToken"]


def test_pages_are_stable_when_items_are_deleted_between_calls(server: RunningServer) -> None:
    iam = server.client("iam")
    path, names = _users(server, 6)
    first = iam.list_users(PathPrefix=path, MaxItems=3)
    for user in first["Users"]:
        iam.delete_user(UserName=user["UserName"])
    rest = iam.list_users(PathPrefix=path, MaxItems=3, Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == names[3:]
    assert rest["IsTruncated"] is False


def test_tampered_or_foreign_markers_are_refused(server: RunningServer) -> None:
    iam = server.client("iam")
    path, _ = _users(server, 3)
    marker = iam.list_users(PathPrefix=path, MaxItems=1)["Marker"]

    _, tag = marker.split(".")
    forged_payload = base64.urlsafe_b64encode(b'["","",0]').rstrip(b"=").decode()
    for bad in (f"{forged_payload}.{tag}", marker[:-2] + ("AA" if marker[-2:] != "AA" else "BB"), "garbage"):
        failure = error(iam.list_users, PathPrefix=path, MaxItems=1, Marker=bad)
        assert failure["Status"] == 400, bad
        assert failure["Code"] == "ValidationError"
        assert "marker" in failure["Message"].lower()

    other_listing = error(iam.list_users, PathPrefix="/", MaxItems=1, Marker=marker)
    assert other_listing["Status"] == 400
    other_operation = error(iam.list_roles, MaxItems=1, Marker=marker)
    assert other_operation["Status"] == 400
    tampered = marker[:-2] + ("AA" if marker[-2:] != "AA" else "BB")
    token = base64.b64encode(json.dumps({"Marker": tampered}).encode()).decode()
    cli = server.aws("iam", "list-users", "--path-prefix", path, "--starting-token", token, check=False)
    assert cli.returncode != 0
    assert "ValidationError" in cli.stderr


def test_marker_pages_other_listings(server: RunningServer) -> None:
    iam = server.client("iam")
    group = unique("pg")
    iam.create_group(GroupName=group)
    _, names = _users(server, 4)
    for name in names:
        iam.add_user_to_group(GroupName=group, UserName=name)
    first = iam.get_group(GroupName=group, MaxItems=3)
    assert first["IsTruncated"] is True
    rest = iam.get_group(GroupName=group, MaxItems=3, Marker=first["Marker"])
    assert [u["UserName"] for u in first["Users"] + rest["Users"]] == names

    policies = iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 1})
    aws_names = [p["PolicyName"] for page in policies for p in page["Policies"]]
    assert "AdministratorAccess" in aws_names and len(aws_names) == len(set(aws_names))

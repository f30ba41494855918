"""The OU tree: create, describe, rename, delete, list, walk, the depth limit, and pagination."""

from __future__ import annotations

import pytest

from tests.org.helpers import SCP, fails, new_account, new_ou, orgs, root_id, unique
from tests.servers import RunningServer


def test_ou_lifecycle_with_the_cli(server: RunningServer) -> None:
    root = root_id(server)
    name = unique("team")
    created = server.aws_json("organizations", "create-organizational-unit", "--parent-id", root, "--name", name)[
        "OrganizationalUnit"
    ]
    ou_id = created["Id"]
    org_id = orgs(server).describe_organization()["Organization"]["Id"]
    assert ou_id.startswith(f"ou-{root[2:]}-")
    assert created["Name"] == name
    assert created["Arn"] == f"arn:aws:organizations::{server.account_id}:ou/{org_id}/{ou_id}"
    assert created["Path"] == f"{org_id}/{root}/{ou_id}/"

    described = server.aws_json("organizations", "describe-organizational-unit", "--organizational-unit-id", ou_id)[
        "OrganizationalUnit"
    ]
    assert described == created

    renamed = unique("renamed")
    updated = server.aws_json(
        "organizations", "update-organizational-unit", "--organizational-unit-id", ou_id, "--name", renamed
    )["OrganizationalUnit"]
    assert updated["Name"] == renamed

    listed = server.aws_json("organizations", "list-organizational-units-for-parent", "--parent-id", root)
    assert ou_id in [ou["Id"] for ou in listed["OrganizationalUnits"]]
    parents = server.aws_json("organizations", "list-parents", "--child-id", ou_id)["Parents"]
    assert parents == [{"Id": root, "Type": "ROOT"}]

    server.aws("organizations", "delete-organizational-unit", "--organizational-unit-id", ou_id)
    result = server.aws("organizations", "describe-organizational-unit", "--organizational-unit-id", ou_id, check=False)
    assert result.returncode != 0
    assert "OrganizationalUnitNotFoundException" in result.stderr


def test_new_ou_gets_full_aws_access(server: RunningServer) -> None:
    ou_id = new_ou(server, root_id(server))
    policies = orgs(server).list_policies_for_target(TargetId=ou_id, Filter=SCP)["Policies"]
    assert [p["Id"] for p in policies] == ["p-FullAWSAccess"]


def test_depth_limit_is_five_levels(server: RunningServer) -> None:
    parent = root_id(server)
    chain = []
    for _ in range(5):
        parent = new_ou(server, parent)
        chain.append(parent)
    code, message, reason = fails(orgs(server).create_organizational_unit, ParentId=parent, Name=unique("deep"))
    assert (code, reason) == ("ConstraintViolationException", "OU_DEPTH_LIMIT_EXCEEDED")
    assert message == "You attempted to create an OU tree that is too many levels deep."
    path = orgs(server).describe_organizational_unit(OrganizationalUnitId=chain[-1])["OrganizationalUnit"]["Path"]
    assert path.split("/")[2:7] == chain


def test_duplicate_name_under_one_parent(server: RunningServer) -> None:
    root = root_id(server)
    name = unique("dup")
    new_ou(server, root, name)
    code, _, _ = fails(orgs(server).create_organizational_unit, ParentId=root, Name=name)
    assert code == "DuplicateOrganizationalUnitException"
    other_parent = new_ou(server, root)
    assert new_ou(server, other_parent, name).startswith("ou-")


def test_delete_only_when_empty(server: RunningServer) -> None:
    client = orgs(server)
    root = root_id(server)
    outer = new_ou(server, root)
    inner = new_ou(server, outer)
    code, _, _ = fails(client.delete_organizational_unit, OrganizationalUnitId=outer)
    assert code == "OrganizationalUnitNotEmptyException"
    account = new_account(server)
    client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=inner)
    code, _, _ = fails(client.delete_organizational_unit, OrganizationalUnitId=inner)
    assert code == "OrganizationalUnitNotEmptyException"
    client.move_account(AccountId=account, SourceParentId=inner, DestinationParentId=root)
    client.delete_organizational_unit(OrganizationalUnitId=inner)
    client.delete_organizational_unit(OrganizationalUnitId=outer)
    ids = [ou["Id"] for ou in client.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]]
    assert outer not in ids


def test_unknown_parent_and_ou(server: RunningServer) -> None:
    client = orgs(server)
    code, _, _ = fails(client.create_organizational_unit, ParentId="ou-zzzz-zzzzzzzz", Name="x")
    assert code == "ParentNotFoundException"
    code, _, _ = fails(client.describe_organizational_unit, OrganizationalUnitId="ou-zzzz-zzzzzzzz")
    assert code == "OrganizationalUnitNotFoundException"
    code, _, _ = fails(client.list_parents, ChildId="ou-zzzz-zzzzzzzz")
    assert code == "ChildNotFoundException"
    code, _, _ = fails(client.create_organizational_unit, ParentId="not-an-id", Name="x")
    assert code == "InvalidInputException"


def test_list_children_and_parents_of_an_account(server: RunningServer) -> None:
    client = orgs(server)
    root = root_id(server)
    ou_id = new_ou(server, root)
    child = new_ou(server, ou_id)
    account = new_account(server)
    client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou_id)
    accounts = client.list_children(ParentId=ou_id, ChildType="ACCOUNT")["Children"]
    assert accounts == [{"Id": account, "Type": "ACCOUNT"}]
    ous = client.list_children(ParentId=ou_id, ChildType="ORGANIZATIONAL_UNIT")["Children"]
    assert ous == [{"Id": child, "Type": "ORGANIZATIONAL_UNIT"}]
    assert client.list_parents(ChildId=account)["Parents"] == [{"Id": ou_id, "Type": "ORGANIZATIONAL_UNIT"}]


def test_pagination_with_max_results_and_next_token(server: RunningServer) -> None:
    client = orgs(server)
    parent = new_ou(server, root_id(server))
    made = {new_ou(server, parent) for _ in range(5)}
    seen: list[str] = []
    first = client.list_organizational_units_for_parent(ParentId=parent, MaxResults=2)
    assert len(first["OrganizationalUnits"]) == 2 and "NextToken" in first
    seen += [ou["Id"] for ou in first["OrganizationalUnits"]]
    token = first["NextToken"]
    while token:
        page = client.list_organizational_units_for_parent(ParentId=parent, MaxResults=2, NextToken=token)
        seen += [ou["Id"] for ou in page["OrganizationalUnits"]]
        token = page.get("NextToken")
    assert sorted(seen) == sorted(made)
    paginated = client.get_paginator("list_children").paginate(
        ParentId=parent, ChildType="ORGANIZATIONAL_UNIT", PaginationConfig={"PageSize": 1}
    )
    assert {c["Id"] for page in paginated for c in page["Children"]} == made
    cli = server.aws_json(
        "organizations", "list-organizational-units-for-parent", "--parent-id", parent, "--page-size", "2"
    )
    assert {ou["Id"] for ou in cli["OrganizationalUnits"]} == made


@pytest.mark.parametrize("tamper", ["flip", "other-listing", "garbage"])
def test_tampered_next_token_is_refused(server: RunningServer, tamper: str) -> None:
    client = orgs(server)
    parent = new_ou(server, root_id(server))
    for _ in range(3):
        new_ou(server, parent)
    token = client.list_organizational_units_for_parent(ParentId=parent, MaxResults=1)["NextToken"]
    if tamper == "flip":
        payload, tag = token.rsplit(".", 1)
        token = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + tag
        call = {"ParentId": parent}
    elif tamper == "other-listing":
        call = {"ParentId": root_id(server)}
    else:
        token = "not-a-token"
        call = {"ParentId": parent}
    code, message, reason = fails(client.list_organizational_units_for_parent, NextToken=token, **call)
    assert (code, reason) == ("InvalidInputException", "INVALID_NEXT_TOKEN")
    assert "nextToken" in message


def test_nul_characters_are_refused(server: RunningServer) -> None:
    code, _, reason = fails(orgs(server).create_organizational_unit, ParentId=root_id(server), Name="a\x00b")
    assert (code, reason) == ("InvalidInputException", "INVALID_PATTERN")

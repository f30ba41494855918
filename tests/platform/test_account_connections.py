"""Environment account connections between the management account (the server's administrator) and member
accounts: the lifecycle seen from both sides, what each side may do, idempotency, the quota, tags, pagination
and the AWS CLI walkthrough of the user guide."""

from __future__ import annotations

import uuid
from typing import Any

from tests.platform.helpers import fails, member_account, proton, unique
from tests.servers import RunningServer

NOWHERE = "000000000001"
"""A well-formed account id Baryon never issues (its ids do not start with 0)."""


def role(account: str, name: str = "env-account-proton-service-role") -> str:
    return f"arn:aws:iam::{account}:role/service-role/{name}"


def request(client: Any, management: str, account: str, name: str | None = None, **extra: Any) -> dict[str, Any]:
    """CreateEnvironmentAccountConnection from the environment account `account`; the connection."""
    created = client.create_environment_account_connection(
        managementAccountId=management, environmentName=name or unique("env"), roleArn=role(account), **extra
    )
    return dict(created["environmentAccountConnection"])


def listed(client: Any, side: str, **filters: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_environment_account_connections").paginate(requestedBy=side, **filters)
    return [c for page in pages for c in page["environmentAccountConnections"]]


def ids(client: Any, side: str, **filters: Any) -> list[str]:
    return [c["id"] for c in listed(client, side, **filters)]


def test_lifecycle_seen_from_both_sides(server: RunningServer) -> None:
    member, creds = member_account(server)
    env_side, mgmt_side = proton(server, creds), proton(server)
    name = unique("env")
    created = request(env_side, server.account_id, member, name, componentRoleArn=role(member, "components"))
    cid = created["id"]
    assert created["arn"] == f"arn:aws:proton:{server.region}:{member}:environment-account-connection/{cid}"
    assert created["status"] == "PENDING"
    assert (created["environmentAccountId"], created["managementAccountId"]) == (member, server.account_id)
    assert (created["environmentName"], created["roleArn"]) == (name, role(member))
    assert created["componentRoleArn"] == role(member, "components")

    assert ids(env_side, "ENVIRONMENT_ACCOUNT") == [cid]
    assert ids(env_side, "MANAGEMENT_ACCOUNT") == []
    assert ids(mgmt_side, "MANAGEMENT_ACCOUNT", environmentName=name) == [cid]
    assert ids(mgmt_side, "ENVIRONMENT_ACCOUNT", environmentName=name) == []
    summary = listed(mgmt_side, "MANAGEMENT_ACCOUNT", environmentName=name)[0]
    assert summary["status"] == "PENDING" and summary["arn"] == created["arn"]
    assert mgmt_side.get_environment_account_connection(id=cid)["environmentAccountConnection"] == created

    accepted = mgmt_side.accept_environment_account_connection(id=cid)["environmentAccountConnection"]
    assert accepted["status"] == "CONNECTED" and accepted["lastModifiedAt"] >= accepted["requestedAt"]
    again = mgmt_side.accept_environment_account_connection(id=cid)["environmentAccountConnection"]
    assert again == accepted  # Accept is idempotent
    assert ids(mgmt_side, "MANAGEMENT_ACCOUNT", environmentName=name, statuses=["CONNECTED"]) == [cid]
    assert ids(mgmt_side, "MANAGEMENT_ACCOUNT", environmentName=name, statuses=["PENDING", "REJECTED"]) == []
    assert env_side.get_environment_account_connection(id=cid)["environmentAccountConnection"]["status"] == (
        "CONNECTED"
    )

    updated = env_side.update_environment_account_connection(
        id=cid, roleArn=role(member, "narrower"), codebuildRoleArn=role(member, "codebuild")
    )["environmentAccountConnection"]
    assert updated["status"] == "CONNECTED"
    assert (updated["roleArn"], updated["codebuildRoleArn"]) == (role(member, "narrower"), role(member, "codebuild"))
    assert updated["componentRoleArn"] == role(member, "components")
    assert mgmt_side.get_environment_account_connection(id=cid)["environmentAccountConnection"] == updated

    deleted = env_side.delete_environment_account_connection(id=cid)["environmentAccountConnection"]
    assert deleted == updated
    for client in (env_side, mgmt_side):
        assert fails(client.get_environment_account_connection, id=cid)[0] == "ResourceNotFoundException"
    assert ids(env_side, "ENVIRONMENT_ACCOUNT") == []


def test_reject_then_request_again(server: RunningServer) -> None:
    member, creds = member_account(server)
    env_side, mgmt_side = proton(server, creds), proton(server)
    name = unique("env")
    first = request(env_side, server.account_id, member, name)["id"]
    rejected = mgmt_side.reject_environment_account_connection(id=first)["environmentAccountConnection"]
    assert rejected["status"] == "REJECTED"
    assert mgmt_side.reject_environment_account_connection(id=first)["environmentAccountConnection"] == rejected
    code, message = fails(mgmt_side.accept_environment_account_connection, id=first)
    assert code == "ValidationException" and "rejected" in message
    assert env_side.get_environment_account_connection(id=first)["environmentAccountConnection"]["status"] == (
        "REJECTED"
    )

    second = request(env_side, server.account_id, member, name)["id"]  # a rejection does not block a new request
    mgmt_side.accept_environment_account_connection(id=second)
    revoked = mgmt_side.reject_environment_account_connection(id=second)["environmentAccountConnection"]
    assert revoked["status"] == "REJECTED"  # the management account revokes a connection no environment uses
    assert sorted(ids(env_side, "ENVIRONMENT_ACCOUNT", statuses=["REJECTED"])) == sorted([first, second])
    env_side.delete_environment_account_connection(id=first)
    assert ids(mgmt_side, "MANAGEMENT_ACCOUNT", environmentName=name) == [second]


def test_client_token_is_idempotent(server: RunningServer) -> None:
    member, creds = member_account(server)
    client = proton(server, creds)
    token, name = str(uuid.uuid4()), unique("env")
    first = request(client, server.account_id, member, name, clientToken=token)
    assert request(client, server.account_id, member, name, clientToken=token) == first
    code, message = fails(
        client.create_environment_account_connection,
        managementAccountId=server.account_id,
        environmentName=name,
        roleArn=role(member, "another"),
        clientToken=token,
    )
    assert code == "ConflictException" and token in message
    code, message = fails(
        client.create_environment_account_connection,
        managementAccountId=server.account_id,
        environmentName=name,
        roleArn=role(member),
        clientToken=str(uuid.uuid4()),
    )
    assert code == "ConflictException" and first["id"] in message  # one live connection per environment name
    assert ids(client, "ENVIRONMENT_ACCOUNT") == [first["id"]]


def test_refused_requests_change_nothing(server: RunningServer) -> None:
    member, creds = member_account(server)
    client = proton(server, creds)
    base = {"managementAccountId": server.account_id, "environmentName": unique("env"), "roleArn": role(member)}
    refusals: list[dict[str, str | None]] = [
        {"roleArn": role(server.account_id)},
        {"componentRoleArn": role(server.account_id, "components")},
        {"codebuildRoleArn": role(NOWHERE, "codebuild")},
        {"roleArn": None},
        {"managementAccountId": NOWHERE},
        {"managementAccountId": member},
    ]
    for change in refusals:
        params = {k: v for k, v in {**base, **change}.items() if v is not None}
        code, message = fails(client.create_environment_account_connection, **params)
        assert code == "ValidationException", (change, message)
    assert ids(client, "ENVIRONMENT_ACCOUNT") == []
    assert ids(proton(server), "MANAGEMENT_ACCOUNT", environmentName=base["environmentName"]) == []


def test_each_side_may_do_only_its_part(server: RunningServer) -> None:
    member, creds = member_account(server)
    stranger, stranger_creds = member_account(server)
    env_side, mgmt_side, third = proton(server, creds), proton(server), proton(server, stranger_creds)
    created = request(env_side, server.account_id, member)
    cid = created["id"]

    for call in (env_side.accept_environment_account_connection, env_side.reject_environment_account_connection):
        code, message = fails(call, id=cid)
        assert code == "ValidationException" and server.account_id in message
    for call in (mgmt_side.update_environment_account_connection, mgmt_side.delete_environment_account_connection):
        code, message = fails(call, id=cid)
        assert code == "ValidationException" and member in message
    code, _ = fails(env_side.update_environment_account_connection, id=cid, roleArn=role(stranger))
    assert code == "ValidationException"

    for call in (
        third.get_environment_account_connection,
        third.accept_environment_account_connection,
        third.reject_environment_account_connection,
        third.update_environment_account_connection,
        third.delete_environment_account_connection,
    ):
        assert fails(call, id=cid)[0] == "ResourceNotFoundException"
    assert fails(third.list_tags_for_resource, resourceArn=created["arn"])[0] == "ResourceNotFoundException"
    assert ids(third, "MANAGEMENT_ACCOUNT") == ids(third, "ENVIRONMENT_ACCOUNT") == []
    other_region = server.client("proton", region="eu-west-1")
    assert fails(other_region.get_environment_account_connection, id=cid)[0] == "ResourceNotFoundException"

    assert env_side.get_environment_account_connection(id=cid)["environmentAccountConnection"] == created


def test_quota_of_five_per_environment_account(server: RunningServer) -> None:
    member, creds = member_account(server)
    client = proton(server, creds)
    made = [request(client, server.account_id, member)["id"] for _ in range(5)]
    sixth = {"managementAccountId": server.account_id, "environmentName": unique("env"), "roleArn": role(member)}
    assert fails(client.create_environment_account_connection, **sixth)[0] == "ServiceQuotaExceededException"
    proton(server).reject_environment_account_connection(id=made[0])  # a REJECTED connection still counts
    assert fails(client.create_environment_account_connection, **sixth)[0] == "ServiceQuotaExceededException"
    client.delete_environment_account_connection(id=made[0])
    made.append(request(client, server.account_id, member)["id"])
    assert sorted(ids(client, "ENVIRONMENT_ACCOUNT")) == sorted(made[1:])


def test_tags_by_the_environment_account(server: RunningServer) -> None:
    member, creds = member_account(server)
    client = proton(server, creds)
    arn = request(client, server.account_id, member, tags=[{"key": "team", "value": "a"}])["arn"]
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]
    client.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "b"}, {"key": "cost", "value": "1"}])
    client.untag_resource(resourceArn=arn, tagKeys=["cost"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "b"}]
    mgmt_side = proton(server)
    assert fails(mgmt_side.list_tags_for_resource, resourceArn=arn)[0] == "ResourceNotFoundException"


def test_pages_of_one(server: RunningServer) -> None:
    member, creds = member_account(server)
    client = proton(server, creds)
    made = [request(client, server.account_id, member)["id"] for _ in range(3)]
    first = client.list_environment_account_connections(requestedBy="ENVIRONMENT_ACCOUNT", maxResults=1)
    assert [c["id"] for c in first["environmentAccountConnections"]] == made[:1]
    seen = [made[0]]
    token = first["nextToken"]
    while token:
        page = client.list_environment_account_connections(
            requestedBy="ENVIRONMENT_ACCOUNT", maxResults=1, nextToken=token
        )
        seen += [c["id"] for c in page["environmentAccountConnections"]]
        token = page.get("nextToken")
    assert seen == made  # oldest first
    code, _ = fails(
        client.list_environment_account_connections,
        requestedBy="ENVIRONMENT_ACCOUNT",
        statuses=["PENDING"],
        nextToken=first["nextToken"],
    )
    assert code == "ValidationException"  # a token belongs to its filters


def test_cli_walkthrough_of_the_user_guide(server: RunningServer) -> None:
    member, creds = member_account(server)
    name = unique("simple-env-connected")
    created = server.aws_json(
        "proton",
        "create-environment-account-connection",
        "--management-account-id",
        server.account_id,
        "--environment-name",
        name,
        "--role-arn",
        role(member),
        credentials=creds,
    )["environmentAccountConnection"]
    assert created["status"] == "PENDING" and created["environmentAccountId"] == member
    accepted = server.aws_json("proton", "accept-environment-account-connection", "--id", created["id"])
    assert accepted["environmentAccountConnection"]["status"] == "CONNECTED"
    found = server.aws_json(
        "proton",
        "list-environment-account-connections",
        "--requested-by",
        "MANAGEMENT_ACCOUNT",
        "--statuses",
        "CONNECTED",
    )
    # jq '.environmentAccountConnections[] | select(.environmentName == NAME) | .id'
    assert [c["id"] for c in found["environmentAccountConnections"] if c["environmentName"] == name] == [created["id"]]

"""Member accounts: CreateAccount (asynchronous), the access role, listing, moving, removing, closing."""

from __future__ import annotations

import json

from tests.org.helpers import (
    ACCESS_ROLE,
    SCP,
    assume_access_role,
    fails,
    new_account,
    new_ou,
    orgs,
    root_id,
    unique,
)
from tests.servers import RunningServer


def test_create_account_is_asynchronous_and_lands_under_the_root(server: RunningServer) -> None:
    client = orgs(server)
    name = unique("acct")
    status = client.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
    assert status["State"] == "IN_PROGRESS"
    assert status["Id"].startswith("car-")
    assert status["AccountName"] == name
    assert "AccountId" not in status

    final = client.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert final["State"] == "SUCCEEDED"
    account_id = final["AccountId"]
    assert len(account_id) == 12 and account_id.isdigit()
    assert "CompletedTimestamp" in final

    root = root_id(server)
    under_root = [a["Id"] for a in client.list_accounts_for_parent(ParentId=root)["Accounts"]]
    assert account_id in under_root
    account = client.describe_account(AccountId=account_id)["Account"]
    org_id = client.describe_organization()["Organization"]["Id"]
    assert account["Arn"] == f"arn:aws:organizations::{server.account_id}:account/{org_id}/{account_id}"
    assert (account["Name"], account["Email"]) == (name, f"{name}@example.com")
    assert (account["Status"], account["JoinedMethod"]) == ("ACTIVE", "CREATED")
    assert account["Paths"] == [f"{org_id}/{root}/{account_id}/"]
    policies = client.list_policies_for_target(TargetId=account_id, Filter=SCP)["Policies"]
    assert [p["Name"] for p in policies] == ["FullAWSAccess"]

    paginator = client.get_paginator("list_create_account_status")
    statuses = [s for page in paginator.paginate(States=["SUCCEEDED"]) for s in page["CreateAccountStatuses"]]
    assert status["Id"] in [s["Id"] for s in statuses]
    failed_only = [s for page in paginator.paginate(States=["FAILED"]) for s in page["CreateAccountStatuses"]]
    assert status["Id"] not in [s["Id"] for s in failed_only]


def test_create_account_with_the_cli_and_a_custom_role(server: RunningServer) -> None:
    name = unique("cli")
    status = server.aws_json(
        "organizations",
        "create-account",
        "--email",
        f"{name}@example.com",
        "--account-name",
        name,
        "--role-name",
        "AdminFromMgmt",
        "--tags",
        "Key=team,Value=blue",
    )["CreateAccountStatus"]
    final = server.aws_json(
        "organizations", "describe-create-account-status", "--create-account-request-id", status["Id"]
    )["CreateAccountStatus"]
    account_id = final["AccountId"]
    tags = server.aws_json("organizations", "list-tags-for-resource", "--resource-id", account_id)["Tags"]
    assert tags == [{"Key": "team", "Value": "blue"}]
    role = server.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/AdminFromMgmt", RoleSessionName="ss"
    )
    assert role["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/AdminFromMgmt/ss"


def test_access_role_trusts_the_management_account(server: RunningServer) -> None:
    account_id = new_account(server)
    creds = assume_access_role(server, account_id, session="ops")
    identity = server.client("sts", creds).get_caller_identity()
    assert identity["Account"] == account_id
    assert identity["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{ACCESS_ROLE}/ops"
    role = server.client("iam", creds).get_role(RoleName=ACCESS_ROLE)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{server.account_id}:root"}
    # AdministratorAccess: the session can act in its account.
    user = unique("u")
    created = server.client("iam", creds).create_user(UserName=user)["User"]
    assert created["Arn"] == f"arn:aws:iam::{account_id}:user/{user}"


def test_the_member_account_cannot_assume_another_members_role(server: RunningServer) -> None:
    first, second = new_account(server), new_account(server)
    creds = assume_access_role(server, first)
    code, _, _ = fails(
        server.client("sts", creds).assume_role,
        RoleArn=f"arn:aws:iam::{second}:role/{ACCESS_ROLE}",
        RoleSessionName="xx",
    )
    assert code == "AccessDenied"


def test_duplicate_email_fails_the_request(server: RunningServer) -> None:
    client = orgs(server)
    name = unique("twice")
    new_account(server, name)
    status = client.create_account(Email=f"{name.upper()}@EXAMPLE.com", AccountName=name)["CreateAccountStatus"]
    assert status["State"] == "IN_PROGRESS"
    final = client.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert (final["State"], final["FailureReason"]) == ("FAILED", "EMAIL_ALREADY_EXISTS")
    assert "AccountId" not in final


def test_create_account_input_errors(server: RunningServer) -> None:
    client = orgs(server)
    code, _, reason = fails(
        client.create_account, Email="a@example.com", AccountName="a", RoleName="AWSServiceRoleForThing"
    )
    assert (code, reason) == ("InvalidInputException", "INVALID_ROLE_NAME")
    code, _, reason = fails(
        client.create_account, Email="b@example.com", AccountName="b", Tags=[{"Key": "aws:x", "Value": "y"}]
    )
    assert (code, reason) == ("InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER")
    code, _, _ = fails(client.describe_create_account_status, CreateAccountRequestId="car-0000000000")
    assert code == "CreateAccountStatusNotFoundException"
    code, message, _ = fails(client.describe_account, AccountId="000000000000")
    assert (code, message) == ("AccountNotFoundException", "You specified an account that doesn't exist.")


def test_list_accounts_pages_through_everything(server: RunningServer) -> None:
    made = {new_account(server) for _ in range(3)}
    paginator = orgs(server).get_paginator("list_accounts")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    ids = [a["Id"] for page in pages for a in page["Accounts"]]
    assert len(ids) == len(set(ids))
    assert made | {server.account_id} <= set(ids)
    assert all(len(page["Accounts"]) <= 2 for page in pages)
    cli = server.aws_json("organizations", "list-accounts")["Accounts"]
    assert made <= {a["Id"] for a in cli}


def test_move_account_and_its_errors(server: RunningServer) -> None:
    client = orgs(server)
    root = root_id(server)
    ou_id = new_ou(server, root)
    account = new_account(server)
    code, _, _ = fails(
        client.move_account, AccountId=account, SourceParentId="ou-zzzz-zzzzzzzz", DestinationParentId=ou_id
    )
    assert code == "SourceParentNotFoundException"
    code, _, _ = fails(
        client.move_account, AccountId=account, SourceParentId=root, DestinationParentId="ou-zzzz-zzzzzzzz"
    )
    assert code == "DestinationParentNotFoundException"
    code, _, _ = fails(client.move_account, AccountId=account, SourceParentId=root, DestinationParentId=root)
    assert code == "DuplicateAccountException"
    elsewhere = new_ou(server, root)
    code, _, _ = fails(client.move_account, AccountId=account, SourceParentId=ou_id, DestinationParentId=elsewhere)
    assert code == "SourceParentNotFoundException"
    code, _, _ = fails(client.move_account, AccountId="000000000000", SourceParentId=root, DestinationParentId=ou_id)
    assert code == "AccountNotFoundException"
    server.aws(
        "organizations",
        "move-account",
        "--account-id",
        account,
        "--source-parent-id",
        root,
        "--destination-parent-id",
        ou_id,
    )
    assert client.list_parents(ChildId=account)["Parents"] == [{"Id": ou_id, "Type": "ORGANIZATIONAL_UNIT"}]
    assert [a["Id"] for a in client.list_accounts_for_parent(ParentId=ou_id)["Accounts"]] == [account]


def test_close_account(server: RunningServer) -> None:
    client = orgs(server)
    account = new_account(server)
    client.close_account(AccountId=account)
    described = client.describe_account(AccountId=account)["Account"]
    assert described["Status"] == "SUSPENDED"
    code, _, _ = fails(client.close_account, AccountId=account)
    assert code == "AccountAlreadyClosedException"
    code, _, reason = fails(client.close_account, AccountId=server.account_id)
    assert (code, reason) == ("ConstraintViolationException", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")


def test_a_closed_accounts_credentials_stop_working(server: RunningServer) -> None:
    account = new_account(server)
    session = assume_access_role(server, account)
    assert server.client("sts", session).get_caller_identity()["Account"] == account
    orgs(server).close_account(AccountId=account)
    code, _, _ = fails(server.client("sts", session).get_caller_identity)
    assert code == "InvalidClientTokenId"


def test_remove_account_from_organization(server: RunningServer) -> None:
    client = orgs(server)
    account = new_account(server)
    creds = assume_access_role(server, account)
    client.remove_account_from_organization(AccountId=account)
    assert account not in [
        a["Id"] for a in client.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]
    ]
    code, _, _ = fails(client.describe_account, AccountId=account)
    assert code == "AccountNotFoundException"
    code, _, _ = fails(orgs(server, creds).describe_organization)
    assert code == "AWSOrganizationsNotInUseException"
    code, _, _ = fails(client.remove_account_from_organization, AccountId=server.account_id)
    assert code == "MasterCannotLeaveOrganizationException"

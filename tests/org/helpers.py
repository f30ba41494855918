"""Shared steps for the Organizations tests: unique names, member accounts, assuming their access role,
reading errors, policy documents."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.servers import RunningServer

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
TAG_POLICY = "TAG_POLICY"
ACCESS_ROLE = "OrganizationAccountAccessRole"


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def orgs(server: RunningServer, credentials: dict[str, str] | None = None) -> Any:
    return server.client("organizations", credentials)


def root_id(server: RunningServer) -> str:
    return str(orgs(server).list_roots()["Roots"][0]["Id"])


def organization(server: RunningServer) -> dict[str, Any]:
    return dict(orgs(server).describe_organization()["Organization"])


def new_account(server: RunningServer, name: str | None = None, **extra: Any) -> str:
    """Create a member account (under the root) and wait for the request to finish; its id."""
    name = name or unique("acct")
    client = orgs(server)
    status = client.create_account(Email=f"{name}@example.com", AccountName=name, **extra)["CreateAccountStatus"]
    final = client.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert final["State"] == "SUCCEEDED", final
    return str(final["AccountId"])


def new_ou(server: RunningServer, parent_id: str, name: str | None = None) -> str:
    result = orgs(server).create_organizational_unit(ParentId=parent_id, Name=name or unique("ou"))
    return str(result["OrganizationalUnit"]["Id"])


def assume_access_role(server: RunningServer, account_id: str, session: str = "tester", **extra: Any) -> dict[str, str]:
    """The management administrator assumes the member account's OrganizationAccountAccessRole."""
    result = server.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}", RoleSessionName=session, **extra
    )
    creds = result["Credentials"]
    return {k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def deny(action: str, resource: str = "*") -> str:
    return document({"Effect": "Deny", "Action": action, "Resource": resource})


def allow(*actions: str) -> str:
    return document({"Effect": "Allow", "Action": list(actions), "Resource": "*"})


def create_scp(server: RunningServer, content: str, name: str | None = None) -> dict[str, Any]:
    policy = orgs(server).create_policy(Name=name or unique("scp"), Description="test", Type=SCP, Content=content)[
        "Policy"
    ]
    return dict(policy["PolicySummary"])


def error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, str | None]:
    """(code, message, Reason) of a ClientError."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response.get("Reason")


def fails(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str, str | None]:
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return error(excinfo)

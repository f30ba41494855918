"""Shared helpers for the IAM end-to-end tests: unique names, policy documents, users with keys."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.servers import RunningServer

ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*") -> str:
    return document({"Effect": "Allow", "Action": action, "Resource": resource})


def deny(action: str | list[str], resource: str | list[str] = "*") -> str:
    return document({"Effect": "Deny", "Action": action, "Resource": resource})


def trust_account(account_id: str) -> str:
    return document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "sts:AssumeRole",
        }
    )


def error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The AWS error a boto3 call fails with: `Code`, `Message` and the HTTP status."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def user_with_key(server: RunningServer, *policy_arns: str, inline: str | None = None) -> tuple[str, dict[str, str]]:
    """A new user with these managed (and inline) policies and an access key: (name, credentials)."""
    iam = server.client("iam")
    name = unique("user")
    iam.create_user(UserName=name)
    for arn in policy_arns:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    if inline is not None:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}

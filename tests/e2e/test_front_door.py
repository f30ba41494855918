"""The front door through real clients: the AWS CLI and boto3 against a real `baryon up` process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.signing import GET_CALLER_IDENTITY, STS_FORM, send, send_signed, signed_request
from tests.servers import RunningServer, running_server

TRUST_ACCOUNT = (
    '{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},'
    '"Action":"sts:AssumeRole"}}]}}'
)


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_cli_get_caller_identity_with_the_written_profile(server: RunningServer) -> None:
    identity = server.aws_json("sts", "get-caller-identity")
    assert identity["Account"] == server.account_id
    assert len(identity["Account"]) == 12 and identity["Account"].isdigit()
    assert identity["Arn"] == f"arn:aws:iam::{server.account_id}:user/baryon-admin"
    assert identity["UserId"].startswith("AIDA")


def test_user_key_role_assume_and_call_as_the_role(server: RunningServer) -> None:
    iam = server.client("iam")
    user, role = _name("dev"), _name("deployer")
    server.aws("iam", "create-user", "--user-name", user)
    server.aws(
        "iam",
        "attach-user-policy",
        "--user-name",
        user,
        "--policy-arn",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    )
    key = server.aws_json("iam", "create-access-key", "--user-name", user)["AccessKey"]
    user_creds = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    as_user = server.aws_json("sts", "get-caller-identity", credentials=user_creds)
    assert as_user["Arn"] == f"arn:aws:iam::{server.account_id}:user/{user}"

    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_ACCOUNT.format(account=server.account_id))
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assumed = server.aws_json(
        "sts",
        "assume-role",
        "--role-arn",
        f"arn:aws:iam::{server.account_id}:role/{role}",
        "--role-session-name",
        "ci",
        credentials=user_creds,
    )
    session = assumed["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/{role}/ci"
    as_role = server.aws_json("sts", "get-caller-identity", credentials=session)
    assert as_role["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/{role}/ci"
    assert as_role["UserId"].endswith(":ci")

    listed = server.client("iam", credentials=session).list_users()
    assert user in {u["UserName"] for u in listed["Users"]}
    denied = server.aws("iam", "create-user", "--user-name", _name("nope"), credentials=session, check=False)
    assert denied.returncode != 0
    assert (
        "An error occurred (AccessDenied) when calling the CreateUser operation: User: "
        f"arn:aws:sts::{server.account_id}:assumed-role/{role}/ci is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{server.account_id}:user/" in denied.stderr
    )
    assert "because no identity-based policy allows the iam:CreateUser action" in denied.stderr


def test_wrong_secret_is_signature_does_not_match(server: RunningServer) -> None:
    wrong = {"AccessKeyId": server.admin["AccessKeyId"], "SecretAccessKey": "x" * 40}
    result = server.aws("sts", "get-caller-identity", credentials=wrong, check=False)
    assert result.returncode != 0
    assert (
        "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The "
        "request signature we calculated does not match the signature you provided." in result.stderr
    )


def test_unknown_key_is_invalid_client_token_id(server: RunningServer) -> None:
    with pytest.raises(ClientError) as raised:
        server.client("sts", {"AccessKeyId": "AKIAUNKNOWNKEY000000", "SecretAccessKey": "y" * 40}).get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key_on_a_json_service_is_unrecognized_client(server: RunningServer) -> None:
    with pytest.raises(ClientError) as raised:
        server.client(
            "proton", {"AccessKeyId": "AKIAUNKNOWNKEY000000", "SecretAccessKey": "y" * 40}
        ).list_environments()
    assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_tampered_body_is_refused(server: RunningServer) -> None:
    request = signed_request(server.endpoint, server.admin, "sts", GET_CALLER_IDENTITY, dict(STS_FORM))
    status, headers, body = send_signed(server.endpoint, request)
    assert status == 200 and b"<GetCallerIdentityResult>" in body
    reordered = b"Version=2011-06-15&Action=GetCallerIdentity"  # same parameters, different bytes
    status, headers, body = send_signed(server.endpoint, request, body=reordered)
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body
    assert headers["x-amzn-requestid"]


def test_unsigned_request_is_missing_authentication_token(server: RunningServer) -> None:
    status, _, body = send(server.endpoint, "POST", "/", GET_CALLER_IDENTITY, dict(STS_FORM))
    assert status == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in body


def test_skewed_client_clock_is_refused(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.auth

    skewed = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: skewed)
    with pytest.raises(ClientError) as raised:
        server.client("sts").get_caller_identity()
    error = raised.value.response["Error"]
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["Message"].startswith(f"Signature expired: {skewed.strftime('%Y%m%dT%H%M%SZ')} is now earlier than")


def test_presigned_get_caller_identity_url(server: RunningServer) -> None:
    url = server.client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    status, headers, body = send(server.endpoint, "GET", url[len(server.endpoint) :], b"", {})
    assert status == 200, body
    assert f"<Account>{server.account_id}</Account>".encode() in body
    assert headers["x-amzn-requestid"]


def test_incomplete_signature(server: RunningServer) -> None:
    headers = dict(STS_FORM)
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={server.admin['AccessKeyId']}/20261128/us-east-1/sts/aws4_request"
    )
    headers["X-Amz-Date"] = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    status, _, body = send(server.endpoint, "POST", "/", GET_CALLER_IDENTITY, headers)
    assert status == 400
    assert b"<Code>IncompleteSignature</Code>" in body


@pytest.fixture(scope="module")
def short_sessions(server: RunningServer) -> Iterator[RunningServer]:
    """A second server whose temporary credentials live two seconds (an operator's session cap)."""
    with running_server(server.store, {"BARYON_MAX_SESSION_SECONDS": "2"}) as capped:
        yield capped


def test_expired_session_is_expired_token(short_sessions: RunningServer) -> None:
    iam = short_sessions.client("iam")
    role = _name("short")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_ACCOUNT.format(account=short_sessions.account_id))
    credentials = short_sessions.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{short_sessions.account_id}:role/{role}", RoleSessionName="brief"
    )["Credentials"]
    assert credentials["Expiration"] <= datetime.now(UTC) + timedelta(seconds=3)
    assert short_sessions.client("sts", credentials).get_caller_identity()["Arn"].endswith(f"{role}/brief")
    time.sleep(3)
    result = short_sessions.aws("sts", "get-caller-identity", credentials=credentials, check=False)
    assert result.returncode != 0
    assert (
        "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token "
        "included in the request is expired" in result.stderr
    )


def test_every_response_has_a_request_id_and_validation_errors_are_4xx(server: RunningServer) -> None:
    with pytest.raises(ClientError) as raised:
        server.client("iam").get_user(UserName="x" * 129)
    response: dict[str, Any] = raised.value.response
    assert response["Error"]["Code"] == "ValidationError"
    assert "Member must have length less than or equal to 128" in response["Error"]["Message"]
    assert response["ResponseMetadata"]["RequestId"]


def test_state_survives_restart_and_calls_are_audited(server: RunningServer) -> None:
    user = _name("kept")
    server.client("iam").create_user(UserName=user)
    server.restart()
    assert server.client("iam").get_user(UserName=user)["User"]["UserName"] == user
    time.sleep(0.5)
    command = [
        sys.executable,
        "-m",
        "baryon.cli",
        "audit",
        "--data-dir",
        str(server.data_dir),
        "--json",
        "-n",
        "500",
    ]
    if server.database_url:
        command += ["--database-url", server.database_url]
    out = subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=60, check=True).stdout
    events = [json.loads(line) for line in out.splitlines()]
    created = [e for e in events if e["operation"] == "CreateUser" and e["status"] == 200]
    assert created and created[-1]["principal"] == f"arn:aws:iam::{server.account_id}:user/baryon-admin"
    assert created[-1]["decision"] == "allowed"
    assert server.admin["SecretAccessKey"] not in out


def test_assume_role_needs_the_roles_trust_policy(server: RunningServer) -> None:
    iam = server.client("iam")
    role = _name("ec2only")
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
        '"Action":"sts:AssumeRole"}]}'
    )
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
    role_arn = f"arn:aws:iam::{server.account_id}:role/{role}"
    result = server.aws("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "s1", check=False)
    assert result.returncode != 0
    assert (
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        f"arn:aws:iam::{server.account_id}:user/baryon-admin is not authorized to perform: sts:AssumeRole on "
        f"resource: {role_arn}" in result.stderr
    )
    missing = server.aws(
        "sts", "assume-role", "--role-arn", role_arn + "-gone", "--role-session-name", "s1", check=False
    )
    assert "(AccessDenied) when calling the AssumeRole operation" in missing.stderr

    iam.update_assume_role_policy(RoleName=role, PolicyDocument=TRUST_ACCOUNT.format(account=server.account_id))
    assumed = server.aws_json("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "s1")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/{role}/s1"

"""The guardrail walkthrough through the AWS CLI as a platform team types it: OUs, a vended account, an SCP
on the Development OU that denies Proton authoring, the developer's denial with AWS's exact message."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.servers import RunningServer

DENY_PROTON_AUTHORING = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "NoTemplateAuthoring",
            "Effect": "Deny",
            "Action": [
                "proton:CreateEnvironmentTemplate",
                "proton:CreateEnvironmentTemplateVersion",
                "proton:CreateEnvironment",
            ],
            "Resource": "*",
        }
    ],
}


def _audit_decision(server: RunningServer, request_id: str) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "baryon.cli",
        "audit",
        "--data-dir",
        str(server.data_dir),
        "--json",
        "-n",
        "2000",
    ]
    if server.database_url:
        command += ["--database-url", server.database_url]
    for _ in range(50):
        out = subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=60, check=True).stdout
        for line in out.splitlines():
            event = json.loads(line)
            if event["requestId"] == request_id:
                return event
        time.sleep(0.2)
    raise AssertionError(f"request {request_id} not in the audit trail")


def _baryon(server: RunningServer, *args: str) -> str:
    command = [sys.executable, "-m", "baryon.cli", *args, "--data-dir", str(server.data_dir)]
    if server.database_url:
        command += ["--database-url", server.database_url]
    return subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=120, check=True).stdout


def _request_id(stderr: str) -> str | None:
    # The CLI does not print request ids; --debug output carries the x-amzn-RequestId response header.
    found = re.search(r"'x-amzn-requestid': '([0-9a-f-]{36})'", stderr, re.IGNORECASE)
    return found.group(1) if found else None


def test_scp_on_development_ou_denies_proton_authoring(server: RunningServer, tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:6]
    root = server.aws_json("organizations", "list-roots")["Roots"][0]["Id"]
    dev_ou = server.aws_json(
        "organizations", "create-organizational-unit", "--parent-id", root, "--name", f"Development-{suffix}"
    )["OrganizationalUnit"]["Id"]
    mgmt_ou = server.aws_json(
        "organizations", "create-organizational-unit", "--parent-id", root, "--name", f"Management-{suffix}"
    )["OrganizationalUnit"]["Id"]
    status = server.aws_json(
        "organizations",
        "create-account",
        "--email",
        f"dev-{suffix}@example.com",
        "--account-name",
        f"dev-{suffix}",
    )["CreateAccountStatus"]
    for _ in range(100):
        status = server.aws_json(
            "organizations", "describe-create-account-status", "--create-account-request-id", status["Id"]
        )["CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
    assert status["State"] == "SUCCEEDED"
    account = status["AccountId"]
    server.aws(
        "organizations",
        "move-account",
        "--account-id",
        account,
        "--source-parent-id",
        root,
        "--destination-parent-id",
        dev_ou,
    )

    policy_file = tmp_path / "deny-proton-authoring.json"
    policy_file.write_text(json.dumps(DENY_PROTON_AUTHORING))
    policy = server.aws_json(
        "organizations",
        "create-policy",
        "--name",
        f"deny-authoring-{suffix}",
        "--type",
        "SERVICE_CONTROL_POLICY",
        "--description",
        "no authoring in dev",
        "--content",
        f"file://{policy_file}",
    )["Policy"]["PolicySummary"]
    server.aws("organizations", "attach-policy", "--policy-id", policy["Id"], "--target-id", dev_ou)

    developer = server.aws_json(
        "sts",
        "assume-role",
        "--role-arn",
        f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        "--role-session-name",
        "alice",
    )["Credentials"]
    template = f"web-{suffix}"
    denied = server.aws("proton", "create-environment-template", "--name", template, credentials=developer, check=False)
    assert denied.returncode != 0
    expected = (
        "An error occurred (AccessDeniedException) when calling the CreateEnvironmentTemplate operation: "
        f"User: arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/alice is not authorized to "
        f"perform: proton:CreateEnvironmentTemplate on resource: "
        f"arn:aws:proton:us-east-1:{account}:environment-template/{template} with an explicit deny in a service "
        f"control policy: {policy['Arn']}"
    )
    assert expected in denied.stderr, denied.stderr

    # The management account is not governed by SCPs: its call passes authorization.
    allowed = server.aws("proton", "create-environment-template", "--name", template, "--debug", check=False)
    request_id = _request_id(allowed.stderr)
    assert request_id is not None
    assert "AccessDenied" not in allowed.stderr.splitlines()[-1]
    assert _audit_decision(server, request_id)["decision"] == "allowed"

    # Moving the account out of Development changes the decision on the very next call.
    server.aws(
        "organizations",
        "move-account",
        "--account-id",
        account,
        "--source-parent-id",
        dev_ou,
        "--destination-parent-id",
        mgmt_ou,
    )
    moved = server.aws(
        "proton",
        "create-environment-template",
        "--name",
        template,
        "--debug",
        credentials=developer,
        check=False,
    )
    moved_id = _request_id(moved.stderr)
    assert moved_id is not None and "AccessDenied" not in moved.stderr.splitlines()[-1]
    assert _audit_decision(server, moved_id)["decision"] == "allowed"
    server.aws(
        "organizations",
        "move-account",
        "--account-id",
        account,
        "--source-parent-id",
        mgmt_ou,
        "--destination-parent-id",
        dev_ou,
    )
    again = server.aws("proton", "create-environment-template", "--name", template, credentials=developer, check=False)
    assert expected in again.stderr

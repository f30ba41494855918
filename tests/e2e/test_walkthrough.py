"""The walkthrough every release must pass (ARCHITECTURE.md), through the AWS CLI as a user types it, against
`baryon up` and its own local cloud:

OUs Management and Development with an account each; an SCP on Development denies template and environment
authoring and a developer there is denied with AWS's message; the platform engineer syncs an environment
template from Git and publishes 1.0; the developer deploys a connection role with `aws cloudformation deploy`
and requests an environment account connection, which the management account accepts; the platform engineer
creates the environment with `jq` look-ups of the published major version and the CONNECTED connection; the
VPC with the spec's CIDR, its three subnets and the ECS cluster exist in the developer account and not in the
management account; a new minor version changes the stack; deleting leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.servers import RunningServer
from tests.sync.gitrepos import commit, init

WORKSHOP = (
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "proton-samples"
    / "aws-samples+aws-proton-workshop-code" / "aws-managed" / "multi-svc-env" / "v1"
)  # fmt: skip
DENY_AUTHORING = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": ["proton:CreateEnvironmentTemplate", "proton:CreateEnvironment"],
            "Resource": "*",
        }
    ],
}
CONNECTION_ROLE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: The role AWS Proton uses to provision environments into this account.
Resources:
  ProtonEnvironmentRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {name}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: proton.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
Outputs:
  RoleArn:
    Value: !GetAtt ProtonEnvironmentRole.Arn
"""


def _account(server: RunningServer, name: str, parent: str, root: str) -> str:
    status = server.aws_json(
        "organizations", "create-account", "--email", f"{name}@example.com", "--account-name", name
    )["CreateAccountStatus"]
    while status["State"] == "IN_PROGRESS":
        time.sleep(0.1)
        status = server.aws_json(
            "organizations", "describe-create-account-status", "--create-account-request-id", status["Id"]
        )["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    account = str(status["AccountId"])
    server.aws("organizations", "move-account", "--account-id", account, "--source-parent-id", root,
               "--destination-parent-id", parent)  # fmt: skip
    return account


def _shell(server: RunningServer, script: str, credentials: dict[str, str] | None = None) -> str:
    """Run a bash line as the platform engineer types it (the `baryon` profile), or with `credentials`."""
    env = server.env
    if credentials:
        env.update(AWS_ACCESS_KEY_ID=credentials["AccessKeyId"], AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
                   AWS_SESSION_TOKEN=credentials["SessionToken"], AWS_DEFAULT_REGION=server.region,
                   AWS_ENDPOINT_URL=server.endpoint)  # fmt: skip
    else:
        env["AWS_PROFILE"] = "baryon"
    env["PATH"] = f"{Path(shutil.which('aws') or 'aws').parent}:{os.environ.get('PATH', '')}"
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, f"{script}\n{result.stderr}"
    return result.stdout.strip()


def _described(server: RunningServer, credentials: dict[str, str] | None, *args: str) -> Any:
    return server.aws_json(*args, credentials=credentials)


def test_the_walkthrough(server: RunningServer, tmp_path: Path) -> None:
    if not WORKSHOP.is_dir() or shutil.which("jq") is None:
        pytest.skip("needs the workshop sample bundle and jq")
    suffix = secrets.token_hex(3)
    root = server.aws_json("organizations", "list-roots")["Roots"][0]["Id"]
    ous = {}
    for name in ("Management", "Development"):
        ous[name] = server.aws_json("organizations", "create-organizational-unit", "--parent-id", root,
                                    "--name", f"{name}-{suffix}")["OrganizationalUnit"]["Id"]  # fmt: skip
    _account(server, f"platform-{suffix}", ous["Management"], root)
    developer_account = _account(server, f"developer-{suffix}", ous["Development"], root)
    policy = server.aws_json(
        "organizations", "create-policy", "--name", f"no-authoring-{suffix}", "--type", "SERVICE_CONTROL_POLICY",
        "--description", "Developers don't author templates or environments", "--content", json.dumps(DENY_AUTHORING),
    )["Policy"]["PolicySummary"]  # fmt: skip
    server.aws("organizations", "attach-policy", "--policy-id", policy["Id"], "--target-id", ous["Development"])
    developer = server.aws_json(
        "sts", "assume-role", "--role-arn", f"arn:aws:iam::{developer_account}:role/OrganizationAccountAccessRole",
        "--role-session-name", "dev",
    )["Credentials"]  # fmt: skip
    template = f"multi-svc-env-{suffix}"
    denied = server.aws("proton", "create-environment-template", "--name", template, credentials=developer, check=False)
    assert (
        f"User: arn:aws:sts::{developer_account}:assumed-role/OrganizationAccountAccessRole/dev is not authorized to "
        f"perform: proton:CreateEnvironmentTemplate on resource: arn:aws:proton:{server.region}:{developer_account}:"
        f"environment-template/{template} with an explicit deny in a service control policy: {policy['Arn']}"
    ) in denied.stderr

    # The platform engineer syncs the template from Git and publishes 1.0.
    repo = f"platform/templates-{suffix}"
    repo_dir = init(tmp_path / "git" / repo)
    bundle = {f"templates/{template}/v1/{p.relative_to(WORKSHOP)}": p.read_bytes() for p in WORKSHOP.rglob("*")
              if p.is_file()}  # fmt: skip
    commit(repo_dir, bundle, "multi-service environment v1")
    server.aws("proton", "create-environment-template", "--name", template, "--display-name", "Multi-service env")
    host = server.aws_json("codestar-connections", "create-host", "--name", f"git-{suffix}", "--provider-type",
                           "GitHubEnterpriseServer", "--cli-input-json",
                           json.dumps({"ProviderEndpoint": f"file://{tmp_path / 'git'}"}))["HostArn"]  # fmt: skip
    connection_arn = server.aws_json("codestar-connections", "create-connection", "--connection-name",
                                     f"git-{suffix}", "--host-arn", host)["ConnectionArn"]  # fmt: skip
    server.aws("proton", "create-repository", "--provider", "GITHUB_ENTERPRISE", "--name", repo,
               "--connection-arn", connection_arn)  # fmt: skip
    server.aws("proton", "create-template-sync-config", "--template-name", template, "--template-type", "ENVIRONMENT",
               "--repository-name", repo, "--repository-provider", "GITHUB_ENTERPRISE", "--branch", "master",
               "--subdirectory", "templates")  # fmt: skip
    _wait_version(server, template, "0")
    server.aws("proton", "update-environment-template-version", "--template-name", template, "--major-version", "1",
               "--minor-version", "0", "--status", "PUBLISHED")  # fmt: skip

    # The developer deploys the connection role and asks for a connection; the management account accepts it.
    role_file = tmp_path / "proton-connection-role.yaml"
    role_file.write_text(CONNECTION_ROLE.format(name=f"ProtonEnvironmentRole-{suffix}"))
    _shell(server, f"aws cloudformation deploy --template-file {role_file} --stack-name proton-role-{suffix} "
                   "--capabilities CAPABILITY_NAMED_IAM", developer)  # fmt: skip
    role_arn = _shell(server, f"aws cloudformation describe-stacks --stack-name proton-role-{suffix} "
                              "--query \"Stacks[0].Outputs[?OutputKey=='RoleArn'].OutputValue\" --output text",
                      developer)  # fmt: skip
    assert role_arn == f"arn:aws:iam::{developer_account}:role/ProtonEnvironmentRole-{suffix}"
    environment = f"dev-{suffix}"
    requested = server.aws_json(
        "proton", "create-environment-account-connection", "--management-account-id", server.account_id,
        "--environment-name", environment, "--role-arn", role_arn, credentials=developer,
    )["environmentAccountConnection"]  # fmt: skip
    assert requested["status"] == "PENDING"
    server.aws("proton", "accept-environment-account-connection", "--id", requested["id"])

    # The platform engineer creates the environment in the developer account, looking things up with jq.
    spec = tmp_path / "spec.yaml"
    spec.write_text("proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.77.0.0/16\n  dns_hostname: dev.walkthrough\n")
    _shell(server, f"""
MAJOR=$(aws proton get-environment-template --name {template} \\
  | jq -r '.environmentTemplate.recommendedVersion | split(".")[0]')
CONNECTION=$(aws proton list-environment-account-connections --requested-by MANAGEMENT_ACCOUNT --statuses CONNECTED \\
  | jq -r '.environmentAccountConnections[] | select(.environmentName == "{environment}") | .id')
aws proton create-environment --name {environment} --template-name {template} --template-major-version "$MAJOR" \\
  --environment-account-connection-id "$CONNECTION" --spec file://{spec}
aws proton wait environment-deployed --name {environment}
""")  # fmt: skip
    deployed = server.aws_json("proton", "get-environment", "--name", environment)["environment"]
    assert deployed["deploymentStatus"] == "SUCCEEDED" and deployed["environmentAccountId"] == developer_account

    vpcs = _described(server, developer, "ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.77.0.0/16")["Vpcs"]
    assert len(vpcs) == 1
    subnets = _described(server, developer, "ec2", "describe-subnets", "--filters",
                         f"Name=vpc-id,Values={vpcs[0]['VpcId']}")["Subnets"]  # fmt: skip
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.77.0.0/24", "10.77.1.0/24", "10.77.2.0/24"]
    listed = server.aws_json("proton", "list-environment-outputs", "--environment-name", environment)["outputs"]
    outputs = {o["key"]: o["valueString"] for o in listed}
    clusters = _described(server, developer, "ecs", "describe-clusters", "--clusters", outputs["ClusterName"])
    assert [c["status"] for c in clusters["clusters"]] == ["ACTIVE"]
    mine = server.aws_json("ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.77.0.0/16")["Vpcs"]
    assert mine == []  # the management account's own cloud holds none of it

    # A new minor version changes the stack.
    stack = f"AWSProton-{environment}-cloudformation"
    before = _described(server, developer, "cloudformation", "get-template", "--stack-name", stack)["TemplateBody"]
    changed = {k: v for k, v in bundle.items()}
    key = f"templates/{template}/v1/infrastructure/cloudformation.yaml"
    changed[key] = changed[key].replace(b"Description: The VPC CIDR", b"Description: The VPC CIDR block")
    commit(repo_dir, changed, "clearer output description")
    _wait_version(server, template, "1")
    server.aws("proton", "update-environment-template-version", "--template-name", template, "--major-version", "1",
               "--minor-version", "1", "--status", "PUBLISHED")  # fmt: skip
    _shell(server, f"aws proton update-environment --name {environment} --deployment-type MINOR_VERSION\n"
                   f"aws proton wait environment-deployed --name {environment}")  # fmt: skip
    updated = server.aws_json("proton", "get-environment", "--name", environment)["environment"]
    assert (updated["deploymentStatus"], updated["templateMinorVersion"]) == ("SUCCEEDED", "1")
    after = _described(server, developer, "cloudformation", "get-template", "--stack-name", stack)["TemplateBody"]
    assert after != before and "The VPC CIDR block" in json.dumps(after)

    # Deleting leaves nothing behind.
    server.aws("proton", "delete-environment", "--name", environment)
    for _ in range(240):
        gone = server.aws("proton", "get-environment", "--name", environment, check=False)
        if "ResourceNotFoundException" in gone.stderr:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the environment was not deleted")
    assert _described(server, developer, "ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.77.0.0/16")[
        "Vpcs"] == []  # fmt: skip
    assert _described(server, developer, "ec2", "describe-subnets", "--filters",
                      f"Name=vpc-id,Values={vpcs[0]['VpcId']}")["Subnets"] == []  # fmt: skip
    clusters = _described(server, developer, "ecs", "describe-clusters", "--clusters", outputs["ClusterName"])
    assert [c["status"] for c in clusters["clusters"]] in ([], ["INACTIVE"])
    server.aws("proton", "delete-environment-account-connection", "--id", requested["id"], credentials=developer)
    server.aws("cloudformation", "delete-stack", "--stack-name", f"proton-role-{suffix}", credentials=developer)


def _wait_version(server: RunningServer, template: str, minor: str) -> None:
    for _ in range(240):
        listed = server.aws_json("proton", "list-environment-template-versions", "--template-name", template)
        if any(v["minorVersion"] == minor and v["status"] != "REGISTRATION_IN_PROGRESS"
               for v in listed["templateVersions"]):  # fmt: skip
            break
        time.sleep(0.5)
    version = server.aws_json(
        "proton", "get-environment-template-version", "--template-name", template, "--major-version", "1",
        "--minor-version", minor,
    )["environmentTemplateVersion"]  # fmt: skip
    assert version["status"] == "DRAFT", version.get("statusMessage")

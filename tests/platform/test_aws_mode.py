"""AWS mode: an account bound to AWS (`baryon account bind ACCOUNT --cloud aws`) is provisioned through AWS's
STS and CloudFormation with the server's own credentials — here a second moto server plays AWS, reached with
`--endpoint-url`. The same code path as the local cloud; only the endpoint and the cloud's facts differ."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.platform.conftest import moto_server
from tests.platform.helpers import env_bundle, member_account, proton, unique, upload, wait_registered
from tests.platform.test_environments import TRUSTS_PROTON, wait_deployed, wait_gone
from tests.servers import RunningServer, running_server


@pytest.fixture(scope="module")
def standin() -> Iterator[str]:
    """Plain moto playing AWS."""
    with moto_server("moto.server") as url:
        yield url


@pytest.fixture(scope="module")
def aws_server(cloud: str, standin: str) -> Iterator[RunningServer]:
    """A server whose process holds credentials for "AWS" (the standard chain: environment variables)."""
    env = {"BARYON_LOCAL_CLOUD_URL": cloud, "AWS_ACCESS_KEY_ID": "AKIABARYONSERVER", "AWS_SECRET_ACCESS_KEY": "x"}
    with running_server("sqlite", env) as running:
        yield running


def _aws_client(url: str, service: str, account: str) -> Any:
    import boto3

    client = boto3.session.Session().client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    client.meta.events.register(
        "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    return client


def test_an_account_bound_to_aws_is_provisioned_there(aws_server: RunningServer, standin: str, cloud: str) -> None:
    server, client = aws_server, proton(aws_server)
    member, credentials = member_account(server)
    bind = [sys.executable, "-m", "baryon.cli", "account", "bind", member, "--cloud", "aws", "--endpoint-url", standin,
            "--data-dir", str(server.data_dir)]  # fmt: skip
    bound = subprocess.run(bind, capture_output=True, text=True, timeout=60, env=server.env)
    assert bound.returncode == 0, bound.stderr
    assert f"Account {member}: its resources live in the aws cloud at {standin}" in bound.stdout

    role_name = unique("ProtonRole")
    iam = _aws_client(standin, "iam", member)
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(TRUSTS_PROTON))
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_role_policy(RoleName=role_name, PolicyName="all", PolicyDocument=json.dumps(everything))
    template = unique("vpc-env")
    client.create_environment_template(name=template)
    client.create_environment_template_version(templateName=template, source={"s3": upload(server, env_bundle())})
    assert wait_registered(server, "environment", template, "1", "0")["status"] == "DRAFT"
    client.update_environment_template_version(templateName=template, majorVersion="1", minorVersion="0",
                                               status="PUBLISHED")  # fmt: skip
    name = unique("aws-env")
    connection = proton(server, credentials).create_environment_account_connection(
        managementAccountId=server.account_id, environmentName=name, roleArn=f"arn:aws:iam::{member}:role/{role_name}"
    )["environmentAccountConnection"]["id"]
    client.accept_environment_account_connection(id=connection)
    spec = "proton: EnvironmentSpec\nspec:\n  cidr: 10.42.0.0/16\n"
    client.create_environment(name=name, templateName=template, templateMajorVersion="1", spec=spec,
                              environmentAccountConnectionId=connection)  # fmt: skip
    deployed = wait_deployed(server, name)
    assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")

    in_aws = _aws_client(standin, "ec2", member).describe_vpcs()["Vpcs"]
    in_local = _aws_client(cloud, "ec2", member).describe_vpcs()["Vpcs"]
    assert [v["CidrBlock"] for v in in_aws].count("10.42.0.0/16") == 1
    assert "10.42.0.0/16" not in [v["CidrBlock"] for v in in_local]
    stacks = _aws_client(standin, "cloudformation", member).describe_stacks()["Stacks"]
    assert [s["StackStatus"] for s in stacks if name in s["StackName"]] == ["CREATE_COMPLETE"]

    client.delete_environment(name=name)
    wait_gone(server, name)
    in_aws = _aws_client(standin, "ec2", member).describe_vpcs()["Vpcs"]
    assert "10.42.0.0/16" not in [v["CidrBlock"] for v in in_aws]

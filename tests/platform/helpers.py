"""Shared steps for the Proton template tests: unique names, bundles (hand-made and from the public samples),
uploading them to the account cloud, reading errors, waiting for registration."""

from __future__ import annotations

import io
import secrets
import tarfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.servers import CLIENT_CONFIG, RunningServer

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "proton-samples"
CFN_SAMPLES = SAMPLES / "aws-samples+aws-proton-cloudformation-sample-templates"

ENV_SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "EnvInput"
  types:
    EnvInput:
      type: object
      description: "Inputs of the environment"
      properties:
        cidr:
          type: string
          description: "The VPC CIDR"
          default: 10.0.0.0/16
{extra}"""

REQUIRED_INPUT = """        team:
          type: string
          description: "A new input every environment must give"
      required:
        - team
"""

OPTIONAL_INPUT = """        size:
          type: string
          description: "An optional new input"
          default: small
"""

SERVICE_SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  service_input_type: "SvcInput"
{pipeline_type}  types:
    SvcInput:
      type: object
      description: "Inputs of a service instance"
      properties:
        port:
          type: number
          description: "The container port"
          default: 80
{pipeline_inputs}"""

PIPELINE_TYPE = """  pipeline_input_type: "PipeInput"
"""

PIPELINE_INPUTS = """    PipeInput:
      type: object
      description: "Inputs of the pipeline"
      properties:
        unit_test_command:
          type: string
          description: "Test command"
          default: "echo ok"
"""

CFN_MANIFEST = """infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
"""

ENV_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: '{{ environment.inputs.cidr }}'
Outputs:
  VpcId:
    Value: !Ref VPC
"""

SVC_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: '{{ service.name }}-{{ service_instance.name }}'
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def tarball(files: dict[str, str | bytes], top: str = "v1") -> bytes:
    """A .tar.gz of `files` under a top directory, as `tar czf bundle.tgz v1/` makes it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{top}/{path}" if top else path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def env_bundle(extra: str = "") -> bytes:
    return tarball(
        {
            "schema/schema.yaml": ENV_SCHEMA.format(extra=extra),
            "infrastructure/manifest.yaml": CFN_MANIFEST,
            "infrastructure/cloudformation.yaml": ENV_CFN,
        }
    )


def service_bundle(pipeline: bool = True) -> bytes:
    schema = SERVICE_SCHEMA.format(
        pipeline_type=PIPELINE_TYPE if pipeline else "", pipeline_inputs=PIPELINE_INPUTS if pipeline else ""
    )
    files: dict[str, str | bytes] = {
        "schema/schema.yaml": schema,
        "instance_infrastructure/manifest.yaml": CFN_MANIFEST,
        "instance_infrastructure/cloudformation.yaml": SVC_CFN,
    }
    if pipeline:
        files["pipeline_infrastructure/manifest.yaml"] = CFN_MANIFEST
        files["pipeline_infrastructure/cloudformation.yaml"] = SVC_CFN
    return tarball(files)


def sample_bundle(relative: str) -> bytes:
    """A bundle from the public samples, tarred the way its authors would upload it; skip without fixtures."""
    folder = CFN_SAMPLES / relative
    if not folder.is_dir():
        pytest.skip(f"sample fixtures not found at {folder}")
    files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    return tarball(files, top=folder.name)


def cloud_url(server: RunningServer) -> str:
    return server.extra_env["BARYON_LOCAL_CLOUD_URL"]


def s3(server: RunningServer, account_id: str | None = None) -> Any:
    """A boto3 S3 client on the account cloud acting as the server's account (moto's account header)."""
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=cloud_url(server),
        region_name=server.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=CLIENT_CONFIG,
    )
    account = account_id or server.account_id

    def as_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign.s3.*", as_account)
    return client


def upload(server: RunningServer, data: bytes, bucket: str | None = None, key: str | None = None) -> dict[str, str]:
    """Put a bundle in a new bucket of the server's account; the `source.s3` of a template version."""
    client = s3(server)
    bucket = bucket or unique("bundles")
    try:
        client.create_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
            raise
    key = key or f"{unique('bundle')}.tar.gz"
    client.put_object(Bucket=bucket, Key=key, Body=data)
    return {"bucket": bucket, "key": key}


def proton(server: RunningServer, credentials: dict[str, str] | None = None) -> Any:
    return server.client("proton", credentials)


def fails(call: Any, **params: Any) -> tuple[str, str]:
    """Call and expect an error: its code and message."""
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def wait_registered(server: RunningServer, kind: str, name: str, major: str, minor: str) -> dict[str, Any]:
    """Wait with boto3's waiter until the version is DRAFT or PUBLISHED, or REGISTRATION_FAILED; the version."""
    client = proton(server)
    waiter = client.get_waiter(f"{kind}_template_version_registered")
    try:
        waiter.wait(
            templateName=name, majorVersion=major, minorVersion=minor, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    except Exception as error:  # WaiterError on REGISTRATION_FAILED: the caller checks the status
        if "REGISTRATION_FAILED" not in str(error) and "failure state" not in str(error):
            raise
    getter = client.get_environment_template_version if kind == "environment" else client.get_service_template_version
    member = f"{kind}TemplateVersion"
    return dict(getter(templateName=name, majorVersion=major, minorVersion=minor)[member])


def new_env_template(server: RunningServer, name: str | None = None, **extra: Any) -> str:
    name = name or unique("env")
    proton(server).create_environment_template(name=name, **extra)
    return name


def new_env_version(
    server: RunningServer, template: str, data: bytes | None = None, major: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Create a version from `data` (a valid environment bundle by default) and wait for its registration."""
    source = upload(server, data if data is not None else env_bundle())
    if major is not None:
        extra["majorVersion"] = major
    created = proton(server).create_environment_template_version(templateName=template, source={"s3": source}, **extra)
    version = created["environmentTemplateVersion"]
    return wait_registered(server, "environment", template, version["majorVersion"], version["minorVersion"])


def member_account(server: RunningServer) -> tuple[str, dict[str, str]]:
    """A new member account of the server's organization and credentials of its administrator: the management
    administrator creates the account (CreateAccount is asynchronous: wait until it SUCCEEDED) and assumes its
    OrganizationAccountAccessRole."""
    import time

    orgs = server.client("organizations")
    name = unique("member")
    status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
    deadline = time.monotonic() + 30
    while status["State"] == "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    account = str(status["AccountId"])
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    creds = server.client("sts").assume_role(RoleArn=role, RoleSessionName="admin")["Credentials"]
    return account, {k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}

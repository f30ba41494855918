"""The proxy: services Baryon does not serve natively (ec2, ecs, s3, cloudformation, logs) reach the caller's
account in the local cloud through the same chain (authenticate, authorize with SCPs, audit), driven by the
AWS CLI and boto3 against a real `baryon up` and its real local cloud."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from baryon.cloud.local import LocalCloud
from tests.org.helpers import assume_access_role, create_scp, deny, fails, new_account, new_ou, root_id, unique
from tests.servers import CLIENT_CONFIG, RunningServer

ROLE_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {name}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: proton.amazonaws.com}}
            Action: sts:AssumeRole
Outputs:
  RoleArn:
    Value: !GetAtt DeployRole.Arn
"""


def cloud_client(server: RunningServer, service: str, account_id: str) -> Any:
    """A client straight to the local cloud (not through Baryon), acting in `account_id`."""
    process = LocalCloud(server.data_dir).running()
    assert process is not None, "the server's local cloud is not running"
    client = boto3.session.Session().client(
        service,
        endpoint_url=process.url,
        region_name=server.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=CLIENT_CONFIG,
    )

    def as_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign.*.*", as_account)
    return client


def member(server: RunningServer, parent: str | None = None) -> tuple[str, dict[str, str]]:
    """A new member account (moved under `parent`) and credentials in its OrganizationAccountAccessRole."""
    account = new_account(server)
    if parent is not None:
        server.client("organizations").move_account(
            AccountId=account, SourceParentId=root_id(server), DestinationParentId=parent
        )
    return account, assume_access_role(server, account, session="alice")


def vpc_ids(server: RunningServer, credentials: dict[str, str] | None = None) -> list[str]:
    return [v["VpcId"] for v in server.aws_json("ec2", "describe-vpcs", credentials=credentials)["Vpcs"]]


def audit_event(server: RunningServer, request_id: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "baryon.cli", "audit", "--data-dir", str(server.data_dir), "--json", "-n", "2000"]
    if server.database_url:
        command += ["--database-url", server.database_url]
    for _ in range(50):
        out = subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=60, check=True).stdout
        for line in out.splitlines():
            event: dict[str, Any] = json.loads(line)
            if event["requestId"] == request_id:
                return event
        time.sleep(0.2)
    raise AssertionError(f"request {request_id} is not in the audit trail")


def request_id(stderr: str) -> str:
    """The request id of the CLI's last call (its --debug output prints the response headers)."""
    found = re.findall(r"'x-amzn-requestid': '([0-9a-f-]{36})'", stderr, re.IGNORECASE)
    assert found, stderr[-2000:]
    return found[-1]


# -- the AWS CLI --------------------------------------------------------------------------------------------------


def test_a_vpc_created_by_a_member_lives_in_the_members_account(server: RunningServer) -> None:
    account, developer = member(server)
    vpc = server.aws_json("ec2", "create-vpc", "--cidr-block", "10.1.0.0/16", credentials=developer)["Vpc"]
    assert vpc["OwnerId"] == account and vpc["CidrBlock"] == "10.1.0.0/16"
    assert vpc["VpcId"] in vpc_ids(server, developer)
    assert vpc["VpcId"] not in vpc_ids(server), "the management account's cloud does not hold it"


def test_ecs_clusters_through_the_cli(server: RunningServer) -> None:
    name = unique("cluster")
    created = server.aws_json("ecs", "create-cluster", "--cluster-name", name)["cluster"]
    assert created["clusterArn"] == f"arn:aws:ecs:us-east-1:{server.account_id}:cluster/{name}"
    assert created["clusterArn"] in server.aws_json("ecs", "list-clusters")["clusterArns"]


def test_s3_commands_with_the_profile_baryon_writes(server: RunningServer, tmp_path: Path) -> None:
    bucket = unique("bucket")
    upload = tmp_path / "hello world.txt"
    upload.write_text("hello from baryon\n")
    assert f"make_bucket: {bucket}" in server.aws("s3", "mb", f"s3://{bucket}").stdout
    server.aws("s3", "cp", str(upload), f"s3://{bucket}/docs/hello world+1.txt")
    listing = server.aws("s3", "ls", f"s3://{bucket}", "--recursive").stdout
    assert "docs/hello world+1.txt" in listing
    assert bucket in server.aws("s3", "ls").stdout
    download = tmp_path / "back.txt"
    server.aws("s3", "cp", f"s3://{bucket}/docs/hello world+1.txt", str(download))
    assert download.read_text() == "hello from baryon\n"


def test_cloudformation_deploy_creates_the_role_in_the_members_cloud(server: RunningServer, tmp_path: Path) -> None:
    account, developer = member(server)
    role = unique("EnvRole")
    template = tmp_path / "role.yaml"
    template.write_text(ROLE_TEMPLATE.format(name=role))
    stack = unique("env")
    server.aws(
        "cloudformation",
        "deploy",
        "--template-file",
        str(template),
        "--stack-name",
        stack,
        "--capabilities",
        "CAPABILITY_NAMED_IAM",
        credentials=developer,
    )
    described = server.aws_json("cloudformation", "describe-stacks", "--stack-name", stack, credentials=developer)
    assert described["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert described["Stacks"][0]["StackId"].split(":")[4] == account

    # The role is in the member account's cloud IAM ...
    found = cloud_client(server, "iam", account).get_role(RoleName=role)["Role"]
    assert found["Arn"] == f"arn:aws:iam::{account}:role/{role}"
    management_cloud = cloud_client(server, "iam", server.account_id)
    with pytest.raises(management_cloud.exceptions.NoSuchEntityException):
        management_cloud.get_role(RoleName=role)
    # ... not in Baryon's identity plane, which is what `aws iam` reaches (the IAM split).
    refused = server.aws("iam", "get-role", "--role-name", role, credentials=developer, check=False)
    assert refused.returncode != 0 and "NoSuchEntity" in refused.stderr


def test_an_scp_denying_create_vpc_refuses_members_of_the_ou(server: RunningServer) -> None:
    ou = new_ou(server, root_id(server))
    account, developer = member(server, parent=ou)
    policy = create_scp(server, deny("ec2:CreateVpc"))
    server.client("organizations").attach_policy(PolicyId=policy["Id"], TargetId=ou)

    denied = server.aws(
        "ec2", "create-vpc", "--cidr-block", "10.1.0.0/16", "--debug", credentials=developer, check=False
    )
    assert denied.returncode != 0
    expected = (
        "An error occurred (UnauthorizedOperation) when calling the CreateVpc operation: You are not authorized to "
        f"perform this operation. User: arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/alice "
        f"is not authorized to perform: ec2:CreateVpc with an explicit deny in a service control policy: "
        f"{policy['Arn']}"
    )
    assert expected in denied.stderr, denied.stderr[-3000:]
    event = audit_event(server, request_id(denied.stderr))
    assert (event["decision"], event["service"], event["operation"], event["action"]) == (
        "explicitDeny",
        "ec2",
        "CreateVpc",
        "ec2:CreateVpc",
    )
    cidrs = [v["CidrBlock"] for v in server.aws_json("ec2", "describe-vpcs", credentials=developer)["Vpcs"]]
    assert "10.1.0.0/16" not in cidrs, "nothing was created"
    # Reads are not denied, and the management account is not governed by SCPs.
    assert server.aws_json("ec2", "create-vpc", "--cidr-block", "10.1.0.0/16")["Vpc"]["OwnerId"] == server.account_id


# -- boto3: the wire details -------------------------------------------------------------------------------------


def test_unknown_credentials_get_each_services_own_error(server: RunningServer) -> None:
    stranger = {"AccessKeyId": "AKIAUNKNOWNKEY000001", "SecretAccessKey": "secret"}
    assert fails(server.client("ec2", stranger).describe_vpcs)[0] == "AuthFailure"
    assert fails(server.client("ecs", stranger).list_clusters)[0] == "UnrecognizedClientException"
    assert fails(server.client("cloudformation", stranger).list_stacks)[0] == "InvalidClientTokenId"
    code, message, _ = fails(server.client("s3", stranger).list_buckets)
    assert (code, message) == (
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
    )
    wrong_secret = {**server.admin, "SecretAccessKey": "not-the-secret"}
    assert fails(server.client("s3", wrong_secret).list_buckets)[0] == "SignatureDoesNotMatch"
    assert fails(server.client("ec2", wrong_secret).describe_vpcs)[0] == "AuthFailure"


def test_denials_in_each_protocol_with_awss_wording(server: RunningServer) -> None:
    iam = server.client("iam")
    name = unique("nobody")
    iam.create_user(UserName=name)
    keys = iam.create_access_key(UserName=name)["AccessKey"]
    user = f"arn:aws:iam::{server.account_id}:user/{name}"

    def implicit(action: str, resource: str | None = None) -> str:
        where = f' on resource: "{resource}"' if resource else ""
        because = f"because no identity-based policy allows the {action} action"
        return f"User: {user} is not authorized to perform: {action}{where} {because}"

    assert fails(server.client("ecs", keys).list_clusters)[:2] == (
        "AccessDeniedException",
        implicit("ecs:ListClusters"),
    )
    assert fails(server.client("logs", keys).describe_log_groups)[:2] == (
        "AccessDeniedException",
        implicit("logs:DescribeLogGroups"),
    )
    assert fails(server.client("cloudformation", keys).list_stacks)[:2] == (
        "AccessDenied",
        implicit("cloudformation:ListStacks"),
    )
    assert fails(server.client("ec2", keys).describe_vpcs)[:2] == (
        "UnauthorizedOperation",
        "You are not authorized to perform this operation. " + implicit("ec2:DescribeVpcs"),
    )
    bucket = unique("denied")
    assert fails(server.client("s3", keys).create_bucket, Bucket=bucket)[:2] == (
        "AccessDenied",
        implicit("s3:CreateBucket", f"arn:aws:s3:::{bucket}"),
    )
    iam.put_user_policy(
        UserName=name,
        PolicyName="clusters",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"}]}
        ),
    )
    assert "clusterArns" in server.client("ecs", keys).list_clusters()


def test_the_caller_cannot_pick_another_account(server: RunningServer) -> None:
    account, developer = member(server)
    ec2 = server.client("ec2", developer)

    def claim_management(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = server.account_id

    ec2.meta.events.register("before-sign.ec2.*", claim_management)
    assert ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["OwnerId"] == account


def test_s3_keys_multipart_and_presigned_urls(server: RunningServer) -> None:
    s3 = server.client("s3")
    bucket = unique("objects")
    s3.create_bucket(Bucket=bucket)
    key = "odd keys/a b+c=d&é~.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"payload")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"payload"
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == 7

    upload = s3.create_multipart_upload(Bucket=bucket, Key="parts.bin")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="parts.bin", UploadId=upload, PartNumber=1, Body=b"x" * 1024)["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket, Key="parts.bin", UploadId=upload, MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]}
    )
    assert s3.get_object(Bucket=bucket, Key="parts.bin")["ContentLength"] == 1024

    url = server.aws("s3", "presign", f"s3://{bucket}/{key}", "--expires-in", "300").stdout.strip()
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"payload"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key, "parts.bin"]

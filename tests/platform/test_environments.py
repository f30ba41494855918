"""Environments end to end on a real server whose account cloud is a real moto server: create from a published
version with a spec, provision through the role, update to a new minor, delete, and nothing left behind."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from tests.platform.helpers import (
    CFN_SAMPLES,
    fails,
    member_account,
    proton,
    tarball,
    unique,
    upload,
    wait_registered,
)
from tests.servers import CLIENT_CONFIG, RunningServer

WORKSHOP = CFN_SAMPLES.parent / "aws-samples+aws-proton-workshop-code" / "aws-managed" / "multi-svc-env" / "v1"
TRUSTS_PROTON = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "proton.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def cloud_client(server: RunningServer, service: str, account: str) -> Any:
    """A client straight on the account cloud (moto), acting as `account` — what the tests check with."""
    client = boto3.session.Session().client(
        service, endpoint_url=server.extra_env["BARYON_LOCAL_CLOUD_URL"], region_name=server.region,
        aws_access_key_id="test", aws_secret_access_key="test", config=CLIENT_CONFIG,
    )  # fmt: skip
    client.meta.events.register("before-sign.*.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", account))  # fmt: skip
    return client


def proton_role(server: RunningServer, account: str, trust: dict[str, Any] | None = None) -> str:
    name = unique("ProtonRole")
    iam = cloud_client(server, "iam", account)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust or TRUSTS_PROTON))
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    return f"arn:aws:iam::{account}:role/{name}"


def published_workshop_template(server: RunningServer, minors: int = 1) -> str:
    if not WORKSHOP.is_dir():
        pytest.skip("the workshop sample bundle is not available")
    files = {str(p.relative_to(WORKSHOP)): p.read_bytes() for p in WORKSHOP.rglob("*") if p.is_file()}
    client, name = proton(server), unique("multi-svc-env")
    client.create_environment_template(name=name)
    for minor in range(minors):
        if minor:
            files["infrastructure/cloudformation.yaml"] += f"\n# minor {minor}\n".encode()
        source = {"s3": upload(server, tarball(files, top="v1"))}
        client.create_environment_template_version(
            templateName=name, source=source, **({"majorVersion": "1"} if minor else {})
        )
        assert wait_registered(server, "environment", name, "1", str(minor))["status"] == "DRAFT"
        client.update_environment_template_version(
            templateName=name, majorVersion="1", minorVersion=str(minor), status="PUBLISHED"
        )
    return name


def wait_deployed(server: RunningServer, name: str) -> dict[str, Any]:
    client = proton(server)
    try:
        client.get_waiter("environment_deployed").wait(name=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    except Exception as error:
        if "FAILED" not in str(error) and "failure state" not in str(error):
            raise
    return dict(client.get_environment(name=name)["environment"])


def wait_gone(server: RunningServer, name: str) -> None:
    client = proton(server)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            found = client.get_environment(name=name)["environment"]
        except client.exceptions.ResourceNotFoundException:
            return
        assert found["deploymentStatus"] != "DELETE_FAILED", found.get("deploymentStatusMessage")
        time.sleep(0.5)
    raise AssertionError(f"environment {name} still exists")


def vpcs(server: RunningServer, account: str, cidr: str) -> list[dict[str, Any]]:
    found = cloud_client(server, "ec2", account).describe_vpcs()["Vpcs"]
    return [v for v in found if v["CidrBlock"] == cidr]


def test_environment_lifecycle_in_the_callers_account(server: RunningServer) -> None:
    client, account = proton(server), server.account_id
    template = published_workshop_template(server, minors=2)
    role = proton_role(server, account)
    name = unique("dev")
    spec = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.7.0.0/16\n  dns_hostname: dev.internal\n"
    created = client.create_environment(
        name=name, templateName=template, templateMajorVersion="1", templateMinorVersion="0", spec=spec,
        protonServiceRoleArn=role,
    )["environment"]  # fmt: skip
    assert created["deploymentStatus"] == "IN_PROGRESS" and created["environmentAccountId"] == account
    deployed = wait_deployed(server, name)
    assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")
    outputs = {o["key"]: o["valueString"] for o in client.list_environment_outputs(environmentName=name)["outputs"]}
    assert outputs["VpcCIDR"] == "10.7.0.0/16" and outputs["ClusterName"]
    (vpc,) = vpcs(server, account, "10.7.0.0/16")
    assert outputs["VpcId"] == vpc["VpcId"]
    subnets = cloud_client(server, "ec2", account).describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    )["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.7.0.0/24", "10.7.1.0/24", "10.7.2.0/24"]
    clusters = cloud_client(server, "ecs", account).list_clusters()["clusterArns"]
    assert any(outputs["ClusterName"] in arn for arn in clusters)
    resources = client.list_environment_provisioned_resources(environmentName=name)["provisionedResources"]
    assert {"VPC", "ECSCluster", "PublicSubnetOne"} <= {r["name"] for r in resources}
    deployment = client.get_deployment(id=deployed["lastSucceededDeploymentId"])["deployment"]
    assert deployment["deploymentStatus"] == "SUCCEEDED" and deployment["targetState"]["environment"]["spec"] == spec

    assert fails(client.delete_environment_template_version, templateName=template, majorVersion="1",
                 minorVersion="0")[0] == "ConflictException"  # fmt: skip
    updated = client.update_environment(name=name, deploymentType="MINOR_VERSION")["environment"]
    assert updated["deploymentStatus"] == "IN_PROGRESS"  # a second update meanwhile: see test_crashes' cancel test
    deployed = wait_deployed(server, name)
    assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")
    assert deployed["templateMinorVersion"] == "1"
    assert len(vpcs(server, account, "10.7.0.0/16")) == 1
    clusters = {outputs["ClusterName"]} | {
        o["valueString"]
        for o in client.list_environment_outputs(environmentName=name)["outputs"]
        if o["key"] == "ClusterName"
    }
    history = client.list_deployments(environmentName=name)["deployments"]
    assert [d["deploymentStatus"] for d in history] == ["SUCCEEDED", "SUCCEEDED"]

    client.delete_environment(name=name)
    wait_gone(server, name)
    assert vpcs(server, account, "10.7.0.0/16") == []
    described = cloud_client(server, "ecs", account).describe_clusters(clusters=sorted(clusters))["clusters"]
    assert [c["status"] for c in described] == ["INACTIVE"] * len(clusters)
    zones = cloud_client(server, "route53", account).list_hosted_zones()["HostedZones"]
    assert not any(z["Name"].rstrip(".") == "dev.internal" for z in zones)
    history = client.list_deployments(environmentName=name)["deployments"]
    assert history[0]["deploymentStatus"] == "DELETE_COMPLETE"


def test_bad_input_is_refused_before_anything_is_deployed(server: RunningServer) -> None:
    client, account = proton(server), server.account_id
    template = published_workshop_template(server)
    role = proton_role(server, account)
    name = unique("bad")
    good = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.8.0.0/16\n"
    base = {"name": name, "templateName": template, "templateMajorVersion": "1"}
    code, message = fails(client.create_environment, **base, spec="proton: EnvironmentSpec\nspec:\n  vpc_cidr: 7\n",
                          protonServiceRoleArn=role)  # fmt: skip
    assert code == "ValidationException" and "vpc_cidr" in message
    code, message = fails(client.create_environment, **base, spec=good,
                          protonServiceRoleArn=f"arn:aws:iam::{account}:role/NoSuchRole")  # fmt: skip
    assert code == "ValidationException" and "does not exist" in message
    untrusting = proton_role(server, account, {**TRUSTS_PROTON, "Statement": [
        {**TRUSTS_PROTON["Statement"][0], "Principal": {"Service": "ecs.amazonaws.com"}}]})  # fmt: skip
    code, message = fails(client.create_environment, **base, spec=good, protonServiceRoleArn=untrusting)
    assert code == "ValidationException" and "trust policy" in message
    code, message = fails(client.create_environment, **base, spec=good, templateMinorVersion="7",
                          protonServiceRoleArn=role)  # fmt: skip
    assert code == "ResourceNotFoundException"
    code, _ = fails(client.create_environment, **base, spec=good)
    assert code == "ValidationException"
    assert name not in [e["name"] for e in client.list_environments()["environments"]]
    assert vpcs(server, account, "10.8.0.0/16") == []


DENY_CREATE_VPC = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "NoVpcs", "Effect": "Deny", "Action": "ec2:CreateVpc", "Resource": "*"}],
}


def connected(server: RunningServer, member: str, credentials: dict[str, str], environment: str) -> str:
    """A CONNECTED environment account connection from `member` for `environment` (role in the member's cloud)."""
    role = proton_role(server, member)
    requested = proton(server, credentials).create_environment_account_connection(
        managementAccountId=server.account_id, environmentName=environment, roleArn=role
    )["environmentAccountConnection"]
    proton(server).accept_environment_account_connection(id=requested["id"])
    return str(requested["id"])


def test_cross_account_environment_and_an_scp_inside_the_stack(server: RunningServer) -> None:
    client, orgs = proton(server), server.client("organizations")
    template = published_workshop_template(server)
    member, credentials = member_account(server)
    name = unique("team-env")
    connection = connected(server, member, credentials, name)
    spec = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.9.0.0/16\n"
    client.create_environment(name=name, templateName=template, templateMajorVersion="1", spec=spec,
                              environmentAccountConnectionId=connection)  # fmt: skip
    deployed = wait_deployed(server, name)
    assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")
    assert deployed["environmentAccountId"] == member
    assert len(vpcs(server, member, "10.9.0.0/16")) == 1 and vpcs(server, server.account_id, "10.9.0.0/16") == []
    code, message = fails(proton(server, credentials).reject_environment_account_connection, id=connection)
    assert code == "ValidationException"  # only the management account rejects
    code, message = fails(client.reject_environment_account_connection, id=connection)
    assert code == "ConflictException" and name in message
    code, message = fails(proton(server, credentials).delete_environment_account_connection, id=connection)
    assert code == "ConflictException" and name in message
    client.delete_environment(name=name)
    wait_gone(server, name)
    assert vpcs(server, member, "10.9.0.0/16") == []

    # An SCP on the member's OU that denies ec2:CreateVpc fails the next environment before anything exists.
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name=unique("Development"))["OrganizationalUnit"]["Id"]
    orgs.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)
    content = json.dumps(DENY_CREATE_VPC)
    policy = orgs.create_policy(Name=unique("no-vpcs"), Description="no VPCs", Type="SERVICE_CONTROL_POLICY",
                                Content=content)["Policy"]["PolicySummary"]  # fmt: skip
    orgs.attach_policy(PolicyId=policy["Id"], TargetId=ou)
    denied_name = unique("denied")
    second = connected(server, member, credentials, denied_name)
    client.create_environment(name=denied_name, templateName=template, templateMajorVersion="1", spec=spec,
                              environmentAccountConnectionId=second)  # fmt: skip
    failed = wait_deployed(server, denied_name)
    assert failed["deploymentStatus"] == "FAILED"
    deployment = client.get_deployment(id=failed["lastAttemptedDeploymentId"])["deployment"]
    role_name = client.get_environment_account_connection(id=second)["environmentAccountConnection"]["roleArn"]
    session = f"arn:aws:sts::{member}:assumed-role/{role_name.rsplit('/', 1)[-1]}/baryon-provisioning"
    expected = (f"User: {session} is not authorized to perform: ec2:CreateVpc with an explicit deny in a service "
                f"control policy: {policy['Arn']}")  # fmt: skip
    assert deployment["deploymentStatus"] == "FAILED" and expected in deployment["deploymentStatusMessage"]
    assert "VPC (AWS::EC2::VPC) needs ec2:CreateVpc" in deployment["deploymentStatusMessage"]
    assert vpcs(server, member, "10.9.0.0/16") == []
    stacks = cloud_client(server, "cloudformation", member).list_stacks()["StackSummaries"]
    assert not any(denied_name in s["StackName"] and s["StackStatus"] != "DELETE_COMPLETE" for s in stacks)
    orgs.detach_policy(PolicyId=policy["Id"], TargetId=ou)
    client.delete_environment(name=denied_name)
    wait_gone(server, denied_name)


def test_versions_and_connections_that_cannot_be_used(server: RunningServer) -> None:
    client = proton(server)
    template = published_workshop_template(server)
    files = {str(p.relative_to(WORKSHOP)): p.read_bytes() for p in WORKSHOP.rglob("*") if p.is_file()}
    files["infrastructure/cloudformation.yaml"] += b"\n# a draft\n"
    source = {"s3": upload(server, tarball(files, top="v1"))}
    client.create_environment_template_version(templateName=template, source=source, majorVersion="1")
    assert wait_registered(server, "environment", template, "1", "1")["status"] == "DRAFT"
    member, credentials = member_account(server)
    name = unique("refused")
    spec = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.11.0.0/16\n"
    base = {"name": name, "templateName": template, "templateMajorVersion": "1", "spec": spec}

    code, message = fails(client.create_environment, **base, templateMinorVersion="1",
                          protonServiceRoleArn=proton_role(server, server.account_id))  # fmt: skip
    assert code == "ValidationException" and "DRAFT" in message and "PUBLISHED" in message
    pending = proton(server, credentials).create_environment_account_connection(
        managementAccountId=server.account_id, environmentName=name, roleArn=proton_role(server, member)
    )["environmentAccountConnection"]["id"]
    code, message = fails(client.create_environment, **base, environmentAccountConnectionId=pending)
    assert code == "ValidationException" and "PENDING" in message
    other = connected(server, member, credentials, unique("someone-else"))
    code, message = fails(client.create_environment, **base, environmentAccountConnectionId=other)
    assert code == "ValidationException" and "is for the environment" in message
    code, message = fails(proton(server, credentials).create_environment, **base, environmentAccountConnectionId=other)
    assert code in ("ValidationException", "ResourceNotFoundException")  # the member doesn't own this template
    assert name not in [e["name"] for e in client.list_environments()["environments"]]
    assert vpcs(server, member, "10.11.0.0/16") == []


def test_list_environments_pages_and_filters(server: RunningServer) -> None:
    client, account = proton(server), server.account_id
    first, second = published_workshop_template(server), published_workshop_template(server)
    role = proton_role(server, account)
    names = []
    for index, template in enumerate((first, first, second)):
        name = unique(f"listed{index}")
        spec = f"proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.{20 + index}.0.0/16\n"
        client.create_environment(name=name, templateName=template, templateMajorVersion="1", spec=spec,
                                  protonServiceRoleArn=role)  # fmt: skip
        names.append(name)
    for name in names:
        assert wait_deployed(server, name)["deploymentStatus"] == "SUCCEEDED"
    only_first = client.list_environments(environmentTemplates=[{"templateName": first, "majorVersion": "1"}])
    assert sorted(e["name"] for e in only_first["environments"]) == sorted(names[:2])
    seen, token = [], None
    while True:
        page = client.list_environments(maxResults=1, **({"nextToken": token} if token else {}))
        assert len(page["environments"]) <= 1
        seen += [e["name"] for e in page["environments"]]
        token = page.get("nextToken")
        if not token:
            break
    assert set(names) <= set(seen) and seen == sorted(seen)
    for name in names:
        client.delete_environment(name=name)
    for name in names:
        wait_gone(server, name)

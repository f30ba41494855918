"""Organizations policies: create, describe, update, delete, list, validation and the size limit."""

from __future__ import annotations

import json

from tests.org.helpers import (
    RCP,
    SCP,
    TAG_POLICY,
    allow,
    create_scp,
    deny,
    fails,
    new_ou,
    orgs,
    root_id,
    unique,
)
from tests.servers import RunningServer


def test_policy_lifecycle_with_the_cli(server: RunningServer) -> None:
    name = unique("deny-leave")
    content = deny("organizations:LeaveOrganization")
    created = server.aws_json(
        "organizations",
        "create-policy",
        "--name",
        name,
        "--description",
        "no leaving",
        "--type",
        SCP,
        "--content",
        content,
    )["Policy"]
    summary = created["PolicySummary"]
    org_id = orgs(server).describe_organization()["Organization"]["Id"]
    assert summary["Id"].startswith("p-")
    assert summary["Arn"] == (
        f"arn:aws:organizations::{server.account_id}:policy/{org_id}/service_control_policy/{summary['Id']}"
    )
    assert (summary["Name"], summary["Description"], summary["Type"], summary["AwsManaged"]) == (
        name,
        "no leaving",
        SCP,
        False,
    )
    assert json.loads(created["Content"]) == json.loads(content)

    described = server.aws_json("organizations", "describe-policy", "--policy-id", summary["Id"])["Policy"]
    assert described["PolicySummary"] == summary

    new_content = deny("organizations:CloseAccount")
    updated = server.aws_json(
        "organizations",
        "update-policy",
        "--policy-id",
        summary["Id"],
        "--name",
        name + "-v2",
        "--content",
        new_content,
    )["Policy"]
    assert updated["PolicySummary"]["Name"] == name + "-v2"
    assert updated["PolicySummary"]["Description"] == "no leaving"
    assert json.loads(updated["Content"]) == json.loads(new_content)

    listed = server.aws_json("organizations", "list-policies", "--filter", SCP)["Policies"]
    ids = [p["Id"] for p in listed]
    assert summary["Id"] in ids and "p-FullAWSAccess" in ids

    server.aws("organizations", "delete-policy", "--policy-id", summary["Id"])
    result = server.aws("organizations", "describe-policy", "--policy-id", summary["Id"], check=False)
    assert "PolicyNotFoundException" in result.stderr


def test_full_aws_access_is_aws_managed_and_immutable(server: RunningServer) -> None:
    client = orgs(server)
    policy = client.describe_policy(PolicyId="p-FullAWSAccess")["Policy"]
    summary = policy["PolicySummary"]
    assert summary["Arn"] == "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
    assert (summary["Name"], summary["AwsManaged"], summary["Type"]) == ("FullAWSAccess", True, SCP)
    assert json.loads(policy["Content"])["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    code, _, reason = fails(client.update_policy, PolicyId="p-FullAWSAccess", Name="mine")
    assert (code, reason) == ("InvalidInputException", "IMMUTABLE_POLICY")
    code, _, reason = fails(client.delete_policy, PolicyId="p-FullAWSAccess")
    assert (code, reason) == ("InvalidInputException", "IMMUTABLE_POLICY")


def test_malformed_documents_are_refused(server: RunningServer) -> None:
    client = orgs(server)
    cases = [
        "not json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}],
            }
        ),
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
    ]
    for content in cases:
        code, message, _ = fails(client.create_policy, Name=unique("bad"), Description="", Type=SCP, Content=content)
        assert code == "MalformedPolicyDocumentException", content
        assert message
    code, _, _ = fails(
        client.create_policy, Name=unique("bad-rcp"), Description="", Type=RCP, Content=allow("s3:GetObject")
    )
    assert code == "MalformedPolicyDocumentException"
    code, _, _ = fails(client.create_policy, Name=unique("bad-tag"), Description="", Type=TAG_POLICY, Content="[1, 2]")
    assert code == "MalformedPolicyDocumentException"
    scp = create_scp(server, allow("s3:*"))
    code, _, _ = fails(client.update_policy, PolicyId=scp["Id"], Content="{")
    assert code == "MalformedPolicyDocumentException"


def test_scp_size_limit_counts_every_character(server: RunningServer) -> None:
    client = orgs(server)
    base = deny("s3:DeleteBucket")
    fits = base[:-1] + " " * (10240 - len(base)) + "}"
    assert len(fits) == 10240
    create_scp(server, fits)
    too_big = base[:-1] + " " * (10241 - len(base)) + "}"
    code, message, reason = fails(client.create_policy, Name=unique("big"), Description="", Type=SCP, Content=too_big)
    assert (code, reason) == ("ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED")
    assert message == "You attempted to create a policy that is larger than the maximum size."
    small = create_scp(server, base)
    code, _, reason = fails(client.update_policy, PolicyId=small["Id"], Content=too_big)
    assert reason == "POLICY_CONTENT_LIMIT_EXCEEDED"


def test_duplicate_names_and_policy_in_use(server: RunningServer) -> None:
    client = orgs(server)
    name = unique("same")
    policy = create_scp(server, deny("ec2:*"), name)
    code, _, _ = fails(client.create_policy, Name=name, Description="", Type=SCP, Content=deny("ec2:*"))
    assert code == "DuplicatePolicyException"
    code, _, _ = fails(client.create_policy, Name="FullAWSAccess", Description="", Type=SCP, Content=deny("x:*"))
    assert code == "DuplicatePolicyException"
    ou_id = new_ou(server, root_id(server))
    client.attach_policy(PolicyId=policy["Id"], TargetId=ou_id)
    code, _, _ = fails(client.delete_policy, PolicyId=policy["Id"])
    assert code == "PolicyInUseException"
    client.detach_policy(PolicyId=policy["Id"], TargetId=ou_id)
    client.delete_policy(PolicyId=policy["Id"])


def test_tag_policies_are_stored(server: RunningServer) -> None:
    content = json.dumps({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}}}})
    created = orgs(server).create_policy(
        Name=unique("tags"), Description="tag policy", Type=TAG_POLICY, Content=content
    )["Policy"]
    assert created["PolicySummary"]["Type"] == TAG_POLICY
    assert json.loads(created["Content"]) == json.loads(content)
    org_id = orgs(server).describe_organization()["Organization"]["Id"]
    assert f"/{org_id}/tag_policy/" in created["PolicySummary"]["Arn"]


def test_other_policy_types_are_not_available(server: RunningServer) -> None:
    code, _, _ = fails(
        orgs(server).create_policy, Name=unique("backup"), Description="", Type="BACKUP_POLICY", Content="{}"
    )
    assert code == "PolicyTypeNotAvailableForOrganizationException"


def test_unknown_policy(server: RunningServer) -> None:
    code, message, _ = fails(orgs(server).describe_policy, PolicyId="p-0000000000")
    assert code == "PolicyNotFoundException"
    assert message == "We can't find a policy with the PolicyId that you specified."

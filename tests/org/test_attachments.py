"""Attaching and detaching policies: every limit and error, listing both ways, and the policy types."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.org.helpers import (
    RCP,
    SCP,
    TAG_POLICY,
    allow,
    create_scp,
    deny,
    fails,
    new_account,
    new_ou,
    orgs,
    root_id,
    unique,
)
from tests.servers import RunningServer


def test_attach_and_detach_with_the_cli(server: RunningServer) -> None:
    ou_id = new_ou(server, root_id(server))
    policy = create_scp(server, deny("s3:DeleteBucket"))
    server.aws("organizations", "attach-policy", "--policy-id", policy["Id"], "--target-id", ou_id)
    listed = server.aws_json("organizations", "list-policies-for-target", "--target-id", ou_id, "--filter", SCP)
    assert {p["Id"] for p in listed["Policies"]} == {"p-FullAWSAccess", policy["Id"]}
    targets = server.aws_json("organizations", "list-targets-for-policy", "--policy-id", policy["Id"])["Targets"]
    org_id = orgs(server).describe_organization()["Organization"]["Id"]
    name = orgs(server).describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"]["Name"]
    assert targets == [
        {
            "TargetId": ou_id,
            "Arn": f"arn:aws:organizations::{server.account_id}:ou/{org_id}/{ou_id}",
            "Name": name,
            "Type": "ORGANIZATIONAL_UNIT",
        }
    ]
    server.aws("organizations", "detach-policy", "--policy-id", policy["Id"], "--target-id", ou_id)
    listed = server.aws_json("organizations", "list-policies-for-target", "--target-id", ou_id, "--filter", SCP)
    assert [p["Id"] for p in listed["Policies"]] == ["p-FullAWSAccess"]
    assert server.aws_json("organizations", "list-targets-for-policy", "--policy-id", policy["Id"])["Targets"] == []


def test_full_aws_access_is_on_the_root_and_the_management_account(server: RunningServer) -> None:
    client = orgs(server)
    for target in (root_id(server), server.account_id):
        ids = [p["Id"] for p in client.list_policies_for_target(TargetId=target, Filter=SCP)["Policies"]]
        assert "p-FullAWSAccess" in ids
    targets = client.get_paginator("list_targets_for_policy").paginate(PolicyId="p-FullAWSAccess")
    types = {t["Type"] for page in targets for t in page["Targets"]}
    assert {"ROOT", "ACCOUNT"} <= types


def test_at_most_ten_scps_per_target(server: RunningServer) -> None:
    client = orgs(server)
    account = new_account(server)
    for index in range(9):  # FullAWSAccess is the tenth
        client.attach_policy(PolicyId=create_scp(server, deny(f"s3:Action{index}"))["Id"], TargetId=account)
    eleventh = create_scp(server, deny("s3:Eleventh"))
    code, message, reason = fails(client.attach_policy, PolicyId=eleventh["Id"], TargetId=account)
    assert (code, reason) == ("ConstraintViolationException", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    assert message == "You have attached the maximum number of policies to the specified target."
    assert len(client.list_policies_for_target(TargetId=account, Filter=SCP, MaxResults=20)["Policies"]) == 10


def test_every_target_keeps_one_scp(server: RunningServer) -> None:
    client = orgs(server)
    ou_id = new_ou(server, root_id(server))
    code, message, reason = fails(client.detach_policy, PolicyId="p-FullAWSAccess", TargetId=ou_id)
    assert (code, reason) == ("ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    assert "fewer than the minimum number of policies" in message
    replacement = create_scp(server, allow("*"))
    client.attach_policy(PolicyId=replacement["Id"], TargetId=ou_id)
    client.detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou_id)
    remaining = client.list_policies_for_target(TargetId=ou_id, Filter=SCP)["Policies"]
    assert [p["Id"] for p in remaining] == [replacement["Id"]]
    code, _, reason = fails(client.detach_policy, PolicyId=replacement["Id"], TargetId=ou_id)
    assert reason == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"


def test_attachment_errors(server: RunningServer) -> None:
    client = orgs(server)
    ou_id = new_ou(server, root_id(server))
    policy = create_scp(server, deny("sqs:*"))
    client.attach_policy(PolicyId=policy["Id"], TargetId=ou_id)
    code, message, _ = fails(client.attach_policy, PolicyId=policy["Id"], TargetId=ou_id)
    assert code == "DuplicatePolicyAttachmentException"
    assert message == "The selected policy is already attached to the specified target."
    other = new_ou(server, root_id(server))
    code, _, _ = fails(client.detach_policy, PolicyId=policy["Id"], TargetId=other)
    assert code == "PolicyNotAttachedException"
    code, _, _ = fails(client.attach_policy, PolicyId="p-0000000000", TargetId=ou_id)
    assert code == "PolicyNotFoundException"
    code, _, _ = fails(client.attach_policy, PolicyId=policy["Id"], TargetId="ou-zzzz-zzzzzzzz")
    assert code == "TargetNotFoundException"
    code, _, _ = fails(client.attach_policy, PolicyId=policy["Id"], TargetId="000000000000")
    assert code == "TargetNotFoundException"
    code, _, _ = fails(client.list_policies_for_target, TargetId="ou-zzzz-zzzzzzzz", Filter=SCP)
    assert code == "TargetNotFoundException"


@pytest.fixture
def tag_policies_enabled(server: RunningServer) -> Iterator[str]:
    client = orgs(server)
    root = root_id(server)
    client.enable_policy_type(RootId=root, PolicyType=TAG_POLICY)
    try:
        yield root
    finally:
        client.disable_policy_type(RootId=root, PolicyType=TAG_POLICY)


def test_tag_policies_need_their_type_enabled(server: RunningServer) -> None:
    client = orgs(server)
    ou_id = new_ou(server, root_id(server))
    policy = client.create_policy(Name=unique("tags"), Description="", Type=TAG_POLICY, Content="{}")["Policy"]
    code, message, _ = fails(client.attach_policy, PolicyId=policy["PolicySummary"]["Id"], TargetId=ou_id)
    assert code == "PolicyTypeNotEnabledException"
    assert "isn't currently enabled" in message


def test_enable_and_disable_a_policy_type(server: RunningServer, tag_policies_enabled: str) -> None:
    client = orgs(server)
    root = tag_policies_enabled
    roots = client.list_roots()["Roots"]
    assert {"Type": TAG_POLICY, "Status": "ENABLED"} in roots[0]["PolicyTypes"]
    code, _, _ = fails(client.enable_policy_type, RootId=root, PolicyType=TAG_POLICY)
    assert code == "PolicyTypeAlreadyEnabledException"
    ou_id = new_ou(server, root)
    policy = client.create_policy(Name=unique("tags"), Description="", Type=TAG_POLICY, Content="{}")["Policy"]
    client.attach_policy(PolicyId=policy["PolicySummary"]["Id"], TargetId=ou_id)
    assert len(client.list_policies_for_target(TargetId=ou_id, Filter=TAG_POLICY)["Policies"]) == 1
    client.detach_policy(PolicyId=policy["PolicySummary"]["Id"], TargetId=ou_id)
    code, _, _ = fails(client.enable_policy_type, RootId="r-zzzz", PolicyType=TAG_POLICY)
    assert code == "RootNotFoundException"
    code, _, _ = fails(client.enable_policy_type, RootId=root, PolicyType="BACKUP_POLICY")
    assert code == "PolicyTypeNotAvailableForOrganizationException"


def test_rcps_attach_rcp_full_aws_access_everywhere(server: RunningServer) -> None:
    client = orgs(server)
    root = root_id(server)
    ou_id = new_ou(server, root)
    enabled = client.enable_policy_type(RootId=root, PolicyType=RCP)["Root"]
    try:
        assert {"Type": RCP, "Status": "ENABLED"} in enabled["PolicyTypes"]
        for target in (root, ou_id, server.account_id):
            ids = [p["Id"] for p in client.list_policies_for_target(TargetId=target, Filter=RCP)["Policies"]]
            assert ids == ["p-RCPFullAWSAccess"]
        code, _, reason = fails(client.detach_policy, PolicyId="p-RCPFullAWSAccess", TargetId=ou_id)
        assert (code, reason) == ("InvalidInputException", "NON_DETACHABLE_POLICY")
        rcp = client.create_policy(
            Name=unique("rcp"),
            Description="",
            Type=RCP,
            Content=(
                '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",'
                '"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}'
            ),
        )["Policy"]["PolicySummary"]
        assert rcp["Arn"].endswith(f"/resource_control_policy/{rcp['Id']}")
        client.attach_policy(PolicyId=rcp["Id"], TargetId=ou_id)
        new_account_id = new_account(server)
        ids = [p["Id"] for p in client.list_policies_for_target(TargetId=new_account_id, Filter=RCP)["Policies"]]
        assert ids == ["p-RCPFullAWSAccess"]
    finally:
        disabled = client.disable_policy_type(RootId=root, PolicyType=RCP)["Root"]
    assert RCP not in [t["Type"] for t in disabled["PolicyTypes"]]
    assert client.list_policies_for_target(TargetId=ou_id, Filter=RCP)["Policies"] == []
    code, _, _ = fails(client.disable_policy_type, RootId=root, PolicyType=RCP)
    assert code == "PolicyTypeNotEnabledException"


def test_disabling_scps_detaches_them_and_reenabling_restores_only_full_aws_access(
    server: RunningServer,
) -> None:
    client = orgs(server)
    root = root_id(server)
    ou_id = new_ou(server, root)
    policy = create_scp(server, deny("sns:*"))
    client.attach_policy(PolicyId=policy["Id"], TargetId=ou_id)
    try:
        client.disable_policy_type(RootId=root, PolicyType=SCP)
        assert client.list_policies_for_target(TargetId=ou_id, Filter=SCP)["Policies"] == []
        code, _, _ = fails(client.attach_policy, PolicyId=policy["Id"], TargetId=ou_id)
        assert code == "PolicyTypeNotEnabledException"
    finally:
        client.enable_policy_type(RootId=root, PolicyType=SCP)
    for target in (root, ou_id, server.account_id):
        ids = [p["Id"] for p in client.list_policies_for_target(TargetId=target, Filter=SCP)["Policies"]]
        assert ids == ["p-FullAWSAccess"]

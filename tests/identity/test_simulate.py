"""The IAM policy simulator through boto3 and the AWS CLI: decisions, matched statements with positions,
organization levels, boundaries, resource policies, missing context, pagination and context keys."""

from __future__ import annotations

import json

from tests.identity.helpers import allow, deny, document, error, unique
from tests.servers import RunningServer

ALLOW_ALL = allow("*")


def _result(server: RunningServer, **params: object) -> dict:  # type: ignore[type-arg]
    return server.client("iam").simulate_custom_policy(**params)["EvaluationResults"][0]


def test_identity_allow_and_deny(server: RunningServer) -> None:
    allowed = _result(server, PolicyInputList=[allow("proton:*")], ActionNames=["proton:CreateEnvironment"])
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["EvalActionName"] == "proton:CreateEnvironment"
    assert allowed["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert allowed["MatchedStatements"][0]["SourcePolicyType"] == "none"
    assert allowed["MatchedStatements"][0]["StartPosition"]["Line"] == 1
    implicit = _result(server, PolicyInputList=[allow("proton:Get*")], ActionNames=["proton:CreateEnvironment"])
    assert implicit["EvalDecision"] == "implicitDeny" and implicit["MatchedStatements"] == []
    explicit = _result(
        server, PolicyInputList=[ALLOW_ALL, deny("proton:Create*")], ActionNames=["proton:CreateEnvironment"]
    )
    assert explicit["EvalDecision"] == "explicitDeny"
    assert [m["SourcePolicyId"] for m in explicit["MatchedStatements"]] == ["PolicyInputList.2"]


def test_organization_levels_deny_and_every_level_must_allow(server: RunningServer) -> None:
    full = allow("*")
    levels = [
        {"ServiceControlPolicyInputList": [full]},
        {"ServiceControlPolicyInputList": [full, deny("proton:CreateEnvironmentTemplate")]},
        {"ServiceControlPolicyInputList": [full]},
    ]
    denied = _result(
        server,
        PolicyInputList=[ALLOW_ALL],
        OrderedOrganizationPolicyInputList=levels,
        ActionNames=["proton:CreateEnvironmentTemplate"],
    )
    assert denied["EvalDecision"] == "explicitDeny"
    assert denied["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert denied["MatchedStatements"][0]["SourcePolicyId"] == (
        "OrderedOrganizationPolicyInputList.2.ServiceControlPolicyInputList.2"
    )
    allow_list = [{"ServiceControlPolicyInputList": [full]}, {"ServiceControlPolicyInputList": [allow("ec2:*")]}]
    gap = _result(
        server,
        PolicyInputList=[ALLOW_ALL],
        OrderedOrganizationPolicyInputList=allow_list,
        ActionNames=["iam:ListUsers"],
    )
    assert gap["EvalDecision"] == "implicitDeny"
    assert gap["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    fine = _result(
        server,
        PolicyInputList=[ALLOW_ALL],
        OrderedOrganizationPolicyInputList=allow_list,
        ActionNames=["ec2:RunInstances"],
    )
    assert fine["EvalDecision"] == "allowed" and fine["OrganizationsDecisionDetail"]["AllowedByOrganizations"]


def test_boundary_and_missing_context(server: RunningServer) -> None:
    bounded = _result(
        server,
        PolicyInputList=[ALLOW_ALL],
        PermissionsBoundaryPolicyInputList=[allow("s3:*")],
        ActionNames=["iam:CreateUser"],
    )
    assert bounded["EvalDecision"] == "implicitDeny"
    assert bounded["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    conditional = document(
        {
            "Effect": "Allow",
            "Action": "iam:*",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    )
    missing = _result(server, PolicyInputList=[conditional], ActionNames=["iam:ListUsers"])
    assert missing["EvalDecision"] == "implicitDeny"
    assert missing["MissingContextValues"] == ["aws:SourceIp"]
    entry = {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"}
    given = _result(server, PolicyInputList=[conditional], ActionNames=["iam:ListUsers"], ContextEntries=[entry])
    assert given["EvalDecision"] == "allowed" and given["MissingContextValues"] == []


def test_resources_resource_policy_and_pagination(server: RunningServer) -> None:
    iam = server.client("iam")
    arn = f"arn:aws:proton:us-east-1:{server.account_id}:environment/"
    scoped = allow("proton:GetEnvironment", arn + "dev")
    result = _result(
        server,
        PolicyInputList=[scoped],
        ActionNames=["proton:GetEnvironment"],
        ResourceArns=[arn + "dev", arn + "prod"],
    )
    assert result["EvalDecision"] == "implicitDeny"
    decisions = {r["EvalResourceName"]: r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]}
    assert decisions == {arn + "dev": "allowed", arn + "prod": "implicitDeny"}

    caller = f"arn:aws:iam::{server.account_id}:user/someone"
    bucket_policy = document(
        {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    )
    by_resource = _result(
        server,
        PolicyInputList=[allow("ec2:*")],
        ResourcePolicy=bucket_policy,
        CallerArn=caller,
        ResourceArns=["arn:aws:s3:::b/key"],
        ResourceOwner=f"arn:aws:iam::{server.account_id}:root",
        ActionNames=["s3:GetObject"],
    )
    assert by_resource["EvalDecision"] == "allowed"
    assert by_resource["MatchedStatements"][0]["SourcePolicyType"] == "resource"
    assert (
        error(
            iam.simulate_custom_policy,
            PolicyInputList=[ALLOW_ALL],
            ResourcePolicy=bucket_policy,
            ActionNames=["s3:GetObject"],
        )["Code"]
        == "InvalidInput"
    )

    first = iam.simulate_custom_policy(
        PolicyInputList=[ALLOW_ALL], ActionNames=["iam:ListUsers", "iam:GetUser"], MaxItems=1
    )
    assert first["IsTruncated"] and len(first["EvaluationResults"]) == 1
    second = iam.simulate_custom_policy(
        PolicyInputList=[ALLOW_ALL], ActionNames=["iam:ListUsers", "iam:GetUser"], MaxItems=1, Marker=first["Marker"]
    )
    assert [r["EvalActionName"] for r in second["EvaluationResults"]] == ["iam:GetUser"]
    assert not second["IsTruncated"]


def test_malformed_input_policy_is_invalid_input(server: RunningServer) -> None:
    failure = error(server.client("iam").simulate_custom_policy, PolicyInputList=["{not json"], ActionNames=["s3:*"])
    assert failure["Code"] == "InvalidInput" and failure["Status"] == 400
    assert failure["Message"].startswith("PolicyInputList.1: ")


def test_simulate_principal_policy_uses_the_entitys_policies(server: RunningServer) -> None:
    iam = server.client("iam")
    name, group_name = unique("sim"), unique("simgrp")
    iam.create_user(UserName=name)
    iam.create_group(GroupName=group_name)
    iam.add_user_to_group(GroupName=group_name, UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="no-delete", PolicyDocument=deny("iam:DeleteUser"))
    iam.put_group_policy(GroupName=group_name, PolicyName="group-read", PolicyDocument=allow("iam:Get*"))
    iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")
    arn = f"arn:aws:iam::{server.account_id}:user/{name}"
    out = server.aws_json(
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        arn,
        "--action-names",
        "iam:DeleteUser",
        "iam:GetUser",
        "ec2:RunInstances",
        "iam:CreateUser",
    )
    by_action = {r["EvalActionName"]: r for r in out["EvaluationResults"]}
    assert by_action["iam:DeleteUser"]["EvalDecision"] == "explicitDeny"
    assert by_action["iam:DeleteUser"]["MatchedStatements"][0]["SourcePolicyId"] == "no-delete"
    assert by_action["iam:DeleteUser"]["MatchedStatements"][0]["SourcePolicyType"] == "user"
    assert by_action["iam:GetUser"]["EvalDecision"] == "allowed"
    assert {m["SourcePolicyType"] for m in by_action["iam:GetUser"]["MatchedStatements"]} == {"group"}
    assert by_action["ec2:RunInstances"]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    assert by_action["iam:CreateUser"]["EvalDecision"] == "implicitDeny"
    excluded = iam.simulate_principal_policy(
        PolicySourceArn=arn,
        ActionNames=["iam:DeleteUser"],
        PolicyExclusionList=[
            {"InlinePolicyIdentifier": {"PolicyName": "no-delete", "AttachmentType": "user", "AttachmentName": name}}
        ],
    )["EvaluationResults"][0]
    assert excluded["EvalDecision"] == "implicitDeny"
    no_managed = iam.simulate_principal_policy(
        PolicySourceArn=arn,
        ActionNames=["ec2:RunInstances"],
        PolicyExclusionList=[{"PolicyArn": "arn:aws:iam::aws:policy/PowerUser*"}],
    )["EvaluationResults"][0]
    assert no_managed["EvalDecision"] == "implicitDeny"
    missing = error(iam.simulate_principal_policy, PolicySourceArn=arn + "-gone", ActionNames=["iam:GetUser"])
    assert missing["Code"] == "NoSuchEntity"


def test_context_keys(server: RunningServer) -> None:
    conditional = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:PrincipalTag/team": "a", "proton:EnvironmentTemplate": "vpc"},
                        "Bool": {"aws:SecureTransport": "true"},
                    },
                }
            ],
        }
    )
    keys = server.client("iam").get_context_keys_for_custom_policy(PolicyInputList=[conditional])["ContextKeyNames"]
    assert keys == ["aws:PrincipalTag/team", "aws:SecureTransport", "proton:EnvironmentTemplate"]

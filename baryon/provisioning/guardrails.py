"""Guardrails inside stacks: before a stack is created or updated, Baryon authorizes the calls CloudFormation
would make for each resource of the template, as the role session that runs the stack, against that account's
SCPs and the role's own policies. A denial stops the deployment before anything exists, with AWS's message.

CloudFormation acts with the role's credentials, so in AWS an SCP that denies `ec2:CreateVpc` fails the stack
halfway, after other resources were made; moto checks nothing at all. Checking first gives the same verdict,
earlier, in both clouds. `RESOURCE_ACTIONS` is the table of what each resource type needs to be created.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from baryon.authz.authorizer import attached
from baryon.identity.aws_managed import POLICIES as AWS_MANAGED
from baryon.org.guardrails import OrgGuardrails
from baryon.policy import AuthorizationRequest, PolicySet, PolicyType, Principal, PrincipalKind, evaluate
from baryon.provisioning.clouds import ROLE_ARN, SESSION_NAME, Cloud, CloudSession, policy_text
from baryon.provisioning.recent import Recent
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch

log = logging.getLogger("baryon.provisioning.guardrails")

RESOURCE_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "AWS::EC2::VPC": ("ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:CreateTags"),
    "AWS::EC2::Subnet": ("ec2:CreateSubnet", "ec2:ModifySubnetAttribute"),
    "AWS::EC2::InternetGateway": ("ec2:CreateInternetGateway",),
    "AWS::EC2::VPCGatewayAttachment": ("ec2:AttachInternetGateway",),
    "AWS::EC2::NatGateway": ("ec2:CreateNatGateway",),
    "AWS::EC2::EIP": ("ec2:AllocateAddress",),
    "AWS::EC2::RouteTable": ("ec2:CreateRouteTable",),
    "AWS::EC2::Route": ("ec2:CreateRoute",),
    "AWS::EC2::SubnetRouteTableAssociation": ("ec2:AssociateRouteTable",),
    "AWS::EC2::SecurityGroup": ("ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress"),
    "AWS::EC2::SecurityGroupIngress": ("ec2:AuthorizeSecurityGroupIngress",),
    "AWS::EC2::SecurityGroupEgress": ("ec2:AuthorizeSecurityGroupEgress",),
    "AWS::EC2::VPCEndpoint": ("ec2:CreateVpcEndpoint",),
    "AWS::EC2::Instance": ("ec2:RunInstances",),
    "AWS::ECS::Cluster": ("ecs:CreateCluster",),
    "AWS::ECS::Service": ("ecs:CreateService",),
    "AWS::ECS::TaskDefinition": ("ecs:RegisterTaskDefinition",),
    "AWS::IAM::Role": ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"),
    "AWS::IAM::Policy": ("iam:PutRolePolicy",),
    "AWS::IAM::ManagedPolicy": ("iam:CreatePolicy",),
    "AWS::IAM::InstanceProfile": ("iam:CreateInstanceProfile",),
    "AWS::S3::Bucket": ("s3:CreateBucket",),
    "AWS::S3::BucketPolicy": ("s3:PutBucketPolicy",),
    "AWS::SSM::Parameter": ("ssm:PutParameter",),
    "AWS::Route53::HostedZone": ("route53:CreateHostedZone",),
    "AWS::Route53::RecordSet": ("route53:ChangeResourceRecordSets",),
    "AWS::ServiceDiscovery::PrivateDnsNamespace": ("servicediscovery:CreatePrivateDnsNamespace",),
    "AWS::ServiceDiscovery::Service": ("servicediscovery:CreateService",),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("elasticloadbalancing:CreateLoadBalancer",),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("elasticloadbalancing:CreateTargetGroup",),
    "AWS::ElasticLoadBalancingV2::Listener": ("elasticloadbalancing:CreateListener",),
    "AWS::Lambda::Function": ("lambda:CreateFunction",),
    "AWS::Lambda::Permission": ("lambda:AddPermission",),
    "AWS::Logs::LogGroup": ("logs:CreateLogGroup",),
    "AWS::SQS::Queue": ("sqs:CreateQueue",),
    "AWS::SNS::Topic": ("sns:CreateTopic",),
    "AWS::DynamoDB::Table": ("dynamodb:CreateTable",),
    "AWS::KMS::Key": ("kms:CreateKey",),
    "AWS::SecretsManager::Secret": ("secretsmanager:CreateSecret",),
    "AWS::ECR::Repository": ("ecr:CreateRepository",),
    "AWS::CloudFormation::Stack": ("cloudformation:CreateStack",),
}
STACK_ACTIONS = {"CREATE": "cloudformation:CreateStack", "UPDATE": "cloudformation:UpdateStack"}


def required_actions(document: Mapping[str, Any], operation: str) -> list[tuple[str, str]]:
    """(what needs it, action) for the stack itself and each resource of a known type, in template order."""
    needed = [("the stack", STACK_ACTIONS.get(operation, "cloudformation:CreateStack"))]
    for logical_id, resource in (document.get("Resources") or {}).items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        for action in RESOURCE_ACTIONS.get(str(kind), ()):
            needed.append((f"{logical_id} ({kind})", action))
    return needed


class StackGuardrails:
    """The gate the provisioning runner calls once it holds the role session. A verdict is remembered while
    the SCPs and the role's policies it was reached with are the ones in force (they are cached objects, so
    a change to either makes new ones): deployments through one role with one template shape decide once."""

    MAX_VERDICTS = 4096

    def __init__(self, store: Store) -> None:
        self.org = OrgGuardrails(store, GenerationWatch(store))
        self._verdicts: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Any, Any, str | None]] = {}

    def check(
        self, cloud: Cloud, session: CloudSession, role_arn: str, document: Mapping[str, Any], operation: str
    ) -> str | None:
        """None when every call the stack makes is allowed; else the first denial, in AWS's words."""
        match = ROLE_ARN.match(role_arn)
        if match is None:
            return None
        account = match["account"]
        scp_levels, _ = self.org.chain(account)
        identity = role_policies(cloud, session, match["name"], account)
        key = (role_arn, tuple(required_actions(document, operation)))
        known = self._verdicts.get(key)
        if known is not None and known[0] is scp_levels and known[1] is identity:
            return known[2]
        verdict = _verdict(match["name"], role_arn, account, scp_levels, identity, key[1])
        if len(self._verdicts) >= self.MAX_VERDICTS:
            self._verdicts.clear()
        self._verdicts[key] = (scp_levels, identity, verdict)
        return verdict


def _verdict(
    role_name: str, role_arn: str, account: str, scp_levels: Any, identity: tuple[Any, ...] | None,
    needed: tuple[tuple[str, str], ...],
) -> str | None:  # fmt: skip
    principal = Principal(
        arn=f"arn:aws:sts::{account}:assumed-role/{role_name}/{SESSION_NAME}",
        account=account,
        kind=PrincipalKind.ASSUMED_ROLE,
        role_arn=role_arn,
    )
    policies = PolicySet(identity=identity if identity is not None else (), scp_levels=scp_levels)
    for what, action in needed:
        request = AuthorizationRequest(principal=principal, action=action, resource="*")
        decision = evaluate(request, policies)
        if identity is None and decision.denied_by not in (None, PolicyType.SCP):
            continue  # the role's own policies couldn't be read: only the SCPs decide here
        if not decision.allowed:
            message = decision.denial_message(principal.arn, action, "*")
            return f"Refused before any resource was created: {what} needs {action}. {message}"
    return None


_policies: Recent[tuple[Any, ...]] = Recent()
"""Roles' policies recently read, by (cloud endpoint, account, role name)."""


def role_policies(cloud: Cloud, session: CloudSession, role_name: str, account: str) -> tuple[Any, ...] | None:
    """The role's inline and attached policies as the cloud holds them (a read is kept a few seconds, see
    `recent`); None when the cloud won't say."""
    key = (cloud.endpoint_url, account, role_name)
    known = _policies.get(key)
    if known is not None:
        return known
    found = []
    try:
        with cloud.reading(account, session, "iam") as iam:
            for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
                document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
                found.append(attached(f"{role_name}/{name}", policy_text(document)))
            for policy in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
                found.append(attached(policy["PolicyArn"], _managed_document(iam, policy["PolicyArn"])))
    except (ClientError, BotoCoreError) as error:
        log.info("can't read the policies of role %s in %s: %s", role_name, account, error)
        return None
    _policies.put(key, tuple(found))
    return tuple(found)


def read_role_policies(cloud: Cloud, session: CloudSession, role_arn: str) -> None:
    """Read a role's policies ahead of its deployments' guardrail checks (they find them in `_policies`)."""
    match = ROLE_ARN.match(role_arn)
    if match is not None:
        role_policies(cloud, session, match["name"], match["account"])


def _managed_document(iam: Any, arn: str) -> str:
    name = arn.rsplit("/", 1)[-1]
    if arn.startswith("arn:aws:iam::aws:policy/") and name in AWS_MANAGED:
        return AWS_MANAGED[name][1]
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return policy_text(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])

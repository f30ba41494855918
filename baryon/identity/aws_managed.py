"""AWS-managed policies Baryon ships, with the documents AWS publishes for them.

`ReadOnlyAccess` in AWS lists thousands of actions across every service; Baryon's copy grants the read
families (`Get*`, `List*`, `Describe*`, ...) of the services Baryon serves or proxies, which is what the
AWS policy grants for those services.
"""

from __future__ import annotations

import json

READ_SERVICES = (
    "iam",
    "sts",
    "organizations",
    "proton",
    "codestar-connections",
    "codeconnections",
    "controltower",
    "cloudformation",
    "ec2",
    "ecs",
    "s3",
    "ssm",
    "logs",
    "elasticloadbalancing",
    "route53",
    "servicediscovery",
    "lambda",
    "kms",
    "sqs",
    "sns",
    "dynamodb",
    "ecr",
    "secretsmanager",
)
READ_VERBS = ("Get*", "List*", "Describe*", "BatchGet*", "Lookup*", "Search*", "Simulate*", "Generate*")


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


POLICIES: dict[str, tuple[str, str]] = {
    "AdministratorAccess": (
        "Provides full access to AWS services and resources.",
        _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    ),
    "PowerUserAccess": (
        "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
        _doc(
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                    "account:ListRegions",
                    "account:GetAccountInformation",
                ],
                "Resource": "*",
            },
        ),
    ),
    "ReadOnlyAccess": (
        "Provides read-only access to AWS services and resources.",
        _doc(
            {
                "Effect": "Allow",
                "Action": [f"{service}:{verb}" for service in READ_SERVICES for verb in READ_VERBS],
                "Resource": "*",
            }
        ),
    ),
    "IAMReadOnlyAccess": (
        "Provides read only access to IAM via the AWS Management Console.",
        _doc(
            {
                "Effect": "Allow",
                "Action": ["iam:GenerateCredentialReport", "iam:Get*", "iam:List*", "iam:Simulate*"],
                "Resource": "*",
            }
        ),
    ),
}

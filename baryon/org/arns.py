"""ARNs of Organizations resources, in the formats of AWS's service authorization reference:

arn:aws:organizations::MGMT:organization/o-ORG
arn:aws:organizations::MGMT:root/o-ORG/r-ROOT
arn:aws:organizations::MGMT:ou/o-ORG/ou-ROOT-OU
arn:aws:organizations::MGMT:account/o-ORG/ACCOUNT
arn:aws:organizations::MGMT:policy/o-ORG/service_control_policy/p-POLICY
arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess   (AWS-managed)
arn:aws:organizations::MGMT:handshake/o-ORG/invite/h-HANDSHAKE
"""

from __future__ import annotations

PREFIX = "arn:aws:organizations::"


def organization_arn(mgmt: str, org_id: str) -> str:
    return f"{PREFIX}{mgmt}:organization/{org_id}"


def root_arn(mgmt: str, org_id: str, root_id: str) -> str:
    return f"{PREFIX}{mgmt}:root/{org_id}/{root_id}"


def ou_arn(mgmt: str, org_id: str, ou_id: str) -> str:
    return f"{PREFIX}{mgmt}:ou/{org_id}/{ou_id}"


def account_arn(mgmt: str, org_id: str, account_id: str) -> str:
    return f"{PREFIX}{mgmt}:account/{org_id}/{account_id}"


def policy_arn(mgmt: str, org_id: str, policy_type: str, policy_id: str, aws_managed: bool = False) -> str:
    if aws_managed:
        return f"{PREFIX}aws:policy/{policy_type.lower()}/{policy_id}"
    return f"{PREFIX}{mgmt}:policy/{org_id}/{policy_type.lower()}/{policy_id}"


def handshake_arn(mgmt: str, org_id: str, handshake_id: str) -> str:
    return f"{PREFIX}{mgmt}:handshake/{org_id}/invite/{handshake_id}"


def target_arn(mgmt: str, org_id: str, target_id: str) -> str:
    """The ARN of a root, OU or account given its id."""
    if target_id.startswith("r-"):
        return root_arn(mgmt, org_id, target_id)
    if target_id.startswith("ou-"):
        return ou_arn(mgmt, org_id, target_id)
    return account_arn(mgmt, org_id, target_id)

"""Organizations: resources and condition keys as AWS's service authorization reference defines them.

| operation | resources | condition keys |
|---|---|---|
| AttachPolicy, DetachPolicy | policy, target (root, OU or account) | organizations:PolicyType |
| DescribePolicy, UpdatePolicy, DeletePolicy, ListTargetsForPolicy | policy | organizations:PolicyType |
| CreatePolicy | * | organizations:PolicyType, aws:RequestTag/…, aws:TagKeys |
| ListPolicies | * | organizations:PolicyType |
| ListPoliciesForTarget | target | organizations:PolicyType |
| EnablePolicyType, DisablePolicyType | root | organizations:PolicyType |
| CreateOrganizationalUnit | parent (root or OU) | aws:RequestTag/…, aws:TagKeys |
| Describe/Update/DeleteOrganizationalUnit | OU | |
| ListChildren, ListAccountsForParent, ListOrganizationalUnitsForParent | parent | |
| ListParents | child (OU or account) | |
| DescribeAccount, CloseAccount, RemoveAccountFromOrganization | account | |
| ListDelegatedServicesForAccount | account | |
| Register/DeregisterDelegatedAdministrator | account | organizations:ServicePrincipal |
| MoveAccount | account, source parent, destination parent | |
| TagResource, UntagResource | the resource (root, OU, account or policy) | aws:RequestTag/…, aws:TagKeys |
| ListTagsForResource | the resource | |
| DescribeEffectivePolicy, ListEffectivePolicyValidationErrors | account | organizations:PolicyType |
| Accept/Decline/Cancel/DescribeHandshake | handshake | |
| CreateAccount, CreateGovCloudAccount | * | aws:RequestTag/…, aws:TagKeys |
| InviteAccountToOrganization, PutResourcePolicy | * | aws:RequestTag/…, aws:TagKeys |
| Enable/DisableAWSServiceAccess, ListDelegatedAdministrators | * | organizations:ServicePrincipal |
| everything else (DescribeOrganization, ListRoots, ListAccounts, …) | * | |

ARNs: `arn:aws:organizations::MGMT:root/o-ORG/r-…`, `…:ou/o-ORG/ou-…`, `…:account/o-ORG/ACCT`,
`…:policy/o-ORG/service_control_policy/p-…`, `arn:aws:organizations::aws:policy/service_control_policy/
p-FullAWSAccess` for AWS-managed policies, `…:handshake/o-ORG/invite/h-…`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baryon.authz.action_map.tags import tag_context
from baryon.authz.facts import Facts
from baryon.identity.caller import Caller
from baryon.org import arns

_POLICY_OPERATIONS = frozenset(
    {"AttachPolicy", "DetachPolicy", "DescribePolicy", "UpdatePolicy", "DeletePolicy", "ListTargetsForPolicy"}
)
_PARENT_OPERATIONS = frozenset(
    {"CreateOrganizationalUnit", "ListChildren", "ListAccountsForParent", "ListOrganizationalUnitsForParent"}
)
_OU_OPERATIONS = frozenset({"DescribeOrganizationalUnit", "UpdateOrganizationalUnit", "DeleteOrganizationalUnit"})
_ACCOUNT_OPERATIONS = frozenset(
    {
        "DescribeAccount",
        "CloseAccount",
        "RemoveAccountFromOrganization",
        "ListDelegatedServicesForAccount",
        "RegisterDelegatedAdministrator",
        "DeregisterDelegatedAdministrator",
        "ListEffectivePolicyValidationErrors",
    }
)
_HANDSHAKE_OPERATIONS = frozenset({"AcceptHandshake", "DeclineHandshake", "CancelHandshake", "DescribeHandshake"})
_TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
_POLICY_TYPE_MEMBER = {
    "CreatePolicy": "Type",
    "ListPolicies": "Filter",
    "ListPoliciesForTarget": "Filter",
    "EnablePolicyType": "PolicyType",
    "DisablePolicyType": "PolicyType",
    "DescribeEffectivePolicy": "PolicyType",
    "ListEffectivePolicyValidationErrors": "PolicyType",
    "ListAccountsWithInvalidEffectivePolicy": "PolicyType",
}
_SERVICE_PRINCIPAL_OPERATIONS = frozenset(
    {
        "EnableAWSServiceAccess",
        "DisableAWSServiceAccess",
        "RegisterDelegatedAdministrator",
        "DeregisterDelegatedAdministrator",
        "ListDelegatedAdministrators",
    }
)


def _policy_arn(facts: Facts, mgmt: str, org_id: str, policy_id: str) -> str:
    found = facts.org.policy(policy_id)
    if found is None:
        return arns.policy_arn(mgmt, org_id, "SERVICE_CONTROL_POLICY", policy_id)
    policy_type, aws_managed = found
    return arns.policy_arn(mgmt, org_id, policy_type, policy_id, aws_managed)


def _resource_arn(facts: Facts, mgmt: str, org_id: str, resource_id: str) -> str:
    if resource_id.startswith("p-"):
        return _policy_arn(facts, mgmt, org_id, resource_id)
    return arns.target_arn(mgmt, org_id, resource_id)


def resources(operation: str, params: Mapping[str, Any], caller: Caller, region: str, facts: Facts) -> tuple[str, ...]:
    identity = facts.org.identity()
    if identity is None:
        return ("*",)
    mgmt, org_id = identity
    if operation in _POLICY_OPERATIONS:
        found: tuple[str, ...] = (_policy_arn(facts, mgmt, org_id, params["PolicyId"]),)
        if "TargetId" in params:
            found += (arns.target_arn(mgmt, org_id, params["TargetId"]),)
        return found
    if operation in _PARENT_OPERATIONS:
        return (arns.target_arn(mgmt, org_id, params["ParentId"]),)
    if operation in _OU_OPERATIONS:
        return (arns.ou_arn(mgmt, org_id, params["OrganizationalUnitId"]),)
    if operation in _ACCOUNT_OPERATIONS:
        return (arns.account_arn(mgmt, org_id, params["AccountId"]),)
    if operation in _HANDSHAKE_OPERATIONS:
        return (arns.handshake_arn(mgmt, org_id, params["HandshakeId"]),)
    if operation in _TAG_OPERATIONS:
        return (_resource_arn(facts, mgmt, org_id, params["ResourceId"]),)
    if operation == "ListPoliciesForTarget":
        return (arns.target_arn(mgmt, org_id, params["TargetId"]),)
    if operation == "ListParents":
        return (arns.target_arn(mgmt, org_id, params["ChildId"]),)
    if operation in ("EnablePolicyType", "DisablePolicyType"):
        return (arns.root_arn(mgmt, org_id, params["RootId"]),)
    if operation == "MoveAccount":
        return (
            arns.account_arn(mgmt, org_id, params["AccountId"]),
            arns.target_arn(mgmt, org_id, params["SourceParentId"]),
            arns.target_arn(mgmt, org_id, params["DestinationParentId"]),
        )
    if operation == "DescribeEffectivePolicy":
        return (arns.target_arn(mgmt, org_id, params.get("TargetId") or caller.account_id),)
    return ("*",)


def context(operation: str, params: Mapping[str, Any], facts: Facts) -> dict[str, Any]:
    extra = tag_context(params.get("Tags"))
    if operation == "UntagResource" and params.get("TagKeys"):
        extra["aws:TagKeys"] = tuple(params["TagKeys"])
    member = _POLICY_TYPE_MEMBER.get(operation)
    if member is not None and params.get(member):
        extra["organizations:PolicyType"] = params[member]
    elif operation in _POLICY_OPERATIONS:
        found = facts.org.policy(params["PolicyId"])
        if found is not None:
            extra["organizations:PolicyType"] = found[0]
    if operation in _SERVICE_PRINCIPAL_OPERATIONS and params.get("ServicePrincipal"):
        extra["organizations:ServicePrincipal"] = params["ServicePrincipal"]
    return extra

"""Attaching policies to the root, OUs and accounts: AttachPolicy, DetachPolicy, ListPoliciesForTarget,
ListTargetsForPolicy.

Limits per target and policy type: at most `BARYON_ORG_MAX_SCPS_PER_TARGET` SCPs (10), at least
`BARYON_ORG_MIN_SCPS_PER_TARGET` (1); `RCPFullAWSAccess` cannot be detached. Changes take effect on the next
request of every principal of the affected accounts.
"""

from __future__ import annotations

from sqlalchemy import select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.org import errors, tree
from baryon.org.common import organizations, page, scope
from baryon.org.limits import max_attachments, min_attachments
from baryon.org.tables import Account, OrganizationalUnit, OrgPolicy, OrgPolicyAttachment


@organizations("AttachPolicy")
def attach_policy(call: Call) -> Result:
    org = scope(call)
    policy = org.policy(call.params["PolicyId"])
    target_id = call.params["TargetId"]
    if not org.target_exists(target_id):
        raise errors.target_not_found()
    if not org.enabled(policy.type):
        raise errors.policy_type_not_enabled()
    current = tree.attached(call.db, target_id, policy.type)
    if any(row.policy_id == policy.id for row in current):
        raise errors.error(
            "DuplicatePolicyAttachmentException",
            "The selected policy is already attached to the specified target.",
        )
    if len(current) >= max_attachments(policy.type):
        raise errors.constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    tree.attach(call.db, org.org_id, target_id, policy)
    org.changed()
    return {}


@organizations("DetachPolicy")
def detach_policy(call: Call) -> Result:
    org = scope(call)
    policy = org.policy(call.params["PolicyId"])
    target_id = call.params["TargetId"]
    if not org.target_exists(target_id):
        raise errors.target_not_found()
    if policy.id in tree.NON_DETACHABLE:
        raise errors.invalid_input("NON_DETACHABLE_POLICY")
    current = tree.attached(call.db, target_id, policy.type)
    row = next((r for r in current if r.policy_id == policy.id), None)
    if row is None:
        raise errors.error(
            "PolicyNotAttachedException",
            "The policy isn't attached to the specified target in the specified root.",
        )
    if len(current) - 1 < min_attachments(policy.type):
        raise errors.constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    call.db.delete(row)
    org.changed()
    return {}


@organizations("ListPoliciesForTarget")
def list_policies_for_target(call: Call) -> Result:
    org = scope(call)
    target_id, policy_type = call.params["TargetId"], call.params["Filter"]
    if not org.target_exists(target_id):
        raise errors.target_not_found()
    policies = list(
        call.db.scalars(
            select(OrgPolicy)
            .join(OrgPolicyAttachment, OrgPolicyAttachment.policy_id == OrgPolicy.id)
            .where(OrgPolicyAttachment.target_id == target_id, OrgPolicyAttachment.policy_type == policy_type)
        )
    )
    return page(
        call,
        policies,
        lambda p: p.id,
        scope_parts=[target_id, policy_type],
        result_member="Policies",
        shape=org.policy_summary,
    )


@organizations("ListTargetsForPolicy")
def list_targets_for_policy(call: Call) -> Result:
    org = scope(call)
    policy = org.policy(call.params["PolicyId"])
    target_ids = list(
        call.db.scalars(
            select(OrgPolicyAttachment.target_id).where(
                OrgPolicyAttachment.policy_id == policy.id, OrgPolicyAttachment.organization_id == org.org_id
            )
        )
    )

    def shape(target_id: str) -> Result:
        if target_id.startswith("r-"):
            name, kind = org.root.name, "ROOT"
        elif target_id.startswith("ou-"):
            ou = call.db.get(OrganizationalUnit, target_id)
            name, kind = (ou.name if ou else target_id), "ORGANIZATIONAL_UNIT"
        else:
            account = call.db.get(Account, target_id)
            name, kind = (account.name if account else target_id), "ACCOUNT"
        return {"TargetId": target_id, "Arn": org.target_arn(target_id), "Name": name, "Type": kind}

    return page(call, target_ids, lambda t: t, scope_parts=[policy.id], result_member="Targets", shape=shape)

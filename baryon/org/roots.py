"""The root: ListRoots, and enabling or disabling a policy type in it.

Enabling SCPs (or RCPs) attaches `FullAWSAccess` (or `RCPFullAWSAccess`) to the root, every OU and every
account; disabling a type detaches every policy of that type. Tag policies are stored and attached but
have no effect on authorization. Other policy types are not available in Baryon.
"""

from __future__ import annotations

from sqlalchemy import select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.org import errors, tree
from baryon.org.common import organizations, page, scope
from baryon.org.limits import RCP, SCP, TAG_POLICY
from baryon.org.tables import OrgPolicy, OrgPolicyAttachment

AVAILABLE_TYPES = (SCP, RCP, TAG_POLICY)


@organizations("ListRoots")
def list_roots(call: Call) -> Result:
    org = scope(call)
    return page(call, [org.root], lambda r: r.id, result_member="Roots", shape=org.root_shape)


@organizations("EnablePolicyType")
def enable_policy_type(call: Call) -> Result:
    org = scope(call)
    if call.params["RootId"] != org.root.id:
        raise errors.root_not_found()
    policy_type = call.params["PolicyType"]
    if policy_type not in AVAILABLE_TYPES:
        raise errors.policy_type_not_available()
    if org.enabled(policy_type):
        raise errors.error(
            "PolicyTypeAlreadyEnabledException",
            "The specified policy type is already enabled in the specified root.",
        )
    org.root.policy_types = [*(org.root.policy_types or ()), policy_type]
    default = tree.FULL_ACCESS.get(policy_type)
    if default is not None:
        policy = call.db.get(OrgPolicy, default)
        assert policy is not None
        for target_id in tree.targets_of(call.db, org.organization, org.root):
            tree.attach(call.db, org.org_id, target_id, policy)
    org.changed()
    return {"Root": org.root_shape()}


@organizations("DisablePolicyType")
def disable_policy_type(call: Call) -> Result:
    org = scope(call)
    if call.params["RootId"] != org.root.id:
        raise errors.root_not_found()
    policy_type = call.params["PolicyType"]
    if not org.enabled(policy_type):
        raise errors.policy_type_not_enabled()
    org.root.policy_types = [t for t in org.root.policy_types or () if t != policy_type]
    for row in call.db.scalars(
        select(OrgPolicyAttachment).where(
            OrgPolicyAttachment.organization_id == org.org_id, OrgPolicyAttachment.policy_type == policy_type
        )
    ):
        call.db.delete(row)
    org.changed()
    return {"Root": org.root_shape()}

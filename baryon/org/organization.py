"""The organization itself: DescribeOrganization (any account in it may call it) and CreateOrganization
(every Baryon account already belongs to the installation's organization)."""

from __future__ import annotations

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.org import arns, errors
from baryon.org.common import organizations, scope
from baryon.org.tables import Account


@organizations("DescribeOrganization")
def describe_organization(call: Call) -> Result:
    org = scope(call, members=True)
    management = call.db.get(Account, org.mgmt)
    shape: Result = {
        "Id": org.org_id,
        "Arn": arns.organization_arn(org.mgmt, org.org_id),
        "FeatureSet": org.organization.feature_set,
        "MasterAccountArn": arns.account_arn(org.mgmt, org.org_id, org.mgmt),
        "MasterAccountId": org.mgmt,
        "AvailablePolicyTypes": [{"Type": t, "Status": "ENABLED"} for t in org.root.policy_types or ()],
    }
    if management is not None:
        shape["MasterAccountEmail"] = management.email
    return {"Organization": shape}


@organizations("CreateOrganization")
def create_organization(call: Call) -> Result:
    account = call.db.get(Account, call.account_id)
    if account is not None and account.organization_id is not None:
        raise errors.error("AlreadyInOrganizationException", "The AWS account is already a member of an organization.")
    raise errors.unsupported()

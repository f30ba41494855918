"""GetAccountSummary: how many IAM entities this account has, and IAM's quotas."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import errors, iam
from baryon.identity.tables import AccessKey, Group, ManagedPolicy, PolicyVersion, Role, User


@iam("GetAccountSummary")
def get_account_summary(call: Call) -> Result:
    db, account = call.db, call.account_id

    def count(table: type[Any], *where: ColumnElement[bool]) -> int:
        return int(db.scalar(select(func.count()).select_from(table).where(*where)) or 0)

    versions = db.scalar(
        select(func.count())
        .select_from(PolicyVersion)
        .join(ManagedPolicy, ManagedPolicy.id == PolicyVersion.policy_id)
        .where(ManagedPolicy.account_id == account)
    )
    summary = {
        "Users": count(User, User.account_id == account),
        "UsersQuota": 5000,
        "Groups": count(Group, Group.account_id == account),
        "GroupsQuota": 300,
        "Roles": count(Role, Role.account_id == account),
        "RolesQuota": 1000,
        "Policies": count(ManagedPolicy, ManagedPolicy.account_id == account),
        "PoliciesQuota": 1500,
        "PolicyVersionsInUse": int(versions or 0),
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": errors.VERSIONS_PER_POLICY,
        "PolicySizeQuota": errors.MANAGED_POLICY_SIZE,
        "UserPolicySizeQuota": errors.INLINE_POLICY_SIZE["user"],
        "GroupPolicySizeQuota": errors.INLINE_POLICY_SIZE["group"],
        "RolePolicySizeQuota": errors.INLINE_POLICY_SIZE["role"],
        "AssumeRolePolicySizeQuota": errors.TRUST_POLICY_SIZE,
        "AttachedPoliciesPerUserQuota": errors.MANAGED_POLICIES_PER_PRINCIPAL,
        "AttachedPoliciesPerGroupQuota": errors.MANAGED_POLICIES_PER_PRINCIPAL,
        "AttachedPoliciesPerRoleQuota": errors.MANAGED_POLICIES_PER_PRINCIPAL,
        "GroupsPerUserQuota": errors.GROUPS_PER_USER,
        "AccessKeysPerUserQuota": errors.ACCESS_KEYS_PER_USER,
        "AccountAccessKeysPresent": int(
            count(AccessKey, AccessKey.account_id == account, AccessKey.user_id.is_(None)) > 0
        ),
        "AccountMFAEnabled": 0,
        "MFADevices": 0,
        "MFADevicesInUse": 0,
        "InstanceProfiles": 0,
        "InstanceProfilesQuota": 1000,
        "Providers": 0,
        "ServerCertificates": 0,
        "ServerCertificatesQuota": 20,
        "SigningCertificatesPerUserQuota": 2,
        "AccountSigningCertificatesPresent": 0,
        "GlobalEndpointTokenVersion": 1,
    }
    return {"SummaryMap": summary}

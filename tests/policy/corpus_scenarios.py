"""Evaluation corpus: identity-based policies and service control policies, with the AccessDenied wording.

Sources: AWS IAM "Policy evaluation logic" and "Troubleshoot access denied error messages", Organizations
"SCP evaluation" (every level from the root to the account must allow; a Deny anywhere wins; SCPs never
grant; the management account and service-linked roles are exempt) and the 2025 full-IAM-language SCPs.
"""

from __future__ import annotations

from baryon.policy import AttachedPolicy, OrgLevel, PolicyKind, PolicySet, PolicyType, Principal, PrincipalKind
from tests.policy.builders import (
    ACCOUNT,
    ALICE,
    ALLOWED,
    CREATE,
    DEV,
    EXPLICIT,
    FULL_ACCESS,
    IMPLICIT,
    LEVELS,
    ORG,
    ROOT,
    TEMPLATE,
    Case,
    allow,
    attached,
    deny,
    identity,
    levels,
    request,
    scp,
)

ROOT_ID, OU1, _, ACCOUNT_ID = LEVELS
ADMIN = Principal(
    f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/ops",
    ACCOUNT,
    PrincipalKind.ASSUMED_ROLE,
    f"arn:aws:iam::{ACCOUNT}:role/Admin",
)
LIST = "proton:ListEnvironments"
BUCKET = "arn:aws:s3:::web-artifacts/build.zip"

PROTON = identity(allow("proton:*"))
DENY_PROTON = scp("deny-proton", deny("proton:*"))
SCP_DENY_MESSAGE = (
    f"User: {DEV.arn} is not authorized to perform: {CREATE} on resource: {TEMPLATE} "
    f"with an explicit deny in a service control policy: {ORG}/service_control_policy/p-deny-proton"
)
SCP_IMPLICIT_MESSAGE = (
    f"User: {DEV.arn} is not authorized to perform: {CREATE} on resource: {TEMPLATE} "
    "with an explicit deny in a service control policy"
)
IDENTITY_IMPLICIT_MESSAGE = (
    f"User: {DEV.arn} is not authorized to perform: {CREATE} on resource: {TEMPLATE} "
    f"because no identity-based policy allows the {CREATE} action"
)


def bucket_policy(*statements: dict[str, object]) -> tuple[AttachedPolicy, ...]:
    return (attached(PolicyKind.RESOURCE, "arn:aws:s3:::web-artifacts", *statements),)


DEEP = tuple(
    OrgLevel(target, (FULL_ACCESS, DENY_PROTON) if target == "ou-ab12-55555555" else (FULL_ACCESS,))
    for target in ("r-ab12", *(f"ou-ab12-{n}{n}{n}{n}{n}{n}{n}{n}" for n in range(1, 6)), ACCOUNT)
)

CASES: list[Case] = [
    # Identity-based policies and the default deny
    Case("an identity Allow allows", request(), PolicySet(identity=(PROTON,)), ALLOWED),
    Case(
        "without an identity Allow the request is implicitly denied",
        request(),
        PolicySet(),
        IMPLICIT,
        PolicyType.IDENTITY,
        message=IDENTITY_IMPLICIT_MESSAGE,
    ),
    Case(
        "an identity Deny names the denying policy ARN",
        request(),
        PolicySet(identity=(identity(allow(), deny("proton:Create*"), name="guard"),)),
        EXPLICIT,
        PolicyType.IDENTITY,
        policy_id=f"arn:aws:iam::{ACCOUNT}:policy/guard",
        message=f"User: {DEV.arn} is not authorized to perform: {CREATE} on resource: {TEMPLATE} "
        f"with an explicit deny in an identity-based policy: arn:aws:iam::{ACCOUNT}:policy/guard",
    ),
    Case(
        "an explicit Deny in one policy beats an Allow in another",
        request(),
        PolicySet(identity=(PROTON, identity(deny("proton:*"), name="guard"))),
        EXPLICIT,
        PolicyType.IDENTITY,
        policy_id=f"arn:aws:iam::{ACCOUNT}:policy/guard",
    ),
    Case(
        "a Deny in an inline policy is reported without a policy ARN",
        request(),
        PolicySet(identity=(PROTON, attached(PolicyKind.IDENTITY, "role/Dev/inline/guard", deny("proton:*")))),
        EXPLICIT,
        PolicyType.IDENTITY,
        policy_id="role/Dev/inline/guard",
        message=f"User: {DEV.arn} is not authorized to perform: {CREATE} on resource: {TEMPLATE} "
        "with an explicit deny in an identity-based policy",
    ),
    Case(
        "the message omits 'on resource' for an action without resource type",
        request(action=LIST, resource="*"),
        PolicySet(),
        IMPLICIT,
        PolicyType.IDENTITY,
        message=f"User: {DEV.arn} is not authorized to perform: {LIST} because no identity-based policy "
        f"allows the {LIST} action",
    ),
    Case(
        "an IAM user is named by its user ARN in messages",
        request(ALICE),
        PolicySet(),
        IMPLICIT,
        PolicyType.IDENTITY,
        message=f"User: {ALICE.arn} is not authorized to perform: {CREATE} on resource: {TEMPLATE} "
        f"because no identity-based policy allows the {CREATE} action",
    ),
    Case("the account root user is allowed without identity policies", request(ROOT), PolicySet(), ALLOWED),
    Case(
        "an explicit Deny in a resource-based policy applies to the root user too",
        request(ROOT, "s3:GetObject", BUCKET),
        PolicySet(resource_policies=bucket_policy(deny("s3:*", "arn:aws:s3:::web-artifacts/*", Principal="*"))),
        EXPLICIT,
        PolicyType.RESOURCE,
    ),
    # Service control policies
    Case(
        "SCPs with FullAWSAccess at every level let identity Allows through",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((), (), ())),
        ALLOWED,
    ),
    Case(
        "an SCP Deny at an OU overrides Allows at the account",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((), (DENY_PROTON,), ())),
        EXPLICIT,
        PolicyType.SCP,
        level=OU1,
        policy_id=f"{ORG}/service_control_policy/p-deny-proton",
        message=SCP_DENY_MESSAGE,
    ),
    Case(
        "an SCP Deny at the root applies to every account below",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((DENY_PROTON,), (), ())),
        EXPLICIT,
        PolicyType.SCP,
        level=ROOT_ID,
        message=SCP_DENY_MESSAGE,
    ),
    Case(
        "an SCP Deny attached to the account itself applies",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((), (), (DENY_PROTON,))),
        EXPLICIT,
        PolicyType.SCP,
        level=ACCOUNT_ID,
    ),
    Case(
        "when several levels deny, the highest level is reported",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((), (DENY_PROTON,), (scp("deny-all", deny()),))),
        EXPLICIT,
        PolicyType.SCP,
        level=OU1,
        policy_id=f"{ORG}/service_control_policy/p-deny-proton",
    ),
    Case(
        "a level without any matching Allow implicitly denies (message still says explicit deny, no ARN)",
        request(),
        PolicySet(
            identity=(PROTON,),
            scp_levels=(
                *levels((), full_access=True),
                *levels((scp("ec2-only", allow("ec2:*")),), full_access=False),
            ),
        ),
        IMPLICIT,
        PolicyType.SCP,
        level=ACCOUNT_ID,
        message=SCP_IMPLICIT_MESSAGE,
    ),
    Case(
        "a level with no SCP attached at all implicitly denies",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=(OrgLevel(ROOT_ID, (FULL_ACCESS,)), OrgLevel(ACCOUNT_ID, ()))),
        IMPLICIT,
        PolicyType.SCP,
        level=ACCOUNT_ID,
    ),
    Case(
        "SCPs at one level are a union: any one Allow suffices",
        request(),
        PolicySet(
            identity=(PROTON,),
            scp_levels=(
                OrgLevel(ROOT_ID, (FULL_ACCESS,)),
                OrgLevel(OU1, (scp("ec2", allow("ec2:*")), scp("proton", allow("proton:*")))),
                OrgLevel(ACCOUNT_ID, (FULL_ACCESS,)),
            ),
        ),
        ALLOWED,
    ),
    Case(
        "levels are an intersection: an Allow at the root does not help an OU that lacks one",
        request(),
        PolicySet(
            identity=(PROTON,),
            scp_levels=(
                OrgLevel(ROOT_ID, (scp("proton", allow("proton:*")),)),
                OrgLevel(OU1, (scp("ec2", allow("ec2:*")),)),
                OrgLevel(ACCOUNT_ID, (FULL_ACCESS,)),
            ),
        ),
        IMPLICIT,
        PolicyType.SCP,
        level=OU1,
    ),
    Case(
        "an allow-list strategy works when every level allows the service",
        request(),
        PolicySet(
            identity=(PROTON,),
            scp_levels=tuple(OrgLevel(target, (scp("proton", allow("proton:*")),)) for target in LEVELS),
        ),
        ALLOWED,
    ),
    Case(
        "SCPs never grant: FullAWSAccess without an identity Allow is denied",
        request(),
        PolicySet(scp_levels=levels((), (), ())),
        IMPLICIT,
        PolicyType.IDENTITY,
        message=IDENTITY_IMPLICIT_MESSAGE,
    ),
    Case(
        "the management account is not affected by SCPs (scp_levels=None)",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=None),
        ALLOWED,
    ),
    Case(
        "a service-linked role is not affected by SCPs (scp_levels=None)",
        request(
            Principal(
                f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSServiceRoleForProton/proton",
                ACCOUNT,
                PrincipalKind.ASSUMED_ROLE,
                f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/proton.amazonaws.com/AWSServiceRoleForProton",
            )
        ),
        PolicySet(identity=(PROTON,)),
        ALLOWED,
    ),
    Case(
        "the root user of a member account is subject to SCP Denies",
        request(ROOT),
        PolicySet(scp_levels=levels((), (DENY_PROTON,), ())),
        EXPLICIT,
        PolicyType.SCP,
        level=OU1,
    ),
    Case(
        "the root user of a member account needs an SCP Allow at every level",
        request(ROOT),
        PolicySet(
            scp_levels=(
                OrgLevel(ROOT_ID, (FULL_ACCESS,)),
                OrgLevel(ACCOUNT_ID, (scp("ec2", allow("ec2:*")),)),
            )
        ),
        IMPLICIT,
        PolicyType.SCP,
        level=ACCOUNT_ID,
    ),
    Case(
        "an SCP Allow with NotAction proton:* at one level implicitly denies proton",
        request(),
        PolicySet(
            identity=(PROTON,),
            scp_levels=(
                OrgLevel(ROOT_ID, (FULL_ACCESS,)),
                OrgLevel(ACCOUNT_ID, (scp("no-proton", allow(NotAction="proton:*", action=None)),)),
            ),
        ),
        IMPLICIT,
        PolicyType.SCP,
        level=ACCOUNT_ID,
    ),
    Case(
        "an SCP Allow with NotAction proton:* still allows other services",
        request(action="ec2:DescribeVpcs", resource="*"),
        PolicySet(
            identity=(identity(allow("ec2:*")),),
            scp_levels=(
                OrgLevel(ROOT_ID, (FULL_ACCESS,)),
                OrgLevel(ACCOUNT_ID, (scp("no-proton", allow(NotAction="proton:*", action=None)),)),
            ),
        ),
        ALLOWED,
    ),
]

REGION_LOCK = scp(
    "region-lock",
    deny(
        None,
        NotAction=["iam:*", "organizations:*", "sts:*", "support:*"],
        Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    ),
)
ADMIN_EXEMPT = scp(
    "protect-proton",
    deny("proton:*", Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}),
)
REGIONAL_ALLOW = scp("regional", allow("proton:*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}))

CASES += [
    Case(
        "an SCP region lock (Deny NotAction + StringNotEquals) denies other regions",
        request(context={"aws:RequestedRegion": "eu-west-2"}),
        PolicySet(identity=(PROTON,), scp_levels=levels((REGION_LOCK,), ())),
        EXPLICIT,
        PolicyType.SCP,
        level=ROOT_ID,
        policy_id=f"{ORG}/service_control_policy/p-region-lock",
    ),
    Case(
        "an SCP region lock lets allowed regions through",
        request(context={"aws:RequestedRegion": "us-east-1"}),
        PolicySet(identity=(PROTON,), scp_levels=levels((REGION_LOCK,), ())),
        ALLOWED,
    ),
    Case(
        "an SCP region lock exempts the NotAction services in any region",
        request(action="iam:ListRoles", resource="*", context={"aws:RequestedRegion": "eu-west-2"}),
        PolicySet(identity=(identity(allow("iam:*")),), scp_levels=levels((REGION_LOCK,), ())),
        ALLOWED,
    ),
    Case(
        "an SCP region lock denies when the region key is missing (negated operator)",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((REGION_LOCK,), ())),
        EXPLICIT,
        PolicyType.SCP,
        missing=("aws:RequestedRegion",),
    ),
    Case(
        "an SCP Deny with an ArnNotLike exemption denies other roles",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((), (ADMIN_EXEMPT,), ())),
        EXPLICIT,
        PolicyType.SCP,
        level=OU1,
    ),
    Case(
        "an SCP Deny with an ArnNotLike exemption spares the exempt role (aws:PrincipalArn is the role ARN)",
        request(ADMIN),
        PolicySet(identity=(PROTON,), scp_levels=levels((), (ADMIN_EXEMPT,), ())),
        ALLOWED,
    ),
    Case(
        "an SCP Allow may carry a condition (full IAM language): condition met",
        request(context={"aws:RequestedRegion": "us-east-1"}),
        PolicySet(
            identity=(PROTON,),
            scp_levels=(OrgLevel(ROOT_ID, (FULL_ACCESS,)), OrgLevel(ACCOUNT_ID, (REGIONAL_ALLOW,))),
        ),
        ALLOWED,
    ),
    Case(
        "an SCP Allow may carry a condition (full IAM language): condition not met",
        request(context={"aws:RequestedRegion": "eu-west-1"}),
        PolicySet(
            identity=(PROTON,),
            scp_levels=(OrgLevel(ROOT_ID, (FULL_ACCESS,)), OrgLevel(ACCOUNT_ID, (REGIONAL_ALLOW,))),
        ),
        IMPLICIT,
        PolicyType.SCP,
        level=ACCOUNT_ID,
    ),
    Case(
        "an SCP Deny with NotResource denies resources outside the exception",
        request(),
        PolicySet(
            identity=(PROTON,),
            scp_levels=levels((scp("sandbox", deny("proton:*", None, NotResource="arn:aws:*:*:*:*/sandbox-*")),), ()),
        ),
        EXPLICIT,
        PolicyType.SCP,
    ),
    Case(
        "an ARN-scoped SCP Deny does not cover an action without resource type",
        request(action=LIST, resource="*"),
        PolicySet(
            identity=(PROTON,),
            scp_levels=levels((scp("arn-deny", deny("proton:*", "arn:aws:proton:*:*:*")),), ()),
        ),
        ALLOWED,
    ),
    Case(
        "an SCP Deny on Resource * covers an action without resource type (message without resource)",
        request(action=LIST, resource="*"),
        PolicySet(identity=(PROTON,), scp_levels=levels((DENY_PROTON,), ())),
        EXPLICIT,
        PolicyType.SCP,
        message=f"User: {DEV.arn} is not authorized to perform: {LIST} with an explicit deny in a service "
        f"control policy: {ORG}/service_control_policy/p-deny-proton",
    ),
    Case(
        "when an SCP and an identity policy both deny, the SCP is named",
        request(),
        PolicySet(identity=(PROTON, identity(deny("proton:*"), name="guard")), scp_levels=levels((DENY_PROTON,), ())),
        EXPLICIT,
        PolicyType.SCP,
    ),
    Case(
        "an explicit identity Deny wins over an implicit SCP deny",
        request(),
        PolicySet(
            identity=(identity(deny("proton:*"), name="guard"),),
            scp_levels=(
                OrgLevel(ROOT_ID, (scp("ec2", allow("ec2:*")),)),
                OrgLevel(ACCOUNT_ID, (FULL_ACCESS,)),
            ),
        ),
        EXPLICIT,
        PolicyType.IDENTITY,
    ),
    Case(
        "an implicit SCP deny is reported before a missing identity Allow",
        request(),
        PolicySet(
            scp_levels=(
                OrgLevel(ROOT_ID, (scp("ec2", allow("ec2:*")),)),
                OrgLevel(ACCOUNT_ID, (FULL_ACCESS,)),
            )
        ),
        IMPLICIT,
        PolicyType.SCP,
        level=ROOT_ID,
        message=SCP_IMPLICIT_MESSAGE,
    ),
    Case(
        "an SCP Deny written in odd case still denies",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((scp("odd", deny("PROTON:createEnvironment*")),), ())),
        EXPLICIT,
        PolicyType.SCP,
    ),
    Case(
        "an SCP Deny five OUs deep is found and reported at its OU",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=DEEP),
        EXPLICIT,
        PolicyType.SCP,
        level="ou-ab12-55555555",
    ),
    Case(
        "an unrelated SCP Deny does not affect the request",
        request(),
        PolicySet(identity=(PROTON,), scp_levels=levels((scp("no-ec2", deny("ec2:*")),), ())),
        ALLOWED,
    ),
]

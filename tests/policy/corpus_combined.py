"""Evaluation corpus: permissions boundaries, session policies, resource-based policies (same account and
cross-account), resource control policies and role trust policies, with their AccessDenied wording.

Sources: AWS IAM "Policy evaluation logic" (the table of resource-based policies and implicit denies per
principal type), "Cross-account policy evaluation logic", "Permissions boundaries", "Session policies",
"Troubleshoot access denied error messages", Organizations "Resource control policies", and the IAM role
trust policy rules (a trust policy must explicitly allow the principal; naming the account delegates to
the account's identity policies).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypedDict, Unpack

from baryon.policy import (
    AttachedPolicy,
    OrgLevel,
    PolicyKind,
    PolicySet,
    PolicyType,
    Principal,
    PrincipalKind,
)
from tests.policy.builders import (
    ACCOUNT,
    ALICE,
    ALLOWED,
    CAROL,
    CFN,
    CREATE,
    DEV,
    EXPLICIT,
    IMPLICIT,
    LEVELS,
    ORG,
    OTHER,
    TEMPLATE,
    Case,
    allow,
    attached,
    deny,
    identity,
    levels,
    rcp,
    rcp_levels,
    request,
)

ROOT_ID = LEVELS[0]
PROTON = identity(allow("proton:*"))
S3 = identity(allow("s3:*"))
OBJECT = "arn:aws:s3:::web-artifacts/build.zip"
GET = "s3:GetObject"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Deploy"
ASSUME = "sts:AssumeRole"
BOUNDARY_ID = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
SESSION_ID = f"arn:aws:iam::{ACCOUNT}:policy/session"
RCP_ID = f"{ORG}/resource_control_policy/p-deny-insecure"


class Others(TypedDict, total=False):
    """Policy types that accompany a bucket or trust policy in a case."""

    identity: tuple[AttachedPolicy, ...]
    permissions_boundary: AttachedPolicy
    session_policies: tuple[AttachedPolicy, ...]
    scp_levels: tuple[OrgLevel, ...]


OTHER_DEV = Principal(
    f"arn:aws:sts::{OTHER}:assumed-role/Dev/s9",
    OTHER,
    PrincipalKind.ASSUMED_ROLE,
    f"arn:aws:iam::{OTHER}:role/Dev",
)


def bounded(*statements: dict[str, object], policies: tuple[AttachedPolicy, ...] = (PROTON,)) -> PolicySet:
    return PolicySet(identity=policies, permissions_boundary=identity(*statements, name="boundary"))


def with_session(*statements: dict[str, object], policies: tuple[AttachedPolicy, ...] = (PROTON,)) -> PolicySet:
    return PolicySet(identity=policies, session_policies=(identity(*statements, name="session"),))


def others(
    identity: tuple[AttachedPolicy, ...] = (),
    permissions_boundary: AttachedPolicy | None = None,
    session_policies: tuple[AttachedPolicy, ...] | None = None,
    scp_levels: tuple[OrgLevel, ...] | None = None,
) -> PolicySet:
    return PolicySet(
        identity=identity,
        permissions_boundary=permissions_boundary,
        session_policies=session_policies,
        scp_levels=scp_levels,
    )


def bucket(*statements: dict[str, object], **other_policies: Unpack[Others]) -> PolicySet:
    """A bucket policy made of ``statements`` next to ``other_policies``."""
    resource = (attached(PolicyKind.RESOURCE, "arn:aws:s3:::web-artifacts", *statements),)
    return replace(others(**other_policies), resource_policies=resource)


def grant(principal: object, **extra: object) -> dict[str, object]:
    return allow(GET, "arn:aws:s3:::web-artifacts/*", Principal=principal, **extra)


def get(principal: Principal = DEV, resource_account: str | None = None) -> object:
    return request(principal, GET, OBJECT, resource_account=resource_account)


def trust(*statements: dict[str, object], **other_policies: Unpack[Others]) -> PolicySet:
    """The role's trust policy made of ``statements`` next to ``other_policies``."""
    return replace(others(**other_policies), trust_policy=attached(PolicyKind.TRUST, ROLE, *statements))


def trusts(principal: object, **extra: object) -> dict[str, object]:
    return allow(ASSUME, None, Principal=principal, **extra)


def assume(principal: Principal = ALICE, resource_account: str | None = None, **context: str) -> object:
    return request(principal, ASSUME, ROLE, context=context, resource_account=resource_account)


def message(principal: Principal, action: str, resource: str, tail: str) -> str:
    """The expected text, spelled out: ``User: … is not authorized to perform: … on resource: … <tail>``."""
    return f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource} {tail}"


CASES: list[Case] = [
    # Permissions boundaries
    Case("identity and boundary both allowing allows", request(), bounded(allow("proton:*")), ALLOWED),
    Case(
        "a boundary without a matching Allow implicitly denies",
        request(),
        bounded(allow("ec2:*")),
        IMPLICIT,
        PolicyType.PERMISSIONS_BOUNDARY,
        message=message(DEV, CREATE, TEMPLATE, f"because no permissions boundary allows the {CREATE} action"),
    ),
    Case(
        "a Deny in the boundary is reported with the boundary ARN",
        request(),
        bounded(allow(), deny("proton:Create*")),
        EXPLICIT,
        PolicyType.PERMISSIONS_BOUNDARY,
        policy_id=BOUNDARY_ID,
        message=message(DEV, CREATE, TEMPLATE, f"with an explicit deny in a permissions boundary: {BOUNDARY_ID}"),
    ),
    Case(
        "a boundary never grants: it needs an identity Allow too",
        request(),
        bounded(allow("proton:*"), policies=()),
        IMPLICIT,
        PolicyType.IDENTITY,
    ),
    Case(
        "a boundary Allow with a condition applies only when it holds",
        request(context={"aws:RequestedRegion": "eu-west-1"}),
        bounded(allow("proton:*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})),
        IMPLICIT,
        PolicyType.PERMISSIONS_BOUNDARY,
    ),
    Case(
        "SCP, boundary and identity must all allow (the SCP denies here)",
        request(),
        PolicySet(
            identity=(PROTON,),
            permissions_boundary=identity(allow("proton:*"), name="boundary"),
            scp_levels=levels((), (attached(PolicyKind.SCP, f"{ORG}/service_control_policy/p-x", deny("proton:*")),)),
        ),
        EXPLICIT,
        PolicyType.SCP,
    ),
    # Session policies
    Case(
        "identity and session policy both allowing allows",
        request(),
        with_session(allow("proton:*")),
        ALLOWED,
    ),
    Case(
        "a session policy without a matching Allow implicitly denies",
        request(),
        with_session(allow("ec2:*")),
        IMPLICIT,
        PolicyType.SESSION,
        message=message(DEV, CREATE, TEMPLATE, f"because no session policy allows the {CREATE} action"),
    ),
    Case(
        "a Deny in a managed session policy reads 'sessions policy' and names its ARN",
        request(),
        with_session(allow(), deny("proton:*")),
        EXPLICIT,
        PolicyType.SESSION,
        policy_id=SESSION_ID,
        message=message(DEV, CREATE, TEMPLATE, f"with an explicit deny in a sessions policy: {SESSION_ID}"),
    ),
    Case(
        "a Deny in the inline session policy names no ARN",
        request(),
        PolicySet(
            identity=(PROTON,),
            session_policies=(attached(PolicyKind.IDENTITY, "session/inline", deny("proton:*")),),
        ),
        EXPLICIT,
        PolicyType.SESSION,
        message=message(DEV, CREATE, TEMPLATE, "with an explicit deny in a sessions policy"),
    ),
    Case(
        "session policies never grant: they need an identity Allow too",
        request(),
        with_session(allow("proton:*"), policies=()),
        IMPLICIT,
        PolicyType.IDENTITY,
    ),
    Case(
        "several session policies are a union (inline plus managed)",
        request(),
        PolicySet(
            identity=(PROTON,),
            session_policies=(
                identity(allow("ec2:*"), name="inline"),
                identity(allow("proton:*"), name="managed"),
            ),
        ),
        ALLOWED,
    ),
    # Resource-based policies, same account
    Case(
        "a bucket policy naming the IAM user allows without an identity policy",
        get(ALICE),
        bucket(grant({"AWS": ALICE.arn})),
        ALLOWED,
    ),
    Case(
        "a grant to the user ARN is not limited by the user's permissions boundary",
        get(ALICE),
        bucket(grant({"AWS": ALICE.arn}), permissions_boundary=identity(allow("ec2:*"), name="boundary")),
        ALLOWED,
    ),
    Case(
        "a grant to the role-session ARN is not limited by boundary or session policies",
        get(DEV),
        bucket(
            grant({"AWS": DEV.arn}),
            permissions_boundary=identity(allow("ec2:*"), name="boundary"),
            session_policies=(identity(allow("ec2:*"), name="session"),),
        ),
        ALLOWED,
    ),
    Case(
        "a grant to the role ARN allows its sessions without identity policies",
        get(DEV),
        bucket(grant({"AWS": DEV.role_arn})),
        ALLOWED,
    ),
    Case(
        "a grant to the role ARN is still limited by the permissions boundary",
        get(DEV),
        bucket(grant({"AWS": DEV.role_arn}), permissions_boundary=identity(allow("ec2:*"), name="boundary")),
        IMPLICIT,
        PolicyType.PERMISSIONS_BOUNDARY,
    ),
    Case(
        "a grant to the role ARN is still limited by session policies",
        get(DEV),
        bucket(grant({"AWS": DEV.role_arn}), session_policies=(identity(allow("ec2:*"), name="session"),)),
        IMPLICIT,
        PolicyType.SESSION,
    ),
    Case(
        "a grant to the account (root ARN) delegates to identity policies",
        get(DEV),
        bucket(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})),
        IMPLICIT,
        PolicyType.IDENTITY,
    ),
    Case(
        "a grant to the account id plus an identity Allow allows",
        get(DEV),
        bucket(grant({"AWS": ACCOUNT}), identity=(S3,)),
        ALLOWED,
    ),
    Case("a grant to everyone (Principal *) allows", get(DEV), bucket(grant("*")), ALLOWED),
    Case(
        "an identity Allow suffices within the account when the bucket policy does not name the caller",
        get(DEV),
        bucket(grant({"AWS": ALICE.arn}), identity=(S3,)),
        ALLOWED,
    ),
    Case(
        "a grant to another user does not cover the caller",
        get(DEV),
        bucket(grant({"AWS": ALICE.arn})),
        IMPLICIT,
        PolicyType.IDENTITY,
    ),
    Case(
        "a Deny in a resource-based policy beats an identity Allow and names no ARN",
        get(DEV),
        bucket(deny(GET, "arn:aws:s3:::web-artifacts/*", Principal="*"), identity=(S3,)),
        EXPLICIT,
        PolicyType.RESOURCE,
        message=message(DEV, GET, OBJECT, "with an explicit deny in a resource-based policy"),
    ),
    Case(
        "Deny with NotPrincipal denies everyone not fully listed",
        get(DEV),
        bucket(deny(GET, "arn:aws:s3:::web-artifacts/*", NotPrincipal={"AWS": ALICE.arn}), identity=(S3,)),
        EXPLICIT,
        PolicyType.RESOURCE,
    ),
    Case(
        "Deny with NotPrincipal spares a session listed with its role and account",
        get(DEV),
        bucket(
            deny(
                GET,
                "arn:aws:s3:::web-artifacts/*",
                NotPrincipal={"AWS": [DEV.arn, DEV.role_arn, f"arn:aws:iam::{ACCOUNT}:root"]},
            ),
            identity=(S3,),
        ),
        ALLOWED,
    ),
    Case(
        "Deny with NotPrincipal listing only the user ARN still denies that user (account not listed)",
        get(ALICE),
        bucket(deny(GET, "arn:aws:s3:::web-artifacts/*", NotPrincipal={"AWS": ALICE.arn}), identity=(S3,)),
        EXPLICIT,
        PolicyType.RESOURCE,
    ),
    Case(
        "a resource-based policy grants a service principal",
        request(CFN, GET, OBJECT),
        bucket(grant({"Service": "cloudformation.amazonaws.com"})),
        ALLOWED,
    ),
    Case(
        "a service principal not named by the resource policy is denied",
        request(CFN, GET, OBJECT),
        bucket(grant({"Service": "lambda.amazonaws.com"})),
        IMPLICIT,
        PolicyType.RESOURCE,
        message=message(CFN, GET, OBJECT, f"because no resource-based policy allows the {GET} action"),
    ),
    # Cross-account
    Case(
        "cross-account: resource grant and identity Allow together allow",
        get(CAROL, ACCOUNT),
        bucket(grant({"AWS": OTHER}), identity=(S3,)),
        ALLOWED,
    ),
    Case(
        "cross-account: a resource grant alone is not enough",
        get(CAROL, ACCOUNT),
        bucket(grant({"AWS": CAROL.arn})),
        IMPLICIT,
        PolicyType.IDENTITY,
    ),
    Case(
        "cross-account: an identity Allow alone is not enough",
        get(CAROL, ACCOUNT),
        PolicySet(identity=(S3,)),
        IMPLICIT,
        PolicyType.RESOURCE,
        message=message(CAROL, GET, OBJECT, f"because no resource-based policy allows the {GET} action"),
    ),
    Case(
        "cross-account: the caller's SCPs apply",
        get(CAROL, ACCOUNT),
        bucket(
            grant({"AWS": OTHER}),
            identity=(S3,),
            scp_levels=levels((attached(PolicyKind.SCP, f"{ORG}/service_control_policy/p-no-s3", deny("s3:*")),)),
        ),
        EXPLICIT,
        PolicyType.SCP,
    ),
    # Resource control policies
    Case(
        "RCPFullAWSAccess everywhere leaves the decision to the other policies",
        get(DEV),
        PolicySet(identity=(S3,), rcp_levels=rcp_levels((), ())),
        ALLOWED,
    ),
    Case(
        "an RCP Deny applies to every principal, with the RCP ARN in the message",
        get(DEV),
        PolicySet(
            identity=(S3,),
            rcp_levels=rcp_levels(
                (
                    rcp(
                        "deny-insecure",
                        deny(
                            "s3:*",
                            Principal="*",
                            Condition={"BoolIfExists": {"aws:SecureTransport": "false"}},
                        ),
                    ),
                ),
                (),
            ),
        ),
        EXPLICIT,
        PolicyType.RCP,
        level=ROOT_ID,
        policy_id=RCP_ID,
        message=message(DEV, GET, OBJECT, f"with an explicit deny in a resource control policy: {RCP_ID}"),
    ),
    Case(
        "an RCP Deny whose condition does not hold denies nothing",
        request(DEV, GET, OBJECT, context={"aws:SecureTransport": "true"}),
        PolicySet(
            identity=(S3,),
            rcp_levels=rcp_levels(
                (
                    rcp(
                        "deny-insecure",
                        deny(
                            "s3:*",
                            Principal="*",
                            Condition={"BoolIfExists": {"aws:SecureTransport": "false"}},
                        ),
                    ),
                ),
                (),
            ),
        ),
        ALLOWED,
    ),
    Case(
        "RCPs do not apply when rcp_levels is None (management account resources)",
        get(DEV),
        PolicySet(identity=(S3,)),
        ALLOWED,
    ),
    Case(
        "an RCP Deny is reported before an SCP Deny",
        get(DEV),
        PolicySet(
            identity=(S3,),
            rcp_levels=rcp_levels((rcp("no-s3", deny("s3:*", Principal="*")),)),
            scp_levels=levels((attached(PolicyKind.SCP, f"{ORG}/service_control_policy/p-no-s3", deny("s3:*")),)),
        ),
        EXPLICIT,
        PolicyType.RCP,
    ),
    Case(
        "RCPs never grant",
        get(DEV),
        PolicySet(rcp_levels=rcp_levels(())),
        IMPLICIT,
        PolicyType.IDENTITY,
    ),
    # Role trust policies (sts:AssumeRole)
    Case(
        "a trust policy naming the user ARN lets it assume the role without an identity Allow",
        assume(),
        trust(trusts({"AWS": ALICE.arn})),
        ALLOWED,
    ),
    Case(
        "a trust policy naming the account delegates to identity policies (no identity Allow)",
        assume(),
        trust(trusts({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})),
        IMPLICIT,
        PolicyType.IDENTITY,
        message=f"User: {ALICE.arn} is not authorized to perform: {ASSUME} on resource: {ROLE} "
        f"because no identity-based policy allows the {ASSUME} action",
    ),
    Case(
        "a trust policy naming the account plus an identity Allow allows",
        assume(),
        trust(trusts({"AWS": ACCOUNT}), identity=(identity(allow(ASSUME, ROLE)),)),
        ALLOWED,
    ),
    Case(
        "a trust policy that does not name the caller denies even with an identity Allow",
        assume(),
        trust(trusts({"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}), identity=(identity(allow(ASSUME)),)),
        IMPLICIT,
        PolicyType.TRUST,
        message=f"User: {ALICE.arn} is not authorized to perform: {ASSUME} on resource: {ROLE} "
        f"because no role trust policy allows the {ASSUME} action",
    ),
    Case(
        "a Deny in the trust policy reads 'the role trust policy'",
        assume(),
        trust(trusts("*"), deny(ASSUME, None, Sid="NoAlice", Principal={"AWS": ALICE.arn})),
        EXPLICIT,
        PolicyType.TRUST,
        message=f"User: {ALICE.arn} is not authorized to perform: {ASSUME} on resource: {ROLE} "
        "with an explicit deny in the role trust policy",
    ),
    Case(
        "cross-account: trusting the other account and its identity Allow together allow",
        assume(CAROL, ACCOUNT),
        trust(trusts({"AWS": OTHER}), identity=(identity(allow(ASSUME, ROLE)),)),
        ALLOWED,
    ),
    Case(
        "cross-account: even a trust policy naming the user needs the user's identity Allow",
        assume(CAROL, ACCOUNT),
        trust(trusts({"AWS": CAROL.arn})),
        IMPLICIT,
        PolicyType.IDENTITY,
    ),
    Case(
        "a service principal assumes a role its trust policy names",
        request(CFN, ASSUME, ROLE),
        trust(trusts({"Service": "cloudformation.amazonaws.com"})),
        ALLOWED,
    ),
    Case(
        "a trust condition on sts:ExternalId must hold",
        assume(CAROL, ACCOUNT, **{"sts:ExternalId": "wrong"}),
        trust(
            trusts({"AWS": OTHER}, Condition={"StringEquals": {"sts:ExternalId": "c0ffee"}}),
            identity=(identity(allow(ASSUME, ROLE)),),
        ),
        IMPLICIT,
        PolicyType.TRUST,
    ),
    Case(
        "a trust condition on sts:ExternalId that holds allows",
        assume(CAROL, ACCOUNT, **{"sts:ExternalId": "c0ffee"}),
        trust(
            trusts({"AWS": OTHER}, Condition={"StringEquals": {"sts:ExternalId": "c0ffee"}}),
            identity=(identity(allow(ASSUME, ROLE)),),
        ),
        ALLOWED,
    ),
    Case(
        "role chaining: a trust policy naming the caller's role allows its sessions",
        assume(DEV),
        trust(trusts({"AWS": DEV.role_arn})),
        ALLOWED,
    ),
    Case(
        "role chaining through the role ARN is still limited by the caller's session policies",
        assume(DEV),
        trust(trusts({"AWS": DEV.role_arn}), session_policies=(identity(allow("s3:*"), name="session"),)),
        IMPLICIT,
        PolicyType.SESSION,
    ),
    Case(
        "the caller's SCPs apply to sts:AssumeRole",
        assume(),
        trust(
            trusts({"AWS": ALICE.arn}),
            scp_levels=levels((attached(PolicyKind.SCP, f"{ORG}/service_control_policy/p-no-sts", deny("sts:*")),)),
        ),
        EXPLICIT,
        PolicyType.SCP,
    ),
    Case(
        "a trust policy does not cover sts:TagSession unless it lists it",
        request(ALICE, "sts:TagSession", ROLE),
        trust(trusts({"AWS": ALICE.arn})),
        IMPLICIT,
        PolicyType.TRUST,
    ),
    Case(
        "a cross-account caller from another account's role session needs both sides",
        assume(OTHER_DEV, ACCOUNT),
        trust(trusts({"AWS": OTHER_DEV.role_arn}), identity=(identity(allow(ASSUME, ROLE)),)),
        ALLOWED,
    ),
]

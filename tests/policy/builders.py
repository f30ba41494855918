"""Small builders for policy documents, principals, requests and evaluation cases used across the tests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from baryon.policy import (
    AttachedPolicy,
    AuthorizationRequest,
    ContextValue,
    EvalDecision,
    OrgLevel,
    PolicyKind,
    PolicySet,
    PolicyType,
    Principal,
    PrincipalKind,
    parse_policy,
)

ACCOUNT = "111122223333"
OTHER = "444455556666"
ORG = "arn:aws:organizations::999988887777:policy/o-abc123defg"
REGION = "us-east-1"
LEVELS = ("r-ab12", "ou-ab12-11111111", "ou-ab12-22222222", ACCOUNT)

ALICE = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, PrincipalKind.USER)
BOB = Principal(f"arn:aws:iam::{ACCOUNT}:user/engineering/bob", ACCOUNT, PrincipalKind.USER)
DEV = Principal(
    f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/s1",
    ACCOUNT,
    PrincipalKind.ASSUMED_ROLE,
    f"arn:aws:iam::{ACCOUNT}:role/Dev",
)
ROOT = Principal(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, PrincipalKind.ROOT)
CAROL = Principal(f"arn:aws:iam::{OTHER}:user/carol", OTHER, PrincipalKind.USER)
CFN = Principal("cloudformation.amazonaws.com", "", PrincipalKind.SERVICE)

TEMPLATE = f"arn:aws:proton:{REGION}:{ACCOUNT}:environment-template/web"
CREATE = "proton:CreateEnvironmentTemplate"
Statement = dict[str, object]


def stmt(
    effect: str,
    action: str | Sequence[str] | None = None,
    resource: str | Sequence[str] | None = "*",
    **extra: object,
) -> Statement:
    """A statement dict; ``extra`` adds elements such as Condition, NotAction, NotResource, Principal, Sid."""
    statement: Statement = {"Effect": effect}
    if action is not None:
        statement["Action"] = action
    if resource is not None:
        statement["Resource"] = resource
    statement.update(extra)
    return statement


def allow(
    action: str | Sequence[str] | None = "*", resource: str | Sequence[str] | None = "*", **extra: object
) -> Statement:
    return stmt("Allow", action, resource, **extra)


def deny(
    action: str | Sequence[str] | None = "*", resource: str | Sequence[str] | None = "*", **extra: object
) -> Statement:
    return stmt("Deny", action, resource, **extra)


def doc(*statements: Statement, version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)}, indent=2)


def attached(kind: PolicyKind, policy_id: str, *statements: Statement, version: str = "2012-10-17") -> AttachedPolicy:
    return AttachedPolicy(policy_id, parse_policy(doc(*statements, version=version), kind))


def identity(*statements: Statement, name: str = "dev", version: str = "2012-10-17") -> AttachedPolicy:
    return attached(PolicyKind.IDENTITY, f"arn:aws:iam::{ACCOUNT}:policy/{name}", *statements, version=version)


def scp(name: str, *statements: Statement) -> AttachedPolicy:
    return attached(PolicyKind.SCP, f"{ORG}/service_control_policy/p-{name}", *statements)


def rcp(name: str, *statements: Statement) -> AttachedPolicy:
    return attached(PolicyKind.RCP, f"{ORG}/resource_control_policy/p-{name}", *statements)


FULL_ACCESS = AttachedPolicy(
    "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    parse_policy(doc(allow()), PolicyKind.SCP),
)
RCP_FULL_ACCESS = AttachedPolicy(
    "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
    parse_policy(doc(allow(Principal="*")), PolicyKind.RCP),
)


def _level_ids(count: int) -> tuple[str, ...]:
    assert 1 <= count <= len(LEVELS)
    return (*LEVELS[: count - 1], LEVELS[-1])


def levels(*per_level: Sequence[AttachedPolicy], full_access: bool = True) -> tuple[OrgLevel, ...]:
    """Org levels root → OUs → account (ids from ``LEVELS``); FullAWSAccess attached everywhere by default."""
    base = (FULL_ACCESS,) if full_access else ()
    return tuple(
        OrgLevel(target, base + tuple(policies))
        for target, policies in zip(_level_ids(len(per_level)), per_level, strict=True)
    )


def rcp_levels(*per_level: Sequence[AttachedPolicy]) -> tuple[OrgLevel, ...]:
    """RCP levels; RCPFullAWSAccess is attached everywhere (it cannot be detached)."""
    return tuple(
        OrgLevel(target, (RCP_FULL_ACCESS, *policies))
        for target, policies in zip(_level_ids(len(per_level)), per_level, strict=True)
    )


def request(
    principal: Principal = DEV,
    action: str = CREATE,
    resource: str = TEMPLATE,
    context: Mapping[str, ContextValue] | None = None,
    resource_account: str | None = None,
) -> AuthorizationRequest:
    return AuthorizationRequest(principal, action, resource, dict(context or {}), resource_account)


@dataclass(frozen=True)
class Case:
    """One evaluation case of the corpus; ``rule`` says which AWS rule it checks."""

    rule: str
    request: AuthorizationRequest
    policies: PolicySet
    decision: EvalDecision
    denied_by: PolicyType | None = None
    level: str | None = None
    policy_id: str | None = None
    message: str | None = None
    missing: tuple[str, ...] | None = None


ALLOWED = EvalDecision.ALLOWED
EXPLICIT = EvalDecision.EXPLICIT_DENY
IMPLICIT = EvalDecision.IMPLICIT_DENY

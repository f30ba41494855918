"""The outcome of an evaluation, its explanation, and AWS's AccessDenied wording.

An *explicit deny* comes from a matching ``Deny`` statement and beats every ``Allow``. An *implicit deny*
is the default when a required policy type has no matching ``Allow``. The fields mirror what the IAM
policy simulator returns (``EvalDecision``, ``MatchedStatements``, ``MissingContextValues``,
``OrganizationsDecisionDetail``, ``PermissionsBoundaryDecisionDetail``, ``EvalDecisionDetails``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from baryon.policy.model import Effect, Position


class EvalDecision(enum.Enum):
    """The simulator's ``EvalDecision`` values."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class PolicyType(enum.Enum):
    """A kind of policy taking part in a decision."""

    RCP = "resource control policy"
    SCP = "service control policy"
    TRUST = "role trust policy"
    RESOURCE = "resource-based policy"
    IDENTITY = "identity-based policy"
    PERMISSIONS_BOUNDARY = "permissions boundary"
    SESSION = "session policy"


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that contributed to a decision, located in its policy's source text."""

    policy_id: str
    policy_type: PolicyType
    sid: str | None
    effect: Effect
    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class Step:
    """The verdict of one policy type, or of one organization level (root, OU, account) for SCPs/RCPs."""

    policy_type: PolicyType
    target_id: str | None
    decision: EvalDecision
    matched_statements: tuple[MatchedStatement, ...]


# (explicit phrase, implicit phrase, whether an explicit deny names the policy ARN)
_WORDING: dict[PolicyType, tuple[str, str, bool]] = {
    PolicyType.SCP: ("a service control policy", "a service control policy", True),
    PolicyType.RCP: ("a resource control policy", "resource control policy", True),
    PolicyType.IDENTITY: ("an identity-based policy", "identity-based policy", True),
    PolicyType.PERMISSIONS_BOUNDARY: ("a permissions boundary", "permissions boundary", True),
    PolicyType.SESSION: ("a sessions policy", "session policy", True),
    PolicyType.RESOURCE: ("a resource-based policy", "resource-based policy", False),
    PolicyType.TRUST: ("the role trust policy", "role trust policy", False),
}


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of :func:`baryon.policy.evaluate`.

    ``denied_by`` names the policy type that decided a denial (``None`` when allowed), ``policy_id`` the
    policy whose ``Deny`` matched (explicit denies only), ``level`` the organization target (root, OU or
    account id) for SCP/RCP denials. ``steps`` explain every policy type and organization level evaluated.
    ``allowed_by_organizations`` / ``allowed_by_permissions_boundary`` are ``None`` when no SCPs / no
    boundary apply.
    """

    effect: EvalDecision
    denied_by: PolicyType | None
    policy_id: str | None
    level: str | None
    steps: tuple[Step, ...]
    matched_statements: tuple[MatchedStatement, ...]
    missing_context_keys: tuple[str, ...]
    allowed_by_organizations: bool | None
    allowed_by_permissions_boundary: bool | None

    @property
    def allowed(self) -> bool:
        return self.effect is EvalDecision.ALLOWED

    def details(self) -> dict[PolicyType, EvalDecision]:
        """The most restrictive verdict per policy type (the simulator's ``EvalDecisionDetails``)."""
        rank = {EvalDecision.ALLOWED: 0, EvalDecision.IMPLICIT_DENY: 1, EvalDecision.EXPLICIT_DENY: 2}
        details: dict[PolicyType, EvalDecision] = {}
        for step in self.steps:
            known = details.get(step.policy_type)
            if known is None or rank[step.decision] > rank[known]:
                details[step.policy_type] = step.decision
        return details

    def denial_message(self, principal_arn: str, action: str, resource: str) -> str:
        """AWS's AccessDenied text for this denial, e.g. ``User: … is not authorized to perform: …``.

        ``on resource: …`` is left out for actions without a resource type (``resource == "*"``). An SCP
        denial always reads "with an explicit deny in a service control policy", even when no SCP allows
        the action; explicit SCP, RCP, identity, boundary and session denies end with ``: <policy ARN>``
        when the denying policy has an ARN.
        """
        if self.denied_by is None:
            raise ValueError("the request was allowed; there is no denial message")
        explicit_phrase, implicit_phrase, names_policy = _WORDING[self.denied_by]
        message = f"User: {principal_arn} is not authorized to perform: {action}"
        if resource != "*":
            message += f" on resource: {resource}"
        if self.effect is EvalDecision.EXPLICIT_DENY or self.denied_by is PolicyType.SCP:
            message += f" with an explicit deny in {explicit_phrase}"
            explicit = self.effect is EvalDecision.EXPLICIT_DENY
            if explicit and names_policy and self.policy_id and self.policy_id.startswith("arn:"):
                message += f": {self.policy_id}"
            return message
        return message + f" because no {implicit_phrase} allows the {action} action"

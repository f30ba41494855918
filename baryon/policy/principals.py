"""The ``Principal``/``NotPrincipal`` element of resource-based and trust policies.

Matching a caller also says *how* the policy named it, because within one account that decides which
other policy types still apply (AWS "Policy evaluation logic", resource-based policies):

* :attr:`Grant.DIRECT` — the policy names the IAM user ARN, the role-session ARN, a service principal, or
  everyone (``"*"``): an implicit deny in identity policies, permissions boundaries and session policies
  does not limit it.
* :attr:`Grant.ROLE` — the policy names the role behind the caller's session: identity policies are not
  needed, but the permissions boundary and session policies still limit it.
* :attr:`Grant.ACCOUNT` — the policy names the caller's account (``"123456789012"`` or ``...:root``): that
  delegates to the account, whose identity policies must also allow.

``NotPrincipal`` excludes a caller only when it lists every identity AWS may check for it: the account,
then the role, then the session (or the account and the user). AWS: without the account ARN "the policy
might deny access to the entire account containing the principal".
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from baryon.policy.request import Principal, PrincipalKind

_ACCOUNT = re.compile(r"[0-9]{12}")
_ROOT = re.compile(r"arn:[a-z-]+:iam::([0-9]{12}):root")
_PRINCIPAL_ARN = re.compile(r"arn:[a-z-]+:(?:iam|sts)::[0-9]{12}:[^*?]+")
_FIELDS = ("AWS", "Service", "Federated", "CanonicalUser")


class Grant(enum.IntEnum):
    """How a resource-based policy statement named the caller (higher is more direct)."""

    NONE = 0
    ACCOUNT = 1
    ROLE = 2
    DIRECT = 3


@dataclass(frozen=True, slots=True)
class PrincipalMatcher:
    """A compiled ``Principal`` (or, with ``negated``, ``NotPrincipal``) element."""

    everyone: bool
    any_aws: bool
    accounts: frozenset[str]
    arns: frozenset[str]
    services: frozenset[str]
    negated: bool

    def grant(self, principal: Principal) -> Grant:
        """How this element names ``principal``; ``NotPrincipal`` grants only at account level."""
        if self.negated:
            return Grant.NONE if self._excluded(principal) else Grant.ACCOUNT
        return self._named(principal)

    def _excluded(self, principal: Principal) -> bool:
        if self.everyone:
            return True
        if principal.kind is PrincipalKind.SERVICE:
            return principal.arn in self.services
        chain = [principal.arn] if principal.kind is not PrincipalKind.ROOT else []
        if principal.role_arn is not None:
            chain.append(principal.role_arn)
        return self.any_aws or (principal.account in self.accounts and all(arn in self.arns for arn in chain))

    def _named(self, principal: Principal) -> Grant:
        if self.everyone:
            return Grant.DIRECT
        if principal.kind is PrincipalKind.SERVICE:
            return Grant.DIRECT if principal.arn in self.services else Grant.NONE
        if self.any_aws or principal.arn in self.arns:
            return Grant.DIRECT
        if principal.role_arn is not None and principal.role_arn in self.arns:
            return Grant.ROLE
        return Grant.ACCOUNT if principal.account in self.accounts else Grant.NONE


def parse_principal(element: object, *, negated: bool) -> PrincipalMatcher:
    """Compile a principal element; ``ValueError`` names the offending entry in AWS's words."""
    if element == "*":
        return PrincipalMatcher(True, False, frozenset(), frozenset(), frozenset(), negated)
    if not isinstance(element, dict) or not element:
        raise ValueError('Invalid principal in policy: the element must be "*" or an object such as {"AWS": ...}')
    accounts: set[str] = set()
    arns: set[str] = set()
    services: set[str] = set()
    any_aws = False
    for field_name, raw in element.items():
        if field_name not in _FIELDS:
            raise ValueError(f'Invalid principal in policy: unknown principal type "{field_name}"')
        entries = raw if isinstance(raw, list) else [raw]
        if not entries or not all(isinstance(entry, str) and entry for entry in entries):
            raise ValueError(f'Invalid principal in policy: "{field_name}" needs one or more strings')
        for entry in entries:
            if field_name == "Service":
                services.add(entry)
            elif field_name != "AWS":
                continue  # federated and canonical-user principals never sign Baryon requests
            elif entry == "*":
                any_aws = True
            elif _ACCOUNT.fullmatch(entry):
                accounts.add(entry)
            elif root := _ROOT.fullmatch(entry):
                accounts.add(root.group(1))
            elif _PRINCIPAL_ARN.fullmatch(entry):
                arns.add(entry)
            else:
                raise ValueError(f'Invalid principal in policy: "AWS":"{entry}"')
    return PrincipalMatcher(False, any_aws, frozenset(accounts), frozenset(arns), frozenset(services), negated)

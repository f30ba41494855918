"""Checking the policy documents IAM stores: the grammar (the policy engine's parser) and IAM's size quotas.

IAM counts a policy's size without whitespace: 6,144 characters for a managed policy, 2,048 for a role's
trust policy, and for inline policies the sum over all inline policies of one principal (user 2,048,
group 5,120, role 10,240).
"""

from __future__ import annotations

from baryon.identity.iam import errors
from baryon.policy import PolicyError, PolicyKind, parse_policy

_WHITESPACE = frozenset(" \t\n\r")


def size(document: str) -> int:
    """A document's size as IAM's quotas count it: characters other than whitespace."""
    return sum(1 for ch in document if ch not in _WHITESPACE)


def _parse(document: str, kind: PolicyKind) -> None:
    try:
        parse_policy(document, kind)
    except PolicyError as exc:
        raise errors.malformed(exc.message) from None


def managed(document: str) -> str:
    if size(document) > errors.MANAGED_POLICY_SIZE:
        raise errors.quota("PolicySize", errors.MANAGED_POLICY_SIZE)
    _parse(document, PolicyKind.IDENTITY)
    return document


def trust(document: str) -> str:
    if size(document) > errors.TRUST_POLICY_SIZE:
        raise errors.quota("ACLSizePerRole", errors.TRUST_POLICY_SIZE)
    _parse(document, PolicyKind.TRUST)
    return document


def inline(document: str, kind: str, owner: str, others: int) -> str:
    """An inline policy of a `user`, `group` or `role` whose other inline policies already use `others`."""
    limit = errors.INLINE_POLICY_SIZE[kind]
    if others + size(document) > limit:
        raise errors.limit_exceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {owner}")
    _parse(document, PolicyKind.IDENTITY)
    return document

"""Everything that applies to one request, grouped by policy type.

SCPs and RCPs come as *organization levels*: the path from the organization root through each OU down to
the account (at most root + 5 OUs + account = 7 levels), each with the policies attached directly to it.
Within a level one ``Allow`` suffices (union); across levels every level must allow (intersection).
``scp_levels=None`` means SCPs do not apply at all: the management account, service-linked roles, or an
account outside any organization.

Reuse a ``PolicySet`` across requests: the per-action evaluation plan is remembered on the object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from baryon.policy.model import Policy

if TYPE_CHECKING:
    from baryon.policy.plan import Plan


@dataclass(frozen=True)
class AttachedPolicy:
    """A policy and the id explanations and denial messages name (an ARN, or e.g. ``user/a/inline/p``)."""

    policy_id: str
    policy: Policy


@dataclass(frozen=True)
class OrgLevel:
    """One node on the path root → OU … → account, with the SCPs (or RCPs) attached to it."""

    target_id: str
    policies: tuple[AttachedPolicy, ...]


@dataclass(frozen=True)
class PolicySet:
    """The policies that apply to one request."""

    identity: tuple[AttachedPolicy, ...] = ()
    scp_levels: tuple[OrgLevel, ...] | None = None
    rcp_levels: tuple[OrgLevel, ...] | None = None
    resource_policies: tuple[AttachedPolicy, ...] = ()
    permissions_boundary: AttachedPolicy | None = None
    session_policies: tuple[AttachedPolicy, ...] | None = None
    trust_policy: AttachedPolicy | None = None
    _plans: dict[str, Plan] = field(default_factory=dict, init=False, repr=False, compare=False)

"""IAM over the query protocol: users, groups, roles, managed and inline policies, access keys, tags.

Every operation module registers on the one shared table `iam`; importing this package imports them all.
State is per account (`call.account_id`); AWS-managed policies are rows of the same policy table owned by
the pseudo-account `aws` and cannot be changed. Any write that can change an authentication or authorization
outcome bumps the generation (`call.runtime.watch.bump`) so credential and policy caches drop.
"""

from __future__ import annotations

from baryon.edge.operations import Operations

iam = Operations("iam")

from baryon.identity.iam import (  # noqa: E402  (the modules register on `iam` when imported)
    access_keys,
    attachments,
    boundaries,
    groups,
    inline,
    policies,
    roles,
    simulate,
    summary,
    tags,
    users,
    versions,
)

__all__ = [
    "access_keys",
    "attachments",
    "boundaries",
    "groups",
    "iam",
    "inline",
    "policies",
    "roles",
    "simulate",
    "summary",
    "tags",
    "users",
    "versions",
]

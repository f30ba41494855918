"""The one action map: for every operation Baryon serves, the IAM action, the resource ARNs it acts on and
the service-specific condition keys it adds to the request context.

Each served service has a module here with a `resources(...)` function. An action without a resource type
is evaluated against `*`, as AWS does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from baryon.authz.action_map import connections, iam, organizations, proton, sts
from baryon.authz.facts import Facts
from baryon.identity.caller import Caller

ResourceResolver = Callable[[str, Mapping[str, Any], Caller, str, Facts], tuple[str, ...]]
ContextResolver = Callable[[str, Mapping[str, Any], Facts], dict[str, Any]]


@dataclass(frozen=True)
class ServiceActions:
    resources: ResourceResolver
    context: ContextResolver | None = None
    unauthorized: frozenset[str] = field(default_factory=frozenset)
    """Operations AWS lets every authenticated caller perform, whatever the policies say."""


SERVICES: dict[str, ServiceActions] = {
    "iam": ServiceActions(iam.resources, iam.context),
    "sts": ServiceActions(sts.resources, unauthorized=frozenset({"GetCallerIdentity"})),
    "organizations": ServiceActions(organizations.resources, organizations.context),
    "proton": ServiceActions(proton.resources, proton.context),
    "codestar-connections": ServiceActions(connections.codestar_resources, connections.codestar_context),
    "codeconnections": ServiceActions(connections.codeconnections_resources, connections.codeconnections_context),
}


@dataclass(frozen=True)
class RequestedAction:
    action: str
    resources: tuple[str, ...]
    context: dict[str, Any]
    needs_authorization: bool


def describe(
    service: str, operation: str, params: Mapping[str, Any], caller: Caller, region: str, facts: Facts
) -> RequestedAction:
    """The IAM view of one call: `service:Operation`, its resource ARNs and extra condition keys."""
    actions = SERVICES[service]
    context = actions.context(operation, params, facts) if actions.context else {}
    return RequestedAction(
        action=f"{service}:{operation}",
        resources=actions.resources(operation, params, caller, region, facts) or ("*",),
        context=context,
        needs_authorization=operation not in actions.unauthorized,
    )

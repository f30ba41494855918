"""CodeStar Connections and CodeConnections: resource types and condition keys, as AWS's IAM authorization
reference lists them.

The two services share one API; each is keyed here by its signing name, which is also its IAM action prefix
(`codestar-connections:GetHost`, `codeconnections:GetHost`). Resource ARNs use the service of the call:
`arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID` and `host/NAME-ID` (`codeconnections` for the
other). Create and List operations have no resource type (`*`); tagging acts on the ARN it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from baryon.authz.action_map.tags import tag_context
from baryon.authz.facts import Facts
from baryon.identity.caller import Caller

Params = Mapping[str, Any]

BY_ARN = {
    "GetHost": "HostArn",
    "DeleteHost": "HostArn",
    "UpdateHost": "HostArn",
    "GetConnection": "ConnectionArn",
    "DeleteConnection": "ConnectionArn",
    "TagResource": "ResourceArn",
    "UntagResource": "ResourceArn",
    "ListTagsForResource": "ResourceArn",
}
"""Operations whose resource is the ARN the request names."""


def _resolver(service: str) -> Callable[[str, Params, Caller, str, Facts], tuple[str, ...]]:
    def resources(operation: str, params: Params, caller: Caller, region: str, facts: Facts) -> tuple[str, ...]:
        member = BY_ARN.get(operation)
        if member and params.get(member):
            return (str(params[member]),)
        return ("*",)

    resources.__doc__ = f"Resource ARNs of a {service} call."
    return resources


def _context(service: str) -> Callable[[str, Params, Facts], dict[str, Any]]:
    def context(operation: str, params: Params, facts: Facts) -> dict[str, Any]:
        extra = tag_context(params.get("Tags"))
        if operation in ("CreateConnection", "CreateHost") and params.get("ProviderType"):
            extra[f"{service}:ProviderType"] = params["ProviderType"]
        if operation == "ListConnections" and params.get("ProviderTypeFilter"):
            extra[f"{service}:ProviderTypeFilter"] = params["ProviderTypeFilter"]
        return extra

    return context


codestar_resources, codestar_context = _resolver("codestar-connections"), _context("codestar-connections")
codeconnections_resources, codeconnections_context = _resolver("codeconnections"), _context("codeconnections")

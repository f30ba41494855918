"""Per-kind statement rules and element formats that ``parse_policy`` enforces."""

from __future__ import annotations

from baryon.policy.errors import PolicyError
from baryon.policy.jsontext import JsonObject, JsonValue
from baryon.policy.model import Effect, PolicyKind

_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})
_TRUST_ACTIONS = frozenset(
    action.lower()
    for action in (
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
        "sts:SetSourceIdentity",
        "sts:SetContext",
    )
)
_TRUST_ACTION_ERROR = (
    "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML, "
    "and sts:AssumeRoleWithWebIdentity"
)


def list_of_strings(value: JsonValue, element: str) -> list[str]:
    """An element holding one string or a list of strings, as a list (``[]`` when absent)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    strings = [item for item in items if isinstance(item, str)]
    if len(strings) != len(items):
        raise PolicyError(f"Syntax errors in policy: {element} must be a string or a list of strings.")
    return strings


def check_resource(entry: str) -> None:
    """``*`` or ``arn:partition:service:region:account:resource`` (wildcards allowed)."""
    if entry == "*":
        return
    parts = entry.split(":")
    if len(parts) < 2 or parts[0] != "arn" or ("::" in entry and len(parts) < 6):
        raise PolicyError(f'Resource {entry} must be in ARN format or "*".')
    if parts[1] not in _PARTITIONS and not any(char in parts[1] for char in "*?"):
        raise PolicyError(f'Partition "{parts[1]}" is not valid for resource "{entry}".')
    if len(parts) < 3 or not parts[2]:
        raise PolicyError("Resource vendor must be fully qualified and cannot contain regexes.")


def check_kind_rules(obj: JsonObject, kind: PolicyKind, effect: Effect) -> None:
    """Which elements a statement of this policy kind must have or must not have."""
    has_principal = "Principal" in obj or "NotPrincipal" in obj
    resources = list_of_strings(obj.get("NotResource", obj.get("Resource")), "Resource")
    if kind is PolicyKind.IDENTITY and has_principal:
        raise PolicyError("Policy document should not specify a principal.")
    if kind is PolicyKind.SCP and has_principal:
        raise PolicyError("Service control policies cannot specify a Principal or NotPrincipal element.")
    if kind is PolicyKind.TRUST:
        _check_trust(obj)
        return
    if not resources:
        raise PolicyError("Policy statement must contain resources.")
    if kind is PolicyKind.RESOURCE and not has_principal:
        raise PolicyError("Missing required field Principal")
    if kind is PolicyKind.RCP:
        _check_rcp(obj, effect, resources)


def _check_trust(obj: JsonObject) -> None:
    if "Resource" in obj or "NotResource" in obj:
        raise PolicyError("Has prohibited field Resource")
    if "Principal" not in obj and "NotPrincipal" not in obj:
        raise PolicyError("Missing required field Principal")
    if "NotAction" in obj:
        raise PolicyError(_TRUST_ACTION_ERROR)
    for action in list_of_strings(obj.get("Action"), "Action"):
        lowered = action.lower()
        wildcard = lowered.startswith("sts:") and any(char in lowered for char in "*?")
        if lowered not in _TRUST_ACTIONS and not wildcard:
            raise PolicyError(_TRUST_ACTION_ERROR)


def _check_rcp(obj: JsonObject, effect: Effect, resources: list[str]) -> None:
    if "NotPrincipal" in obj:
        raise PolicyError("Resource control policies do not support the NotPrincipal element.")
    if obj.get("Principal") != "*":
        raise PolicyError('Resource control policies require "Principal": "*"; restrict principals with conditions.')
    if "NotAction" in obj:
        raise PolicyError("Resource control policies do not support the NotAction element.")
    actions = list_of_strings(obj.get("Action"), "Action")
    if effect is Effect.ALLOW and (actions != ["*"] or resources != ["*"] or "Condition" in obj):
        raise PolicyError(
            "Resource control policies allow only in the AWS managed RCPFullAWSAccess policy "
            '("Allow" "*" on "*"); custom statements must use "Deny".'
        )

"""IAM: the resource an operation acts on follows from the name it is given.

`UserName` → `user/NAME`, `RoleName` → `role/NAME`, `GroupName` → `group/NAME`, `PolicyArn` → that policy,
`InstanceProfileName` → `instance-profile/NAME`; operations on the caller's own user (GetUser, CreateAccessKey
without `UserName`) act on the caller; listing operations act on `KIND/*` under the requested path prefix.
Group membership changes act on the group; CreatePolicy acts on the policy it creates; renaming or moving a
user or group needs the permission on both the old and the new ARN, as in AWS.

The map only sees names, so an existing entity is named as if its path were `/`; the IAM provider checks the
action again on the entity's real ARN when the path differs (`baryon.identity.iam.common.confirm`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baryon.authz.action_map.tags import tag_context
from baryon.authz.facts import Facts
from baryon.identity.caller import Caller

_NAMED = (
    ("UserName", "user"),
    ("RoleName", "role"),
    ("GroupName", "group"),
    ("InstanceProfileName", "instance-profile"),
)
_LISTINGS = {
    "ListUsers": "user",
    "ListRoles": "role",
    "ListGroups": "group",
    "ListPolicies": "policy",
    "ListInstanceProfiles": "instance-profile",
}
_ACCOUNT_WIDE = frozenset(
    {
        "GetAccountSummary",
        "GetAccountAuthorizationDetails",
        "ListAccountAliases",
        "CreateAccountAlias",
        "DeleteAccountAlias",
        "GetAccountPasswordPolicy",
        "SimulateCustomPolicy",
        "GetContextKeysForCustomPolicy",
    }
)


def _arn(caller: Caller, kind: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{caller.account_id}:{kind}{path}{name}"


def _existing(caller: Caller, facts: Facts, kind: str, name: str, path: str = "/") -> str:
    """The ARN of the named entity as it exists (with its real path); for one being created, from `path`."""
    return facts.iam.arn(caller.account_id, kind, name) or _arn(caller, kind, name, path)


_ON_GROUP = frozenset({"AddUserToGroup", "RemoveUserFromGroup"})
_RENAMES = {
    "UpdateUser": ("UserName", "NewUserName", "user"),
    "UpdateGroup": ("GroupName", "NewGroupName", "group"),
}


def resources(operation: str, params: Mapping[str, Any], caller: Caller, region: str, facts: Facts) -> tuple[str, ...]:
    if operation in _ACCOUNT_WIDE:
        return ("*",)
    if operation in _ON_GROUP:
        return (_existing(caller, facts, "group", params["GroupName"]),)
    if operation == "CreatePolicy":
        return (_arn(caller, "policy", params["PolicyName"], params.get("Path", "/")),)
    if operation in _RENAMES:
        member, new_member, kind = _RENAMES[operation]
        current = _existing(caller, facts, kind, params[member])
        if new_member not in params and "NewPath" not in params:
            return (current,)
        renamed = _arn(caller, kind, params.get(new_member, params[member]), params.get("NewPath", "/"))
        return (current, renamed) if renamed != current else (current,)
    if operation in _LISTINGS:
        return (_arn(caller, _LISTINGS[operation], "*", params.get("PathPrefix", "/")),)
    if operation == "SimulatePrincipalPolicy" or operation == "GetContextKeysForPrincipalPolicy":
        return (params["PolicySourceArn"],)
    for member, kind in _NAMED:
        if member in params:
            return (_existing(caller, facts, kind, params[member], params.get("Path", "/")),)
    if "PolicyArn" in params:
        return (params["PolicyArn"],)
    if caller.kind == "user":
        return (caller.arn,)
    return ("*",)


def context(operation: str, params: Mapping[str, Any], facts: Facts) -> dict[str, Any]:
    extra = tag_context(params.get("Tags"))
    if params.get("TagKeys"):
        extra["aws:TagKeys"] = tuple(params["TagKeys"])
    if "PolicyArn" in params and any(member in params for member, _ in _NAMED):
        extra["iam:PolicyARN"] = params["PolicyArn"]
    if "PermissionsBoundary" in params:
        extra["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    return extra

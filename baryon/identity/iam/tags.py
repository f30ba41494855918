"""Tags on users, roles and managed policies: Tag*, Untag*, List*Tags.

IAM tag keys are unique per resource regardless of case; tagging with an existing key replaces its value.
A user's or role's tags are `aws:PrincipalTag/...` in its requests, so changing them bumps the generation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, errors, iam, paging


def checked_tags(tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """Tags given to a create call: no key twice."""
    seen: set[str] = set()
    for tag in tags:
        key = tag["Key"].lower()
        if key in seen:
            raise errors.invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(key)
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags]


def _merged(current: list[Any] | None, added: list[dict[str, str]]) -> list[dict[str, str]]:
    added = checked_tags(added)
    replaced = {t["Key"].lower() for t in added}
    merged = [t for t in common.tag_list(current) if t["Key"].lower() not in replaced] + added
    if len(merged) > errors.TAGS_PER_RESOURCE:
        raise errors.limit_exceeded(f"The number of tags has reached the maximum limit of {errors.TAGS_PER_RESOURCE}.")
    return merged


def _without(current: list[Any] | None, keys: list[str]) -> list[dict[str, str]]:
    removed = {key.lower() for key in keys}
    return [t for t in common.tag_list(current) if t["Key"].lower() not in removed]


def _register(kind: str, noun: str, find: Callable[[Call, bool], Any], principal: bool) -> None:
    @iam(f"Tag{noun}")
    def tag(call: Call) -> Result:
        row = find(call, True)
        row.tags = _merged(row.tags, call.params["Tags"])
        if principal:
            call.runtime.watch.bump(call.db)
        return {}

    @iam(f"Untag{noun}")
    def untag(call: Call) -> Result:
        row = find(call, True)
        row.tags = _without(row.tags, call.params["TagKeys"])
        if principal:
            call.runtime.watch.bump(call.db)
        return {}

    @iam(f"List{noun}Tags")
    def list_tags(call: Call) -> Result:
        row = find(call, False)
        page, fields = paging.page_indexed(call, paging.scope(call, row.id), common.tag_list(row.tags))
        return {"Tags": page, **fields}

    tag.__name__, untag.__name__, list_tags.__name__ = f"tag_{kind}", f"untag_{kind}", f"list_{kind}_tags"


def _policy(call: Call, write: bool) -> Any:
    arn = call.params["PolicyArn"]
    return common.own_policy(call, arn, call.ctx.operation or "") if write else common.policy(call, arn)


_register("user", "User", lambda call, _: common.user(call, call.params["UserName"]), principal=True)
_register("role", "Role", lambda call, _: common.role(call, call.params["RoleName"]), principal=True)
_register("policy", "Policy", _policy, principal=False)

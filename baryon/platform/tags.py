"""Customer tags on Proton resources, by ARN: TagResource, UntagResource, ListTagsForResource.

Templates and template versions keep their tags in a `tags` column (`[{"key", "value"}]`, sorted by key).
Other Proton resource types register a finder in `FINDERS` (ARN resource type → the row with `tags`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.platform.common import (
    BY_ARN_TYPE,
    find_template,
    issue_token,
    merged_tags,
    not_found,
    page_size,
    proton,
    read_token,
    version,
)

_ARN = re.compile(r"^arn:aws:proton:(?P<region>[^:]*):(?P<account>\d{12}):(?P<type>[a-z-]+)/(?P<rest>.+)$")
_TEMPLATE = re.compile(r"^(?P<name>[0-9A-Za-z]+[0-9A-Za-z_\-]*)(?::(?P<major>\d+)\.(?P<minor>\d+))?$")

Finder = Callable[[Call, str, str], Any]
"""(call, arn resource type, the rest of the ARN) → the tagged row, or None."""


def _template_or_version(call: Call, arn_type: str, rest: str) -> Any:
    match = _TEMPLATE.match(rest)
    if match is None:
        return None
    kind = BY_ARN_TYPE[arn_type]
    parent = find_template(call, kind, match["name"])
    if parent is None or match["major"] is None:
        return parent
    try:
        return version(call, kind, parent, match["major"], match["minor"])
    except Exception:
        return None


FINDERS: dict[str, Finder] = {t: _template_or_version for t in BY_ARN_TYPE}


def _resource(call: Call) -> Any:
    arn = call.params["resourceArn"]
    match = _ARN.match(arn)
    row = None
    if match and match["account"] == call.account_id and match["region"] == call.region:
        finder = FINDERS.get(match["type"])
        row = finder(call, match["type"], match["rest"]) if finder else None
    if row is None:
        raise not_found(f"The resource {arn} was not found.")
    return row


@proton("TagResource")
def tag_resource(call: Call) -> Result:
    row = _resource(call)
    row.tags = merged_tags(row.tags, call.params["tags"])
    return {}


@proton("UntagResource")
def untag_resource(call: Call) -> Result:
    row = _resource(call)
    removed = set(call.params["tagKeys"])
    row.tags = [t for t in row.tags or [] if t["key"] not in removed]
    return {}


@proton("ListTagsForResource")
def list_tags_for_resource(call: Call) -> Result:
    row = _resource(call)
    parts = [call.params["resourceArn"]]
    position = read_token(call, parts)
    tags = [t for t in row.tags or [] if not position or t["key"] > str(position[0])]
    size = page_size(call)
    result: Result = {"tags": [{"key": t["key"], "value": t["value"]} for t in tags[:size]]}
    if len(tags) > size:
        result["nextToken"] = issue_token(call, parts, [tags[size - 1]["key"]])
    return result

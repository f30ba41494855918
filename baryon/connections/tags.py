"""Customer tags on hosts and connections, by ARN: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from baryon.connections.common import both, find_connection, find_host, merged_tags, not_found, parse_arn, tags_out
from baryon.connections.tables import CodeConnection, ConnectionHost
from baryon.edge.context import Call
from baryon.edge.operations import Result


def _resource(call: Call) -> CodeConnection | ConnectionHost:
    arn = call.params["ResourceArn"]
    parsed = parse_arn(arn)
    row: CodeConnection | ConnectionHost | None = None
    if parsed is not None:
        row = find_host(call, arn) if parsed[2] == "host" else find_connection(call, arn)
    if row is None:
        raise not_found(f"Resource {arn} does not exist")
    return row


@both("TagResource")
def tag_resource(call: Call) -> Result:
    row = _resource(call)
    row.tags = merged_tags(row.tags, call.params["Tags"])
    return {}


@both("UntagResource")
def untag_resource(call: Call) -> Result:
    row = _resource(call)
    removed = set(call.params["TagKeys"])
    row.tags = [t for t in row.tags or [] if t["Key"] not in removed]
    return {}


@both("ListTagsForResource")
def list_tags_for_resource(call: Call) -> Result:
    return {"Tags": tags_out(_resource(call).tags)}

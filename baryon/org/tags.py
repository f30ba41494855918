"""Tags on accounts, OUs, the root and customer-managed policies: TagResource, UntagResource,
ListTagsForResource (at most `BARYON_ORG_MAX_TAGS`, 50, per resource; `aws:` keys are reserved)."""

from __future__ import annotations

from sqlalchemy import delete

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.org import errors
from baryon.org.common import OrgScope, organizations, page, put_tags, scope, tags_of
from baryon.org.tables import OrgPolicy, OrgTag


def _resource(org: OrgScope, resource_id: str, *, changing: bool) -> str:
    if resource_id.startswith("p-"):
        policy = org.call.db.get(OrgPolicy, resource_id)
        if policy is None or policy.organization_id not in (None, org.org_id):
            raise errors.target_not_found()
        if policy.aws_managed and changing:
            raise errors.invalid_input("IMMUTABLE_POLICY")
        return resource_id
    if (resource_id.startswith(("r-", "ou-")) or resource_id.isdigit()) and org.target_exists(resource_id):
        return resource_id
    raise errors.target_not_found()


@organizations("TagResource")
def tag_resource(call: Call) -> Result:
    org = scope(call)
    resource_id = _resource(org, call.params["ResourceId"], changing=True)
    put_tags(call, resource_id, call.params["Tags"])
    org.changed()
    return {}


@organizations("UntagResource")
def untag_resource(call: Call) -> Result:
    org = scope(call)
    resource_id = _resource(org, call.params["ResourceId"], changing=True)
    keys = call.params["TagKeys"]
    if any(key.lower().startswith("aws:") for key in keys):
        raise errors.invalid_input("INVALID_SYSTEM_TAGS_PARAMETER")
    call.db.execute(delete(OrgTag).where(OrgTag.resource_id == resource_id, OrgTag.key.in_(keys)))
    org.changed()
    return {}


@organizations("ListTagsForResource")
def list_tags_for_resource(call: Call) -> Result:
    org = scope(call)
    resource_id = _resource(org, call.params["ResourceId"], changing=False)
    return page(
        call,
        tags_of(call, resource_id),
        lambda t: t.key,
        scope_parts=[resource_id],
        result_member="Tags",
        shape=lambda t: {"Key": t.key, "Value": t.value},
    )

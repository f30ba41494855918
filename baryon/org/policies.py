"""Organizations policies: Create/Describe/Update/DeletePolicy and ListPolicies.

SCP and RCP documents are validated by the policy engine (`MalformedPolicyDocumentException` with its
message) after the size check (`ConstraintViolationException` `POLICY_CONTENT_LIMIT_EXCEEDED`; every
character counts, whitespace included). Tag policies are stored and checked to be a JSON object. The
AWS-managed `FullAWSAccess` and `RCPFullAWSAccess` cannot be changed or deleted (`IMMUTABLE_POLICY`).
"""

from __future__ import annotations

import json

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.org import errors
from baryon.org.common import OrgScope, organizations, page, put_tags, random_suffix, scope
from baryon.org.limits import RCP, SCP, TAG_POLICY, limit, max_chars
from baryon.org.tables import OrgPolicy, OrgPolicyAttachment, OrgTag
from baryon.policy import PolicyError, PolicyKind, parse_policy

POLICY_TYPES = (SCP, RCP, TAG_POLICY)
_KINDS = {SCP: PolicyKind.SCP, RCP: PolicyKind.RCP}
MALFORMED = "The provided policy document does not meet the requirements of the specified policy type."


def check_content(policy_type: str, content: str) -> None:
    if len(content) > max_chars(policy_type):
        raise errors.constraint("POLICY_CONTENT_LIMIT_EXCEEDED")
    kind = _KINDS.get(policy_type)
    if kind is not None:
        try:
            parse_policy(content, kind)
        except PolicyError as exc:
            raise errors.malformed_policy(exc.message) from exc
        return
    try:
        document = json.loads(content)
    except ValueError:
        raise errors.malformed_policy(MALFORMED) from None
    if not isinstance(document, dict):
        raise errors.malformed_policy(MALFORMED)


def _duplicate() -> Exception:
    return errors.error("DuplicatePolicyException", "A policy with the same name already exists.")


def _name_taken(org: OrgScope, policy_type: str, name: str, except_id: str | None = None) -> bool:
    query = select(OrgPolicy.id).where(
        OrgPolicy.type == policy_type,
        OrgPolicy.name == name,
        or_(OrgPolicy.organization_id == org.org_id, OrgPolicy.organization_id.is_(None)),
    )
    return any(policy_id != except_id for policy_id in org.call.db.scalars(query))


def _flush(call: Call) -> None:
    try:
        call.db.flush()
    except IntegrityError:
        raise _duplicate() from None


def policy_shape(org: OrgScope, policy: OrgPolicy) -> Result:
    return {"Policy": {"PolicySummary": org.policy_summary(policy), "Content": policy.content}}


@organizations("CreatePolicy")
def create_policy(call: Call) -> Result:
    org = scope(call)
    db, params = call.db, call.params
    policy_type = params["Type"]
    if policy_type not in POLICY_TYPES:
        raise errors.policy_type_not_available()
    check_content(policy_type, params["Content"])
    count = (
        db.scalar(
            select(func.count())
            .select_from(OrgPolicy)
            .where(OrgPolicy.organization_id == org.org_id, OrgPolicy.type == policy_type)
        )
        or 0
    )
    if count >= limit("MAX_POLICIES"):
        raise errors.constraint("POLICY_NUMBER_LIMIT_EXCEEDED")
    if _name_taken(org, policy_type, params["Name"]):
        raise _duplicate()
    policy = OrgPolicy(
        id=f"p-{random_suffix(10)}",
        organization_id=org.org_id,
        type=policy_type,
        name=params["Name"],
        description=params["Description"],
        content=params["Content"],
        aws_managed=False,
        created_at=call.now,
        updated_at=call.now,
    )
    db.add(policy)
    _flush(call)
    if params.get("Tags"):
        put_tags(call, policy.id, params["Tags"])
    return policy_shape(org, policy)


@organizations("DescribePolicy")
def describe_policy(call: Call) -> Result:
    org = scope(call)
    return policy_shape(org, org.policy(call.params["PolicyId"]))


@organizations("UpdatePolicy")
def update_policy(call: Call) -> Result:
    org = scope(call)
    params = call.params
    policy = org.policy(params["PolicyId"])
    if policy.aws_managed:
        raise errors.invalid_input("IMMUTABLE_POLICY")
    if "Content" in params:
        check_content(policy.type, params["Content"])
        policy.content = params["Content"]
    if "Name" in params and params["Name"] != policy.name:
        if _name_taken(org, policy.type, params["Name"], except_id=policy.id):
            raise _duplicate()
        policy.name = params["Name"]
    if "Description" in params:
        policy.description = params["Description"]
    policy.updated_at = call.now
    _flush(call)
    org.changed()
    return policy_shape(org, policy)


@organizations("DeletePolicy")
def delete_policy(call: Call) -> Result:
    org = scope(call)
    policy = org.policy(call.params["PolicyId"])
    if policy.aws_managed:
        raise errors.invalid_input("IMMUTABLE_POLICY")
    in_use = call.db.scalars(
        select(OrgPolicyAttachment.target_id).where(OrgPolicyAttachment.policy_id == policy.id).limit(1)
    ).first()
    if in_use is not None:
        raise errors.error(
            "PolicyInUseException",
            "The policy is attached to one or more entities. You must "
            "detach it from all roots, OUs, and accounts before performing this operation.",
        )
    for tag in call.db.scalars(select(OrgTag).where(OrgTag.resource_id == policy.id)):
        call.db.delete(tag)
    call.db.delete(policy)
    org.changed()
    return {}


@organizations("ListPolicies")
def list_policies(call: Call) -> Result:
    org = scope(call)
    policy_type = call.params["Filter"]
    policies = list(
        call.db.scalars(
            select(OrgPolicy).where(
                OrgPolicy.type == policy_type,
                or_(OrgPolicy.organization_id == org.org_id, OrgPolicy.organization_id.is_(None)),
            )
        )
    )
    return page(
        call,
        policies,
        lambda p: p.id,
        scope_parts=[policy_type],
        result_member="Policies",
        shape=org.policy_summary,
    )

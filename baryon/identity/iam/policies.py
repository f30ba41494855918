"""Managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy.

Customer-managed policies belong to their account; AWS-managed ones (account `aws`) are visible to every
account and can be attached, but never changed. Attachment counts are per account: only the attachments
to this account's users, groups and roles are counted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, func, or_, select, union_all

from baryon import ids
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, documents, errors, iam, paging
from baryon.identity.iam.tags import checked_tags
from baryon.identity.tables import Group, ManagedPolicy, PolicyAttachment, PolicyVersion, Role, User


def account_principals(account_id: str) -> Any:
    """The ids of every user, group and role of one account (a subquery)."""
    return union_all(
        select(User.id).where(User.account_id == account_id),
        select(Group.id).where(Group.account_id == account_id),
        select(Role.id).where(Role.account_id == account_id),
    )


def _boundary_arns(account_id: str) -> Any:
    return union_all(
        select(User.permissions_boundary_arn).where(
            User.account_id == account_id, User.permissions_boundary_arn.is_not(None)
        ),
        select(Role.permissions_boundary_arn).where(
            Role.account_id == account_id, Role.permissions_boundary_arn.is_not(None)
        ),
    )


def usage(call: Call, rows: list[ManagedPolicy]) -> tuple[dict[str, int], dict[str, int]]:
    """Per policy id: how many of this account's principals attach it, and how many use it as boundary."""
    if not rows:
        return {}, {}
    attached: dict[str, int] = dict(
        call.db.execute(
            select(PolicyAttachment.policy_id, func.count())
            .where(
                PolicyAttachment.policy_id.in_([row.id for row in rows]),
                PolicyAttachment.principal_id.in_(account_principals(call.account_id)),
            )
            .group_by(PolicyAttachment.policy_id)
        )
        .tuples()
        .all()
    )
    by_arn = {row.arn: row.id for row in rows}
    arns = list(by_arn)
    bounded: dict[str, int] = {}
    for table in (User, Role):
        for arn, count in call.db.execute(
            select(table.permissions_boundary_arn, func.count())
            .where(table.account_id == call.account_id, table.permissions_boundary_arn.in_(arns))
            .group_by(table.permissions_boundary_arn)
        ).tuples():
            if arn is not None:
                bounded[by_arn[arn]] = bounded.get(by_arn[arn], 0) + count
    return attached, bounded


def policy_shape(row: ManagedPolicy, attached: int, bounded: int, detail: bool = True) -> dict[str, Any]:
    """A `Policy`; ListPolicies leaves out the description and tags, as AWS does."""
    shape: dict[str, Any] = {
        "PolicyName": row.name,
        "PolicyId": row.id,
        "Arn": row.arn,
        "Path": row.path,
        "DefaultVersionId": row.default_version_id,
        "AttachmentCount": attached,
        "PermissionsBoundaryUsageCount": bounded,
        "IsAttachable": True,
        "CreateDate": row.created_at,
        "UpdateDate": row.updated_at,
    }
    if detail:
        if row.description is not None:
            shape["Description"] = row.description
        if row.tags:
            shape["Tags"] = common.tag_list(row.tags)
    return shape


def shaped(call: Call, row: ManagedPolicy) -> dict[str, Any]:
    attached, bounded = usage(call, [row])
    return policy_shape(row, attached.get(row.id, 0), bounded.get(row.id, 0))


@iam("CreatePolicy")
def create_policy(call: Call) -> Result:
    params = call.params
    name = common.check_name(params["PolicyName"], "policy")
    path = params.get("Path", "/")
    existing = call.db.scalars(
        select(ManagedPolicy.id).where(
            ManagedPolicy.account_id == call.account_id, ManagedPolicy.name_key == common.name_key(name)
        )
    ).first()
    if existing is not None:
        raise errors.policy_already_exists(name)
    document = documents.managed(params["PolicyDocument"])
    row = ManagedPolicy(
        id=ids.unique_id(common.id_prefix("policy")),
        account_id=call.account_id,
        name=name,
        name_key=common.name_key(name),
        path=path,
        arn=common.iam_arn(call.account_id, "policy", path, name),
        description=params.get("Description"),
        default_version_id="v1",
        next_version=2,
        tags=checked_tags(params.get("Tags", [])),
        created_at=call.now,
        updated_at=call.now,
    )
    call.db.add(row)
    common.flush_unique(call, errors.policy_already_exists(name))
    call.db.add(PolicyVersion(policy_id=row.id, version_id="v1", document=document, created_at=call.now))
    return {"Policy": policy_shape(row, 0, 0)}


@iam("GetPolicy")
def get_policy(call: Call) -> Result:
    return {"Policy": shaped(call, common.policy(call, call.params["PolicyArn"]))}


def _listing(call: Call) -> Select[Any]:
    params = call.params
    scope = params.get("Scope", "All")
    owners = {
        "All": (call.account_id, common.AWS_ACCOUNT),
        "AWS": (common.AWS_ACCOUNT,),
        "Local": (call.account_id,),
    }
    statement = select(ManagedPolicy).where(
        ManagedPolicy.account_id.in_(owners[scope]),
        ManagedPolicy.path.startswith(params.get("PathPrefix", "/"), autoescape=True),
    )
    usage_filter = params.get("PolicyUsageFilter")
    if params.get("OnlyAttached") or usage_filter:
        as_policy = ManagedPolicy.id.in_(
            select(PolicyAttachment.policy_id).where(
                PolicyAttachment.principal_id.in_(account_principals(call.account_id))
            )
        )
        as_boundary = ManagedPolicy.arn.in_(_boundary_arns(call.account_id))
        if usage_filter == "PermissionsPolicy":
            statement = statement.where(as_policy)
        elif usage_filter == "PermissionsBoundary":
            statement = statement.where(as_boundary)
        else:
            statement = statement.where(or_(as_policy, as_boundary))
    return statement


@iam("ListPolicies")
def list_policies(call: Call) -> Result:
    params = call.params
    listing = paging.scope(
        call,
        params.get("Scope", "All"),
        bool(params.get("OnlyAttached")),
        params.get("PathPrefix", "/"),
        params.get("PolicyUsageFilter"),
    )
    rows, fields = paging.page_query(call, listing, _listing(call), ManagedPolicy.name_key, ManagedPolicy.id)
    attached, bounded = usage(call, rows)
    policies = [policy_shape(row, attached.get(row.id, 0), bounded.get(row.id, 0), detail=False) for row in rows]
    return {"Policies": policies, **fields}


@iam("DeletePolicy")
def delete_policy(call: Call) -> Result:
    row = common.own_policy(call, call.params["PolicyArn"], "DeletePolicy")
    db = call.db
    in_use = db.scalar(select(func.count()).select_from(PolicyAttachment).where(PolicyAttachment.policy_id == row.id))
    bounded = sum(
        db.scalar(
            select(func.count())
            .select_from(table)
            .where(table.account_id == call.account_id, table.permissions_boundary_arn == row.arn)
        )
        or 0
        for table in (User, Role)
    )
    if in_use or bounded:
        raise errors.delete_conflict("Cannot delete a policy attached to entities.")
    versions = db.scalar(select(func.count()).select_from(PolicyVersion).where(PolicyVersion.policy_id == row.id))
    if (versions or 0) > 1:
        raise errors.delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy."
        )
    db.execute(delete(PolicyVersion).where(PolicyVersion.policy_id == row.id))
    db.delete(row)
    call.runtime.watch.bump(db)
    return {}

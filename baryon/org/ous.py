"""Organizational units and walking the tree: Create/Describe/Update/DeleteOrganizationalUnit,
ListOrganizationalUnitsForParent, ListChildren, ListParents.

OUs nest at most `BARYON_ORG_MAX_OU_DEPTH` (5) levels under the root; names are unique per parent; an OU can
be deleted only when it holds no accounts and no OUs.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.org import errors, tree
from baryon.org.common import organizations, page, put_tags, random_suffix, scope
from baryon.org.limits import limit
from baryon.org.tables import Account, OrganizationalUnit


def _duplicate() -> Exception:
    return errors.error("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")


def _name_taken(call: Call, parent_id: str, name: str, except_id: str | None = None) -> bool:
    query = select(OrganizationalUnit.id).where(
        OrganizationalUnit.parent_id == parent_id, OrganizationalUnit.name == name
    )
    return any(ou_id != except_id for ou_id in call.db.scalars(query))


def _flush(call: Call) -> None:
    try:
        call.db.flush()
    except IntegrityError:
        raise _duplicate() from None


@organizations("CreateOrganizationalUnit")
def create_organizational_unit(call: Call) -> Result:
    org = scope(call)
    db, params = call.db, call.params
    parent_id = org.parent(params["ParentId"])
    name = params["Name"]
    depth = tree.ou_depth(db, parent_id) + 1 if parent_id.startswith("ou-") else 1
    if depth > limit("MAX_OU_DEPTH"):
        raise errors.constraint("OU_DEPTH_LIMIT_EXCEEDED")
    count = (
        db.scalar(
            select(func.count()).select_from(OrganizationalUnit).where(OrganizationalUnit.organization_id == org.org_id)
        )
        or 0
    )
    if count >= limit("MAX_OUS"):
        raise errors.constraint("OU_NUMBER_LIMIT_EXCEEDED")
    if _name_taken(call, parent_id, name):
        raise _duplicate()
    ou = OrganizationalUnit(
        id=f"ou-{org.root.id[2:]}-{random_suffix(8)}",
        organization_id=org.org_id,
        parent_id=parent_id,
        name=name,
        created_at=call.now,
    )
    db.add(ou)
    _flush(call)
    if params.get("Tags"):
        put_tags(call, ou.id, params["Tags"])
    tree.attach_defaults(db, org.org_id, org.root, ou.id)
    org.changed()
    return {"OrganizationalUnit": org.ou_shape(ou)}


@organizations("DescribeOrganizationalUnit")
def describe_organizational_unit(call: Call) -> Result:
    org = scope(call)
    ou = tree.ou_in(call.db, org.org_id, call.params["OrganizationalUnitId"])
    if ou is None:
        raise errors.ou_not_found()
    return {"OrganizationalUnit": org.ou_shape(ou)}


@organizations("UpdateOrganizationalUnit")
def update_organizational_unit(call: Call) -> Result:
    org = scope(call)
    ou = tree.ou_in(call.db, org.org_id, call.params["OrganizationalUnitId"])
    if ou is None:
        raise errors.ou_not_found()
    name = call.params.get("Name")
    if name is not None and name != ou.name:
        if _name_taken(call, ou.parent_id, name, except_id=ou.id):
            raise _duplicate()
        ou.name = name
        _flush(call)
    return {"OrganizationalUnit": org.ou_shape(ou)}


@organizations("DeleteOrganizationalUnit")
def delete_organizational_unit(call: Call) -> Result:
    org = scope(call)
    ou = tree.ou_in(call.db, org.org_id, call.params["OrganizationalUnitId"])
    if ou is None:
        raise errors.ou_not_found()
    if tree.has_children(call.db, ou.id):
        raise errors.error(
            "OrganizationalUnitNotEmptyException",
            "The specified OU is not empty. Move all accounts to another root or to other OUs, "
            "remove all child OUs, and try the operation again.",
        )
    tree.forget_target(call.db, ou.id)
    call.db.delete(ou)
    org.changed()
    return {}


@organizations("ListOrganizationalUnitsForParent")
def list_organizational_units_for_parent(call: Call) -> Result:
    org = scope(call)
    parent_id = org.parent(call.params["ParentId"])
    ous = tree.ous_of(call.db, org.org_id)
    children = [ou for ou in ous.values() if ou.parent_id == parent_id]
    return page(
        call,
        children,
        lambda ou: ou.id,
        scope_parts=[parent_id],
        result_member="OrganizationalUnits",
        shape=lambda ou: org.ou_shape(ou, ous),
    )


@organizations("ListChildren")
def list_children(call: Call) -> Result:
    org = scope(call)
    parent_id = org.parent(call.params["ParentId"])
    child_type = call.params["ChildType"]
    if child_type == "ACCOUNT":
        ids = list(
            call.db.scalars(
                select(Account.id).where(Account.organization_id == org.org_id, Account.parent_id == parent_id)
            )
        )
    else:
        ids = list(
            call.db.scalars(
                select(OrganizationalUnit.id).where(
                    OrganizationalUnit.organization_id == org.org_id,
                    OrganizationalUnit.parent_id == parent_id,
                )
            )
        )
    return page(
        call,
        ids,
        lambda i: i,
        scope_parts=[parent_id, child_type],
        result_member="Children",
        shape=lambda i: {"Id": i, "Type": child_type},
    )


@organizations("ListParents")
def list_parents(call: Call) -> Result:
    org = scope(call)
    child_id = call.params["ChildId"]
    if child_id.startswith("ou-"):
        ou = tree.ou_in(call.db, org.org_id, child_id)
        parent_id = ou.parent_id if ou is not None else None
    else:
        account = tree.account_in(call.db, org.org_id, child_id)
        parent_id = account.parent_id if account is not None else None
    if parent_id is None:
        raise errors.child_not_found()
    parent_type = "ROOT" if parent_id.startswith("r-") else "ORGANIZATIONAL_UNIT"
    return page(
        call,
        [parent_id],
        lambda i: i,
        scope_parts=[child_id],
        result_member="Parents",
        shape=lambda i: {"Id": i, "Type": parent_type},
    )

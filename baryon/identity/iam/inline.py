"""Inline policies embedded in one user, group or role: Put/Get/Delete/List {User,Group,Role}Policy (or
Policies). Their total size per principal is capped (user 2,048, group 5,120, role 10,240 non-whitespace
characters)."""

from __future__ import annotations

from sqlalchemy import select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, documents, errors, iam, paging
from baryon.identity.tables import InlinePolicy

_NOUNS = {"user": "User", "group": "Group", "role": "Role"}


def _owner(call: Call, kind: str) -> tuple[str, str]:
    row = common.principal(call, kind, call.params[f"{_NOUNS[kind]}Name"])
    return row.id, row.name


def _policies(call: Call, kind: str, owner_id: str) -> list[InlinePolicy]:
    return list(
        call.db.scalars(
            select(InlinePolicy).where(InlinePolicy.principal_type == kind, InlinePolicy.principal_id == owner_id)
        )
    )


def _find(call: Call, kind: str, owner_id: str) -> InlinePolicy:
    name = call.params["PolicyName"]
    found = call.db.get(InlinePolicy, (kind, owner_id, name))
    if found is None:
        raise errors.no_such_entity(f"The {kind} policy with name {name} cannot be found.")
    return found


def _put(call: Call, kind: str) -> Result:
    owner_id, owner_name = _owner(call, kind)
    name = call.params["PolicyName"]
    common.check_name(name, "policy")
    others = sum(documents.size(p.document) for p in _policies(call, kind, owner_id) if p.name != name)
    document = documents.inline(call.params["PolicyDocument"], kind, owner_name, others)
    existing = call.db.get(InlinePolicy, (kind, owner_id, name))
    if existing is None:
        call.db.add(InlinePolicy(principal_type=kind, principal_id=owner_id, name=name, document=document))
        common.flush_unique(call, errors.concurrent("The policy was changed by another request; try again."))
    else:
        existing.document = document
    call.runtime.watch.bump(call.db)
    return {}


def _get(call: Call, kind: str) -> Result:
    owner_id, owner_name = _owner(call, kind)
    found = _find(call, kind, owner_id)
    return {
        f"{_NOUNS[kind]}Name": owner_name,
        "PolicyName": found.name,
        "PolicyDocument": common.encode_document(found.document),
    }


def _delete(call: Call, kind: str) -> Result:
    owner_id, _ = _owner(call, kind)
    call.db.delete(_find(call, kind, owner_id))
    call.runtime.watch.bump(call.db)
    return {}


def _list(call: Call, kind: str) -> Result:
    owner_id, _ = _owner(call, kind)
    names = [p.name for p in _policies(call, kind, owner_id)]
    page, fields = paging.page_list(call, paging.scope(call, owner_id), names, lambda name: (name,))
    return {"PolicyNames": page, **fields}


def _register(kind: str) -> None:
    noun = _NOUNS[kind]
    iam(f"Put{noun}Policy")(lambda call: _put(call, kind))
    iam(f"Get{noun}Policy")(lambda call: _get(call, kind))
    iam(f"Delete{noun}Policy")(lambda call: _delete(call, kind))
    iam(f"List{noun}Policies")(lambda call: _list(call, kind))


for _kind in _NOUNS:
    _register(_kind)

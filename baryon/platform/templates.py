"""Environment and service templates: Create/Get/Update/Delete/List EnvironmentTemplate(s) and the same for
ServiceTemplate(s).

Names are unique per account, region and kind. `provisioning` (environment templates) and
`pipelineProvisioning` (service templates) are fixed at creation. A template can be deleted only when it has no
versions left (the API never deletes versions for you; the console does).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.platform.common import (
    ENVIRONMENT,
    SERVICE,
    Kind,
    conflict,
    find_template,
    merged_tags,
    page_of,
    page_size,
    proton,
    read_token,
    template,
    template_shape,
    versions_of,
)
from baryon.platform.tables import ProtonTemplate

_LIST = (
    select(ProtonTemplate)
    .where(
        ProtonTemplate.account_id == bindparam("account_id"),
        ProtonTemplate.region == bindparam("region"),
        ProtonTemplate.kind == bindparam("kind"),
        ProtonTemplate.name > bindparam("after"),
    )
    .order_by(ProtonTemplate.name)
    .limit(bindparam("limit"))
)


def _exists(kind: Kind, name: str) -> Exception:
    return conflict(f"A {kind.noun} with the name {name} already exists.")


def _register(kind: Kind) -> None:
    op = kind.operation

    @proton(f"Create{op}")
    def create(call: Call) -> Result:
        params = call.params
        name = params["name"]
        if find_template(call, kind, name) is not None:
            raise _exists(kind, name)
        row = ProtonTemplate(
            account_id=call.account_id,
            region=call.region,
            kind=kind.name,
            name=name,
            display_name=params.get("displayName"),
            description=params.get("description"),
            encryption_key=params.get("encryptionKey"),
            provisioning=params.get(kind.provisioning_member),
            tags=merged_tags([], params.get("tags") or []),
            created_at=call.now,
            updated_at=call.now,
        )
        call.db.add(row)
        try:
            call.db.flush()
        except IntegrityError:  # created by a concurrent request
            raise _exists(kind, name) from None
        return {kind.member: template_shape(kind, row)}

    @proton(f"Get{op}")
    def get(call: Call) -> Result:
        return {kind.member: template_shape(kind, template(call, kind, call.params["name"]))}

    @proton(f"Update{op}")
    def update(call: Call) -> Result:
        row = template(call, kind, call.params["name"])
        for member, attribute in (("displayName", "display_name"), ("description", "description")):
            if member in call.params:
                setattr(row, attribute, call.params[member])
        row.updated_at = call.now
        return {kind.member: template_shape(kind, row)}

    @proton(f"Delete{op}")
    def delete(call: Call) -> Result:
        row = template(call, kind, call.params["name"])
        remaining = versions_of(call, row)
        if remaining:
            numbers = ", ".join(f"{v.major}.{v.minor}" for v in remaining[:10])
            raise conflict(
                f"The {kind.noun} {row.name} can't be deleted while it has versions ({numbers}). "
                "Delete its major and minor versions first."
            )
        shape = template_shape(kind, row)
        call.db.delete(row)
        return {kind.member: shape}

    @proton(f"List{op}s")
    def list_templates(call: Call) -> Result:
        position = read_token(call, [kind.name])
        size = page_size(call)
        values = {
            "account_id": call.account_id,
            "region": call.region,
            "kind": kind.name,
            "after": str(position[0]) if position else "",
            "limit": size + 1,
        }
        rows = list(call.db.scalars(_LIST, values))
        chunk, token = page_of(call, rows, size, lambda t: [t.name], [kind.name])
        result: Result = {"templates": [template_shape(kind, t, summary=True) for t in chunk]}
        if token:
            result["nextToken"] = token
        return result


_register(ENVIRONMENT)
_register(SERVICE)

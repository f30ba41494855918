"""Template versions: Create/Get/Update/Delete/List EnvironmentTemplateVersion(s) and the same for service
templates.

* Create without `majorVersion` starts a new major (`N+1`.0); with it, the next minor of that major (which must
  exist). The version is stored REGISTRATION_IN_PROGRESS together with a registration job, in one
  transaction; the registration worker (`registration.py`) settles it to DRAFT or REGISTRATION_FAILED.
* `clientToken`: the same token with the same input returns the version the first call created; with other
  input it is a ConflictException.
* Only DRAFT → PUBLISHED. The template's `recommendedVersion` is its highest PUBLISHED version.
* Delete: not while registering or in use (`USAGE_CHECKS`); the template's recommended version only when no
  other version exists; a major's (published) recommended minor only when it is the major's last minor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.platform.common import (
    DRAFT,
    ENVIRONMENT,
    IN_PROGRESS,
    PUBLISHED,
    SERVICE,
    Kind,
    conflict,
    invalid,
    issue_token,
    merged_tags,
    missing_environment,
    page_size,
    proton,
    published_recommended_minor,
    read_token,
    refresh_recommended,
    template,
    version,
    version_number,
    version_shape,
    versions_of,
)
from baryon.platform.tables import ProtonRegistrationJob, ProtonTemplate, ProtonTemplateVersion

UsageCheck = Callable[[Call, Kind, ProtonTemplate, ProtonTemplateVersion], str | None]
USAGE_CHECKS: list[UsageCheck] = []
"""Providers of resources deployed on template versions (environments, service instances, pipelines) append
a check here: it returns what uses the version (e.g. "environment prod"), or None."""


def _digest(params: dict[str, Any]) -> str:
    """What makes two create requests "the same" for the client token: every member but the token."""
    relevant = {k: v for k, v in params.items() if k != "clientToken"}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


def _compatible(call: Call, entries: list[dict[str, str]]) -> list[dict[str, str]]:
    """Service template versions: every compatible environment template must exist, with that major."""
    if not entries:
        raise invalid("A service template version needs at least one compatible environment template.")
    checked: list[dict[str, str]] = []
    for entry in entries:
        name, major = entry["templateName"], entry["majorVersion"]
        problem = missing_environment(call.db, call.account_id, call.region, name, major)
        if problem:
            raise invalid(problem)
        item = {"templateName": name, "majorVersion": major}
        if item not in checked:
            checked.append(item)
    return checked


def _register(kind: Kind) -> None:
    op = kind.operation

    @proton(f"Create{op}Version")
    def create(call: Call) -> Result:
        params = call.params
        parent = template(call, kind, params["templateName"])
        digest, token = _digest(params), params.get("clientToken") or None
        if token is not None:
            query = select(ProtonTemplateVersion).where(
                ProtonTemplateVersion.template_id == parent.id, ProtonTemplateVersion.client_token == token
            )
            earlier = call.db.scalars(query).first()
            if earlier is not None:
                if earlier.request_digest != digest:
                    raise conflict(f"The client token {token} was already used with different parameters.")
                return {kind.version_member: version_shape(kind, parent, earlier, versions_of(call, parent))}
        existing = versions_of(call, parent)
        if params.get("majorVersion") is not None:
            major = version_number(params["majorVersion"])
            minors = [v.minor for v in existing if v.major == major]
            if not minors:
                raise invalid(
                    f"The {kind.noun} {parent.name} has no major version {major}: leave majorVersion out to "
                    "create a new major version."
                )
            minor = max(minors) + 1
        else:
            major, minor = max((v.major for v in existing), default=0) + 1, 0
        compatible: list[dict[str, str]] = []
        sources: list[str] = []
        if kind is SERVICE:
            compatible = _compatible(call, params["compatibleEnvironmentTemplates"])
            sources = list(dict.fromkeys(params.get("supportedComponentSources") or []))
        s3 = params["source"]["s3"]
        row = ProtonTemplateVersion(
            template_id=parent.id,
            major=major,
            minor=minor,
            status=IN_PROGRESS,
            description=params.get("description"),
            source_bucket=s3["bucket"],
            source_key=s3["key"],
            client_token=token,
            request_digest=digest,
            compatible_environments=compatible,
            component_sources=sources,
            tags=merged_tags([], params.get("tags") or []),
            created_at=call.now,
            updated_at=call.now,
        )
        db = call.db
        db.add(row)
        try:
            db.flush()
        except IntegrityError:  # a concurrent create took the same number
            raise conflict(f"Another version of {parent.name} is being created; try again.") from None
        db.add(ProtonRegistrationJob(version_id=row.id, created_at=call.now, attempts=0))
        db.info.setdefault("after_commit", []).append(call.runtime.registrations.wake)
        return {kind.version_member: version_shape(kind, parent, row, [*existing, row])}

    @proton(f"Get{op}Version")
    def get(call: Call) -> Result:
        params = call.params
        parent = template(call, kind, params["templateName"])
        row = version(call, kind, parent, params["majorVersion"], params["minorVersion"])
        return {kind.version_member: version_shape(kind, parent, row, versions_of(call, parent, row.major))}

    @proton(f"Update{op}Version")
    def update(call: Call) -> Result:
        params = call.params
        parent = template(call, kind, params["templateName"])
        row = version(call, kind, parent, params["majorVersion"], params["minorVersion"])
        status = params.get("status")
        if status is not None and status != row.status:
            if not (row.status == DRAFT and status == PUBLISHED):
                raise invalid(
                    f"You can only change the status of a template version from {DRAFT} to {PUBLISHED}; "
                    f"{parent.name}:{row.major}.{row.minor} is {row.status}."
                )
            row.status = PUBLISHED
        if "description" in params:
            row.description = params["description"]
        if kind is SERVICE:
            if params.get("compatibleEnvironmentTemplates") is not None:
                row.compatible_environments = _compatible(call, params["compatibleEnvironmentTemplates"])
            if params.get("supportedComponentSources") is not None:
                row.component_sources = list(dict.fromkeys(params["supportedComponentSources"]))
        row.updated_at = call.now
        call.db.flush()
        refresh_recommended(call, parent)
        return {kind.version_member: version_shape(kind, parent, row, versions_of(call, parent, row.major))}

    @proton(f"Delete{op}Version")
    def delete(call: Call) -> Result:
        params = call.params
        parent = template(call, kind, params["templateName"])
        row = version(call, kind, parent, params["majorVersion"], params["minorVersion"])
        label = f"{parent.name}:{row.major}.{row.minor}"
        if row.status == IN_PROGRESS:
            raise conflict(f"The {kind.noun} version {label} is being registered; delete it once registration ends.")
        for check in USAGE_CHECKS:
            user = check(call, kind, parent, row)
            if user is not None:
                raise conflict(f"The {kind.noun} version {label} can't be deleted: {user} is deployed on it.")
        siblings = versions_of(call, parent)
        others = [v for v in siblings if v.id != row.id]
        if parent.recommended_version == f"{row.major}.{row.minor}" and others:
            raise invalid(
                f"The {kind.noun} version {label} is the Recommended version; it can be deleted only when no "
                "other major or minor versions of the template exist."
            )
        if published_recommended_minor(siblings, row.major) is row and any(v.major == row.major for v in others):
            raise invalid(
                f"The {kind.noun} version {label} is the Recommended minor version of major version {row.major}; "
                "it can be deleted only when no other minor versions of that major version exist."
            )
        shape = version_shape(kind, parent, row, siblings)
        call.db.delete(row)
        call.db.flush()
        refresh_recommended(call, parent)
        return {kind.version_member: shape}

    @proton(f"List{op}Versions")
    def list_versions(call: Call) -> Result:
        params = call.params
        parent = template(call, kind, params["templateName"])
        major = params.get("majorVersion")
        parts = [kind.name, parent.name, major or ""]
        position = read_token(call, parts)
        siblings = versions_of(call, parent)
        rows = [v for v in siblings if major is None or v.major == version_number(major)]
        if position:
            after = (int(position[0] or 0), int(position[1] or 0))
            rows = [v for v in rows if (v.major, v.minor) > after]
        size = page_size(call)
        chunk = rows[:size]
        result: Result = {"templateVersions": [version_shape(kind, parent, v, siblings, summary=True) for v in chunk]}
        if len(rows) > size:
            result["nextToken"] = issue_token(call, parts, [chunk[-1].major, chunk[-1].minor])
        return result


_register(ENVIRONMENT)
_register(SERVICE)

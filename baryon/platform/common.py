"""What the Proton template operations share: the operation table, the two template kinds, errors, ARNs,
lookups, wire shapes and pagination."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer

from baryon.edge.context import Call
from baryon.edge.errors import ServiceError, ValidationFailed
from baryon.edge.operations import Operations, Result
from baryon.edge.pagination import PageTokens, Position
from baryon.platform.tables import ProtonTemplate, ProtonTemplateVersion

proton = Operations("proton")

IN_PROGRESS, FAILED, DRAFT, PUBLISHED = "REGISTRATION_IN_PROGRESS", "REGISTRATION_FAILED", "DRAFT", "PUBLISHED"
REGISTERED = (DRAFT, PUBLISHED)
CUSTOMER_MANAGED = "CUSTOMER_MANAGED"
DEFAULT_PAGE = 100


@dataclass(frozen=True)
class Kind:
    """Environment or service templates: their names on the wire and in messages."""

    name: str  # ENVIRONMENT | SERVICE
    noun: str  # "environment template"
    arn_type: str  # "environment-template"
    operation: str  # "EnvironmentTemplate", as in CreateEnvironmentTemplate
    member: str  # "environmentTemplate"
    provisioning_member: str  # "provisioning" | "pipelineProvisioning"

    @property
    def title(self) -> str:
        return self.noun[0].upper() + self.noun[1:]

    @property
    def version_member(self) -> str:
        return self.member + "Version"


ENVIRONMENT = Kind(
    "ENVIRONMENT", "environment template", "environment-template", "EnvironmentTemplate", "environmentTemplate",
    "provisioning",
)  # fmt: skip
SERVICE = Kind(
    "SERVICE", "service template", "service-template", "ServiceTemplate", "serviceTemplate", "pipelineProvisioning"
)
KINDS = {k.name: k for k in (ENVIRONMENT, SERVICE)}
BY_ARN_TYPE = {k.arn_type: k for k in (ENVIRONMENT, SERVICE)}


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message)


def invalid(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


# -- ARNs and version numbers ---------------------------------------------------------------------------------


def template_arn(kind: Kind, template: ProtonTemplate) -> str:
    return f"arn:aws:proton:{template.region}:{template.account_id}:{kind.arn_type}/{template.name}"


def version_arn(kind: Kind, template: ProtonTemplate, version: ProtonTemplateVersion) -> str:
    return f"{template_arn(kind, template)}:{version.major}.{version.minor}"


def version_number(text: str) -> int:
    """A `TemplateVersionPart` (the model's pattern admits only canonical non-negative integers)."""
    return int(text)


# -- lookups --------------------------------------------------------------------------------------------------


_TEMPLATE = select(ProtonTemplate).where(
    ProtonTemplate.account_id == bindparam("account_id"),
    ProtonTemplate.region == bindparam("region"),
    ProtonTemplate.kind == bindparam("kind"),
    ProtonTemplate.name == bindparam("name"),
)
"""Built once: every deployment request looks its template up (building a statement costs more than running it)."""


def find_template(call: Call, kind: Kind, name: str) -> ProtonTemplate | None:
    params = {"account_id": call.account_id, "region": call.region, "kind": kind.name, "name": name}
    return call.db.scalars(_TEMPLATE, params).first()


def missing_environment(db: Session, account_id: str, region: str, name: str, major: str) -> str | None:
    """Why a service template version can't name `name:major` as a compatible environment template (the
    template must exist with a registered or registering version of that major), or None."""
    env = db.scalars(
        select(ProtonTemplate).where(
            ProtonTemplate.account_id == account_id, ProtonTemplate.region == region,
            ProtonTemplate.kind == ENVIRONMENT.name, ProtonTemplate.name == name,
        )
    ).first()  # fmt: skip
    if env is None:
        return f"The compatible environment template {name} does not exist."
    found = db.scalars(
        select(ProtonTemplateVersion.id).where(
            ProtonTemplateVersion.template_id == env.id, ProtonTemplateVersion.major == int(major),
            ProtonTemplateVersion.status != FAILED,
        )
    ).first()  # fmt: skip
    return None if found is not None else f"The compatible environment template {name} has no major version {major}."


def template(call: Call, kind: Kind, name: str) -> ProtonTemplate:
    found = find_template(call, kind, name)
    if found is None:
        raise not_found(f"The {kind.noun} {name} was not found.")
    return found


_VERSIONS = (
    select(ProtonTemplateVersion)
    .where(ProtonTemplateVersion.template_id == bindparam("template_id"))
    .order_by(ProtonTemplateVersion.major, ProtonTemplateVersion.minor)
)
_VERSIONS_WITHOUT_BUNDLES = _VERSIONS.options(defer(ProtonTemplateVersion.bundle))
"""Built once: every deployment request reads its template's versions."""


def versions_of(
    call: Call, template: ProtonTemplate, major: int | None = None, bundles: bool = True
) -> list[ProtonTemplateVersion]:
    """A template's versions in order; `bundles=False` leaves their bundles (up to 5 MB each) unread."""
    query = _VERSIONS if bundles else _VERSIONS_WITHOUT_BUNDLES
    if major is not None:
        query = query.where(ProtonTemplateVersion.major == major)
    return list(call.db.scalars(query, {"template_id": template.id}))


def version(call: Call, kind: Kind, template: ProtonTemplate, major: str, minor: str) -> ProtonTemplateVersion:
    query = select(ProtonTemplateVersion).where(
        ProtonTemplateVersion.template_id == template.id,
        ProtonTemplateVersion.major == version_number(major),
        ProtonTemplateVersion.minor == version_number(minor),
    )
    found = call.db.scalars(query).first()
    if found is None:
        raise not_found(f"The {kind.noun} version {template.name}:{major}.{minor} was not found.")
    return found


def recommended_minor(versions: Sequence[ProtonTemplateVersion], major: int) -> ProtonTemplateVersion | None:
    """A major's recommended minor: its highest PUBLISHED minor; while none is published, its highest DRAFT
    (AWS shows `recommendedMinorVersion` on a lone draft, see the user guide's register-and-publish steps)."""
    of_major = [v for v in versions if v.major == major]
    for status in (PUBLISHED, DRAFT):
        candidates = [v for v in of_major if v.status == status]
        if candidates:
            return max(candidates, key=lambda v: v.minor)
    return None


def published_recommended_minor(versions: Sequence[ProtonTemplateVersion], major: int) -> ProtonTemplateVersion | None:
    published = [v for v in versions if v.major == major and v.status == PUBLISHED]
    return max(published, key=lambda v: v.minor) if published else None


def refresh_recommended(call: Call, template: ProtonTemplate) -> None:
    """The template's `recommendedVersion`: its highest PUBLISHED version."""
    published = [v for v in versions_of(call, template) if v.status == PUBLISHED]
    best = max(published, key=lambda v: (v.major, v.minor)) if published else None
    template.recommended_version = f"{best.major}.{best.minor}" if best else None


# -- wire shapes ----------------------------------------------------------------------------------------------


def template_shape(kind: Kind, template: ProtonTemplate, summary: bool = False) -> Result:
    shape: Result = {
        "arn": template_arn(kind, template),
        "name": template.name,
        "createdAt": template.created_at,
        "lastModifiedAt": template.updated_at,
    }
    optional = {
        "displayName": template.display_name,
        "description": template.description,
        "recommendedVersion": template.recommended_version,
        kind.provisioning_member: template.provisioning,
    }
    if not summary:
        optional["encryptionKey"] = template.encryption_key
    shape.update({k: v for k, v in optional.items() if v is not None})
    return shape


def version_shape(
    kind: Kind,
    template: ProtonTemplate,
    row: ProtonTemplateVersion,
    siblings: Sequence[ProtonTemplateVersion],
    summary: bool = False,
) -> Result:
    """`siblings`: the template's versions (at least those of `row`'s major), for `recommendedMinorVersion`."""
    shape: Result = {
        "arn": version_arn(kind, template, row),
        "templateName": template.name,
        "majorVersion": str(row.major),
        "minorVersion": str(row.minor),
        "status": row.status,
        "createdAt": row.created_at,
        "lastModifiedAt": row.updated_at,
    }
    recommended = recommended_minor(siblings, row.major)
    optional = {
        "description": row.description,
        "statusMessage": row.status_message,
        "recommendedMinorVersion": str(recommended.minor) if recommended else None,
    }
    if not summary:
        optional["schema"] = row.schema
    shape.update({k: v for k, v in optional.items() if v is not None})
    if kind is SERVICE and not summary:
        shape["compatibleEnvironmentTemplates"] = list(row.compatible_environments or [])
        if row.component_sources:
            shape["supportedComponentSources"] = list(row.component_sources)
    return shape


# -- pagination -----------------------------------------------------------------------------------------------
# Proton's `NextToken` pattern is `^[A-Za-z0-9+=/]+$`: the tamper-evident token of `edge.pagination`
# (URL-safe base64 with a `.`) travels as standard base64.


def _scope(call: Call, parts: Sequence[object]) -> str:
    return "\x1f".join(["proton", str(call.ctx.operation), call.account_id, call.region, *(str(p) for p in parts)])


def issue_token(call: Call, parts: Sequence[object], position: Sequence[str | int | None]) -> str:
    raw = PageTokens(call.runtime.secrets.mac).issue(_scope(call, parts), position)
    return base64.b64encode(raw.encode()).decode("ascii")


def read_token(call: Call, parts: Sequence[object]) -> Position | None:
    token = call.params.get("nextToken")
    if token is None:
        return None
    try:
        raw = base64.b64decode(token, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed(["Invalid nextToken: not returned by an earlier call with these parameters"]) from None
    return PageTokens(call.runtime.secrets.mac).read(_scope(call, parts), raw, "nextToken")


def page_size(call: Call) -> int:
    return int(call.params.get("maxResults") or DEFAULT_PAGE)


def page_of(call: Call, rows: list[Any], size: int, position: Any, parts: Sequence[object]) -> tuple[list[Any], Any]:
    """Split `rows` (fetched with `size + 1` as the limit) into the page and its `nextToken` (or None)."""
    if len(rows) <= size:
        return rows, None
    chunk = rows[:size]
    return chunk, issue_token(call, parts, position(chunk[-1]))


# -- tags -----------------------------------------------------------------------------------------------------

MAX_TAGS = 50


def merged_tags(current: list[Any] | None, added: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    keys = [t["key"] for t in added]
    if len(set(keys)) != len(keys):
        raise invalid("Duplicate tag keys are not allowed.")
    if any(key.lower().startswith("aws:") for key in keys):
        raise invalid("Tag keys with the prefix aws: are reserved for AWS use.")
    kept = [t for t in current or [] if t["key"] not in set(keys)]
    merged = kept + [{"key": t["key"], "value": t["value"]} for t in added]
    if len(merged) > MAX_TAGS:
        raise ServiceError(
            "ServiceQuotaExceededException", f"A resource can have at most {MAX_TAGS} tags; this would make it have "
            f"{len(merged)}.",
        )  # fmt: skip
    return sorted(merged, key=lambda t: t["key"])

"""Managed policy versions: CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
SetDefaultPolicyVersion. A policy keeps at most five versions; the default one is what grants permissions, so
changing it bumps the generation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.iam import common, documents, errors, iam, paging
from baryon.identity.tables import ManagedPolicy, PolicyVersion


def _versions(call: Call, row: ManagedPolicy) -> list[PolicyVersion]:
    return list(call.db.scalars(select(PolicyVersion).where(PolicyVersion.policy_id == row.id)))


def _number(version_id: str) -> int:
    digits = version_id[1:].split(".", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _shape(row: ManagedPolicy, version: PolicyVersion, document: bool) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.version_id == row.default_version_id,
        "CreateDate": version.created_at,
    }
    if document:
        shape["Document"] = common.encode_document(version.document)
    return shape


def _version(call: Call, row: ManagedPolicy, version_id: str) -> PolicyVersion:
    found = call.db.get(PolicyVersion, (row.id, version_id))
    if found is None:
        raise errors.version_not_found(row.arn, version_id)
    return found


@iam("CreatePolicyVersion")
def create_policy_version(call: Call) -> Result:
    row = common.own_policy(call, call.params["PolicyArn"], "CreatePolicyVersion")
    if len(_versions(call, row)) >= errors.VERSIONS_PER_POLICY:
        raise errors.limit_exceeded(
            f"A managed policy can have up to {errors.VERSIONS_PER_POLICY} versions. Before you create a new "
            "version, you must delete an existing version."
        )
    document = documents.managed(call.params["PolicyDocument"])
    version = PolicyVersion(policy_id=row.id, version_id=f"v{row.next_version}", document=document, created_at=call.now)
    call.db.add(version)
    row.next_version += 1
    common.flush_unique(call, errors.concurrent("The policy was changed by another request; try again."))
    if call.params.get("SetAsDefault"):
        row.default_version_id = version.version_id
        row.updated_at = call.now
        call.runtime.watch.bump(call.db)
    return {"PolicyVersion": _shape(row, version, document=False)}


@iam("GetPolicyVersion")
def get_policy_version(call: Call) -> Result:
    row = common.policy(call, call.params["PolicyArn"])
    return {"PolicyVersion": _shape(row, _version(call, row, call.params["VersionId"]), document=True)}


@iam("ListPolicyVersions")
def list_policy_versions(call: Call) -> Result:
    row = common.policy(call, call.params["PolicyArn"])
    page, fields = paging.page_list(
        call,
        paging.scope(call, row.id),
        _versions(call, row),
        lambda v: (-_number(v.version_id), v.version_id),
    )
    return {"Versions": [_shape(row, version, document=False) for version in page], **fields}


@iam("DeletePolicyVersion")
def delete_policy_version(call: Call) -> Result:
    row = common.own_policy(call, call.params["PolicyArn"], "DeletePolicyVersion")
    version = _version(call, row, call.params["VersionId"])
    if version.version_id == row.default_version_id:
        raise errors.delete_conflict("Cannot delete the default version of a policy.")
    call.db.delete(version)
    return {}


@iam("SetDefaultPolicyVersion")
def set_default_policy_version(call: Call) -> Result:
    row = common.own_policy(call, call.params["PolicyArn"], "SetDefaultPolicyVersion")
    version = _version(call, row, call.params["VersionId"])
    if row.default_version_id != version.version_id:
        row.default_version_id = version.version_id
        row.updated_at = call.now
        call.runtime.watch.bump(call.db)
    return {}

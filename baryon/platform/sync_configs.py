"""Template sync configs and sync status: Create/Get/Update/DeleteTemplateSyncConfig, GetTemplateSyncStatus,
GetRepositorySyncStatus, ListRepositorySyncDefinitions.

A *template sync config* makes a template follow a branch of a linked repository: every `v<N>/` directory
under `<subdirectory>/<template>/` is major version N, and each change of its content becomes a new DRAFT minor
version (the loop is `baryon/sync/worker.py`). One config per template; the template and the repository must
exist. Sync status is per template major (GetTemplateSyncStatus's `templateVersion`) and per repository branch.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.platform.common import KINDS, conflict, find_template, invalid, not_found, proton, version_number
from baryon.platform.repositories import find_repository, repository
from baryon.sync.status import attempt_out
from baryon.sync.tables import ProtonRepository, RepositorySyncState, TemplateSyncConfig, TemplateSyncState

TEMPLATE_SYNC = "TEMPLATE_SYNC"


def _shape(row: TemplateSyncConfig, repo: ProtonRepository) -> Result:
    shape: Result = {
        "templateName": row.template_name,
        "templateType": row.template_type,
        "repositoryName": repo.name,
        "repositoryProvider": repo.provider,
        "branch": row.branch,
    }
    if row.subdirectory:
        shape["subdirectory"] = row.subdirectory
    return shape


def _find(call: Call, template_type: str, name: str) -> TemplateSyncConfig | None:
    query = select(TemplateSyncConfig).where(
        TemplateSyncConfig.account_id == call.account_id,
        TemplateSyncConfig.region == call.region,
        TemplateSyncConfig.template_type == template_type,
        TemplateSyncConfig.template_name == name,
    )
    return call.db.scalars(query).first()


def _config(call: Call) -> TemplateSyncConfig:
    params = call.params
    found = _find(call, params["templateType"], params["templateName"])
    if found is None:
        raise not_found(f"No template sync config exists for the {params['templateType'].lower()} template "
                        f"{params['templateName']}.")  # fmt: skip
    return found


def _linked(call: Call) -> ProtonRepository:
    params = call.params
    found = find_repository(call, params["repositoryProvider"], params["repositoryName"])
    if found is None:
        raise invalid(f"The repository {params['repositoryProvider'].lower()}:{params['repositoryName']} is not "
                      "linked to Proton; create it with CreateRepository first.")  # fmt: skip
    return found


def _wake(call: Call) -> None:
    syncs = getattr(call.runtime, "syncs", None)
    if syncs is not None:
        call.db.info.setdefault("after_commit", []).append(syncs.wake)


@proton("CreateTemplateSyncConfig")
def create_template_sync_config(call: Call) -> Result:
    params = call.params
    kind = KINDS[params["templateType"]]
    if find_template(call, kind, params["templateName"]) is None:
        raise invalid(f"The {kind.noun} {params['templateName']} does not exist.")
    repo = _linked(call)
    if _find(call, params["templateType"], params["templateName"]) is not None:
        raise conflict(f"The {kind.noun} {params['templateName']} already has a template sync config.")
    row = TemplateSyncConfig(
        account_id=call.account_id,
        region=call.region,
        template_type=params["templateType"],
        template_name=params["templateName"],
        repository_id=repo.id,
        branch=params["branch"],
        subdirectory=params.get("subdirectory") or None,
        created_at=call.now,
        updated_at=call.now,
    )
    call.db.add(row)
    call.db.flush()
    _wake(call)
    return {"templateSyncConfig": _shape(row, repo)}


@proton("GetTemplateSyncConfig")
def get_template_sync_config(call: Call) -> Result:
    row = _config(call)
    repo = call.db.get(ProtonRepository, row.repository_id)
    assert repo is not None
    return {"templateSyncConfig": _shape(row, repo)}


@proton("UpdateTemplateSyncConfig")
def update_template_sync_config(call: Call) -> Result:
    params = call.params
    row = _config(call)
    repo = _linked(call)
    row.repository_id, row.branch = repo.id, params["branch"]
    if "subdirectory" in params:
        row.subdirectory = params.get("subdirectory") or None
    row.updated_at = call.now
    call.db.flush()
    _wake(call)
    return {"templateSyncConfig": _shape(row, repo)}


@proton("DeleteTemplateSyncConfig")
def delete_template_sync_config(call: Call) -> Result:
    row = _config(call)
    repo = call.db.get(ProtonRepository, row.repository_id)
    assert repo is not None
    result = _shape(row, repo)
    call.db.execute(delete(TemplateSyncState).where(TemplateSyncState.config_id == row.id))
    call.db.delete(row)
    return {"templateSyncConfig": result}


@proton("GetTemplateSyncStatus")
def get_template_sync_status(call: Call) -> Result:
    row = _config(call)
    major = version_number(call.params["templateVersion"])
    state = call.db.scalars(
        select(TemplateSyncState).where(TemplateSyncState.config_id == row.id, TemplateSyncState.major == major)
    ).first()
    if state is None:
        return {}
    result: Result = {}
    if state.latest:
        result["latestSync"] = attempt_out(state.latest)
        result["desiredState"] = state.latest["targetRevision"]
    if state.latest_success:
        result["latestSuccessfulSync"] = attempt_out(state.latest_success)
    return result


@proton("GetRepositorySyncStatus")
def get_repository_sync_status(call: Call) -> Result:
    params = call.params
    repo = repository(call, params["repositoryProvider"], params["repositoryName"])
    if params["syncType"] != TEMPLATE_SYNC:
        return {}
    state = call.db.scalars(
        select(RepositorySyncState).where(
            RepositorySyncState.repository_id == repo.id, RepositorySyncState.branch == params["branch"]
        )
    ).first()
    if state is None or not state.latest:
        return {}
    return {"latestSync": attempt_out(state.latest)}


@proton("ListRepositorySyncDefinitions")
def list_repository_sync_definitions(call: Call) -> Result:
    params = call.params
    repo = find_repository(call, params["repositoryProvider"], params["repositoryName"])
    if repo is None or params["syncType"] != TEMPLATE_SYNC:
        return {"syncDefinitions": []}
    configs = call.db.scalars(
        select(TemplateSyncConfig)
        .where(TemplateSyncConfig.repository_id == repo.id)
        .order_by(TemplateSyncConfig.template_type, TemplateSyncConfig.template_name)
    )
    return {
        "syncDefinitions": [
            {
                "branch": c.branch,
                "directory": c.subdirectory or "/",
                "parent": c.template_name,
                "target": c.template_name,
            }
            for c in configs
        ]
    }

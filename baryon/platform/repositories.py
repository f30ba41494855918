"""Proton repositories: CreateRepository, GetRepository, ListRepositories, DeleteRepository.

A *repository* links a Git repository (`name` is `owner/repo`) to Proton through a CodeStar connection
(`connectionArn`). Template sync (`baryon/sync/`) fetches it from the connection's host at
`<ProviderEndpoint>/<owner>/<repo>`. ARNs: `arn:aws:proton:REGION:ACCOUNT:repository/github:owner/repo`
(the provider in lower case). A repository used by a template sync config can't be deleted.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from baryon.connections.common import find_connection
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.platform import tags
from baryon.platform.common import conflict, invalid, issue_token, merged_tags, not_found, page_size, proton, read_token
from baryon.sync.tables import ProtonRepository, RepositorySyncState, TemplateSyncConfig

PROVIDER_FAMILIES = {
    "GITHUB": ("GitHub", "GitHubEnterpriseServer"),
    "GITHUB_ENTERPRISE": ("GitHubEnterpriseServer", "GitHub"),
    "BITBUCKET": ("Bitbucket",),
}
"""The connection provider types a repository of each Proton provider can go through."""


def repository_arn(row: ProtonRepository) -> str:
    return f"arn:aws:proton:{row.region}:{row.account_id}:repository/{row.provider.lower()}:{row.name}"


def shape(row: ProtonRepository, summary: bool = False) -> Result:
    result: Result = {
        "arn": repository_arn(row),
        "connectionArn": row.connection_arn,
        "name": row.name,
        "provider": row.provider,
    }
    if row.encryption_key and not summary:
        result["encryptionKey"] = row.encryption_key
    return result


def find_repository(call: Call, provider: str, name: str) -> ProtonRepository | None:
    query = select(ProtonRepository).where(
        ProtonRepository.account_id == call.account_id,
        ProtonRepository.region == call.region,
        ProtonRepository.provider == provider,
        ProtonRepository.name == name,
    )
    return call.db.scalars(query).first()


def repository(call: Call, provider: str, name: str) -> ProtonRepository:
    found = find_repository(call, provider, name)
    if found is None:
        raise not_found(f"The repository {provider.lower()}:{name} was not found.")
    return found


@proton("CreateRepository")
def create_repository(call: Call) -> Result:
    params = call.params
    provider, name = params["provider"], params["name"]
    linked = find_connection(call, params["connectionArn"])
    if linked is None:
        raise invalid(f"The connection {params['connectionArn']} does not exist.")
    if linked.provider_type not in PROVIDER_FAMILIES[provider]:
        raise invalid(
            f"The connection {params['connectionArn']} is a {linked.provider_type} connection, not {provider}."
        )
    if find_repository(call, provider, name) is not None:
        raise conflict(f"The repository {provider.lower()}:{name} already exists.")
    row = ProtonRepository(
        account_id=call.account_id,
        region=call.region,
        provider=provider,
        name=name,
        connection_arn=params["connectionArn"],
        encryption_key=params.get("encryptionKey"),
        tags=merged_tags([], params.get("tags") or []),
        created_at=call.now,
    )
    call.db.add(row)
    call.db.flush()
    return {"repository": shape(row)}


@proton("GetRepository")
def get_repository(call: Call) -> Result:
    return {"repository": shape(repository(call, call.params["provider"], call.params["name"]))}


@proton("ListRepositories")
def list_repositories(call: Call) -> Result:
    position = read_token(call, [])
    query = select(ProtonRepository).where(
        ProtonRepository.account_id == call.account_id, ProtonRepository.region == call.region
    )
    rows = sorted(call.db.scalars(query), key=lambda r: (r.provider, r.name))
    if position:
        after = (str(position[0]), str(position[1]))
        rows = [r for r in rows if (r.provider, r.name) > after]
    size = page_size(call)
    chunk = rows[:size]
    result: Result = {"repositories": [shape(r, summary=True) for r in chunk]}
    if len(rows) > size:
        result["nextToken"] = issue_token(call, [], [chunk[-1].provider, chunk[-1].name])
    return result


@proton("DeleteRepository")
def delete_repository(call: Call) -> Result:
    row = repository(call, call.params["provider"], call.params["name"])
    user = call.db.scalars(select(TemplateSyncConfig).where(TemplateSyncConfig.repository_id == row.id)).first()
    if user is not None:
        raise conflict(
            f"The repository {row.provider.lower()}:{row.name} is used by the template sync config of "
            f"{user.template_name}; delete that first."
        )
    result = shape(row)
    call.db.execute(delete(RepositorySyncState).where(RepositorySyncState.repository_id == row.id))
    call.db.delete(row)
    return {"repository": result}


def _tagged(call: Call, arn_type: str, rest: str) -> ProtonRepository | None:
    provider, _, name = rest.partition(":")
    return find_repository(call, provider.upper(), name) if provider.upper() in PROVIDER_FAMILIES else None


tags.FINDERS["repository"] = _tagged

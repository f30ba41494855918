"""The templates pages: environment and service templates, their versions, and template sync.

`/dashboard/templates` lists one page of each kind of template (`ListEnvironmentTemplates`,
`ListServiceTemplates`) and one page of linked repositories (`ListRepositories`) with the sync status of every
branch a template follows (`ListRepositorySyncDefinitions`, `GetRepositorySyncStatus`): the latest sync and
the commit it fetched. `/dashboard/templates/{kind}/{name}` shows one template: its recommended version, a
page of its versions (`List*TemplateVersions`) with each version's status, the recommended minor of each
major, the reason of a REGISTRATION_FAILED, the lint warnings a version registered with (a DRAFT or PUBLISHED
version's status message), and, when the template follows a repository (`GetTemplateSyncConfig`), the sync
status of each major on the page (`GetTemplateSyncStatus`) with the last commit synced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from baryon.web.calls import AwsCalls, CallFailed
from baryon.web.view import View

PAGE_SIZE = 20
VERSIONS_PAGE_SIZE = 50
TEMPLATE_SYNC = "TEMPLATE_SYNC"
KINDS = {"environment": ("ENVIRONMENT", "EnvironmentTemplate"), "service": ("SERVICE", "ServiceTemplate")}
"""URL kind → (Proton's templateType, the operations' noun)."""


@dataclass(frozen=True)
class Listing:
    items: list[dict[str, Any]]
    next_token: str | None = None
    failure: CallFailed | None = None


@dataclass(frozen=True)
class BranchSync:
    """A branch that templates follow, and the latest sync of it."""

    branch: str
    templates: list[str]
    latest: dict[str, Any] | None
    failure: CallFailed | None = None

    @property
    def commit(self) -> str | None:
        """The commit the latest sync fetched (its events carry it)."""
        return _commit((self.latest or {}).get("events"))


@dataclass(frozen=True)
class Repository:
    repository: dict[str, Any]
    branches: list[BranchSync] = field(default_factory=list)
    failure: CallFailed | None = None


@dataclass(frozen=True)
class MajorSync:
    """The sync status of one major version of a template that follows a repository."""

    major: str
    status: dict[str, Any]

    @property
    def last_synced(self) -> str | None:
        return ((self.status.get("latestSuccessfulSync") or {}).get("targetRevision") or {}).get("sha")

    @property
    def latest_commit(self) -> str | None:
        latest = self.status.get("latestSync") or {}
        return (latest.get("targetRevision") or {}).get("sha") or _commit(latest.get("events"))


def _commit(events: list[dict[str, Any]] | None) -> str | None:
    return next((e["externalId"] for e in reversed(events or []) if e.get("externalId")), None)


def _page(calls: AwsCalls, operation: str, member: str, token: str, size: int = PAGE_SIZE, **params: Any) -> Listing:
    try:
        found = calls("proton", operation, maxResults=size, **params, **({"nextToken": token} if token else {}))
    except CallFailed as failure:
        return Listing([], failure=failure)
    return Listing(found[member], found.get("nextToken"))


def _branches(calls: AwsCalls, repository: dict[str, Any]) -> Repository:
    where = {"repositoryName": repository["name"], "repositoryProvider": repository["provider"]}
    try:
        definitions = calls("proton", "ListRepositorySyncDefinitions", syncType=TEMPLATE_SYNC, **where)
    except CallFailed as failure:
        return Repository(repository, failure=failure)
    following: dict[str, list[str]] = {}
    for definition in definitions["syncDefinitions"]:
        following.setdefault(definition["branch"], []).append(definition["target"])
    branches = []
    for branch, templates in sorted(following.items()):
        try:
            status = calls("proton", "GetRepositorySyncStatus", syncType=TEMPLATE_SYNC, branch=branch, **where)
        except CallFailed as failure:
            branches.append(BranchSync(branch, templates, None, failure))
            continue
        branches.append(BranchSync(branch, templates, status.get("latestSync")))
    return Repository(repository, branches)


def templates_page(view: View) -> Response:
    calls = view.calls
    repositories = _page(calls, "ListRepositories", "repositories", view.param("repos"))
    return view.page(
        "templates.html",
        environment=_page(calls, "ListEnvironmentTemplates", "templates", view.param("env")),
        service=_page(calls, "ListServiceTemplates", "templates", view.param("svc")),
        repositories=repositories,
        synced=[_branches(calls, r) for r in repositories.items],
        tokens={name: view.param(name) for name in ("env", "svc", "repos")},
    )


def _sync(
    calls: AwsCalls, template_type: str, name: str, majors: list[str]
) -> tuple[dict[str, Any] | None, list[MajorSync]]:
    """The template's sync config (None when it follows no repository) and the status of each major."""
    try:
        config = calls("proton", "GetTemplateSyncConfig", templateName=name, templateType=template_type)
    except CallFailed as failure:
        if failure.code == "ResourceNotFoundException":
            return None, []
        raise
    statuses = [
        MajorSync(major, calls("proton", "GetTemplateSyncStatus", templateName=name, templateType=template_type,
                               templateVersion=major))
        for major in majors
    ]  # fmt: skip
    return config["templateSyncConfig"], statuses


def template_page(view: View) -> Response:
    kind, name = view.param("kind"), view.param("name")
    if kind not in KINDS:
        return view.page("message.html", status=404, message="There is no such kind of template.")
    template_type, noun = KINDS[kind]
    try:
        template = view.calls("proton", f"Get{noun}", name=name)[noun[0].lower() + noun[1:]]
    except CallFailed as failure:
        return view.page("template.html", status=failure.status, failure=failure, kind=kind, name=name)
    versions = _page(view.calls, f"List{noun}Versions", "templateVersions", view.param("next"), VERSIONS_PAGE_SIZE,
                     templateName=name)  # fmt: skip
    majors = sorted({v["majorVersion"] for v in versions.items}, key=int)
    sync_failure: CallFailed | None = None
    try:
        config, statuses = _sync(view.calls, template_type, name, majors)
    except CallFailed as failure:
        config, statuses, sync_failure = None, [], failure
    return view.page(
        "template.html",
        failure=None,
        kind=kind,
        name=name,
        proton_template=template,
        versions=versions,
        sync_config=config,
        sync_statuses=statuses,
        sync_failure=sync_failure,
    )

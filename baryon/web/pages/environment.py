"""The environment page: its spec, template version, outputs, provisioned resources and deployment history
with each deployment's per-resource events and failure reasons; while a deployment runs, its progress.

Everything comes from the principal's own Proton calls (`GetEnvironment`, `ListEnvironmentOutputs`,
`ListEnvironmentProvisionedResources`, `ListDeployments`, `GetDeployment`), except a deployment's step and
events, which the API does not carry: those are read from the store for deployments `GetDeployment` just
showed the principal (`deployments.recorded`). While the last deployment is IN_PROGRESS, DELETE_IN_PROGRESS
or CANCELLING, the page's progress section refreshes itself every 2 s from `/progress` (the script stops
when the fragment says the deployment ended), so a deployment can be watched without reloading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from baryon.web.calls import CallFailed
from baryon.web.pages.deployments import Recorded, recorded
from baryon.web.pages.fleet import Standing, recommended_versions, standing
from baryon.web.view import View

HISTORY_SIZE = 10
BUSY = frozenset({"IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING"})


@dataclass(frozen=True)
class Listed:
    """A section's items, or why they could not be read."""

    items: list[dict[str, Any]]
    failure: CallFailed | None = None


@dataclass(frozen=True)
class Attempt:
    """A deployment as `GetDeployment` answered, with its step and events from the store."""

    deployment: dict[str, Any]
    recorded: Recorded | None

    @property
    def target(self) -> str:
        return _version(self.deployment.get("targetState"))

    @property
    def initial(self) -> str:
        return _version(self.deployment.get("initialState"))


@dataclass(frozen=True)
class Progress:
    """The environment's deployment status and its last deployment; `environment` None once it is deleted."""

    environment: dict[str, Any] | None
    attempt: Attempt | None = None
    failure: CallFailed | None = None

    @property
    def live(self) -> bool:
        return self.environment is not None and self.environment["deploymentStatus"] in BUSY


def _version(state: dict[str, Any] | None) -> str:
    environment = (state or {}).get("environment") or {}
    if "templateMajorVersion" not in environment:
        return ""
    major, minor = environment["templateMajorVersion"], environment.get("templateMinorVersion", "0")
    return f"{environment.get('templateName', '')} {major}.{minor}"


def _attempts(view: View, ids: list[str]) -> tuple[dict[str, Attempt], CallFailed | None]:
    """`GetDeployment` for each id; the store's step and events for those the principal was shown."""
    shown: list[dict[str, Any]] = []
    refused: CallFailed | None = None
    for deployment_id in ids:
        try:
            shown.append(view.calls("proton", "GetDeployment", id=deployment_id)["deployment"])
        except CallFailed as failure:
            refused = failure
    extra = recorded(view, shown)
    return {d["id"]: Attempt(d, extra.get(d["id"])) for d in shown}, refused


def _listed(view: View, operation: str, member: str, **params: Any) -> Listed:
    try:
        return Listed(view.calls("proton", operation, **params)[member])
    except CallFailed as failure:
        return Listed([], failure)


def _progress(view: View, environment: dict[str, Any], known: dict[str, Attempt]) -> Progress:
    last = environment.get("lastAttemptedDeploymentId")
    if not last:
        return Progress(environment)
    if last not in known:
        found, refused = _attempts(view, [last])
        if refused is not None:
            return Progress(environment, failure=refused)
        known = found
    return Progress(environment, known.get(last))


def _standing(view: View, environment: dict[str, Any]) -> tuple[Standing, str | None]:
    latest = recommended_versions(view.calls, [environment["templateName"]])[environment["templateName"]]
    return standing(environment, latest), "{}.{}".format(*latest) if latest else None


def environment_page(view: View) -> Response:
    name = view.param("name")
    try:
        environment = view.calls("proton", "GetEnvironment", name=name)["environment"]
    except CallFailed as failure:
        return view.page("environment.html", status=failure.status, failure=failure, name=name)
    history_params: dict[str, Any] = {"environmentName": name, "maxResults": HISTORY_SIZE}
    if view.param("history"):
        history_params["nextToken"] = view.param("history")
    try:
        listed = view.calls("proton", "ListDeployments", **history_params)
        history = Listed(listed["deployments"])
        attempts, refused = _attempts(view, [d["id"] for d in listed["deployments"]])
    except CallFailed as failure:
        listed, history, attempts, refused = {}, Listed([], failure), {}, None
    current, recommended = _standing(view, environment)
    return view.page(
        "environment.html",
        failure=None,
        name=name,
        environment=environment,
        standing=current,
        recommended=recommended,
        outputs=_listed(view, "ListEnvironmentOutputs", "outputs", environmentName=name),
        resources=_listed(view, "ListEnvironmentProvisionedResources", "provisionedResources", environmentName=name),
        history=history,
        attempts=attempts,
        attempt_failure=refused,
        history_next=listed.get("nextToken"),
        progress=_progress(view, environment, attempts),
        refreshed=False,
    )


def progress_fragment(view: View) -> Response:
    """The progress section alone, as the page refreshes it."""
    name = view.param("name")
    try:
        environment = view.calls("proton", "GetEnvironment", name=name)["environment"]
    except CallFailed as failure:
        gone = failure.code == "ResourceNotFoundException"
        progress = Progress(None, failure=None if gone else failure)
        return view.page("environment_progress.html", progress=progress, refreshed=True)
    return view.page("environment_progress.html", progress=_progress(view, environment, {}), refreshed=True)

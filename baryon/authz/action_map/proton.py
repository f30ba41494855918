"""Proton: the resource types of each operation, as AWS's IAM authorization reference lists them.

Each operation names the resource types it acts on (a required one, then optional ones that apply only when
the request names them, like a `deploymentId`); operations without resource-level permissions act on `*`.
ARNs follow Proton's shapes: `environment-template/NAME`, `service/SVC/service-instance/NAME`,
`repository/github:owner/repo`, `environment-account-connection/ID`...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from baryon.authz.action_map.tags import tag_context
from baryon.authz.facts import Facts
from baryon.identity.caller import Caller

Params = Mapping[str, Any]


def _first(params: Params, *names: str) -> str | None:
    for name in names:
        if params.get(name):
            return str(params[name])
    return None


def _named(kind: str, *members: str) -> Callable[[Params], str | None]:
    def path(params: Params) -> str | None:
        name = _first(params, *members)
        return f"{kind}/{name}" if name else None

    return path


def _service_instance(params: Params) -> str | None:
    service = params.get("serviceName")
    instance = _first(params, "serviceInstanceName", "name")
    return f"service/{service}/service-instance/{instance}" if service and instance else None


def _repository(params: Params) -> str | None:
    provider = _first(params, "provider", "repositoryProvider")
    name = _first(params, "name", "repositoryName")
    return f"repository/{provider.lower()}:{name}" if provider and name else None


KINDS: dict[str, Callable[[Params], str | None]] = {
    "environment-template": _named("environment-template", "templateName", "name"),
    "service-template": _named("service-template", "templateName", "name"),
    "environment": _named("environment", "environmentName", "name"),
    "service": _named("service", "serviceName", "name"),
    "service-instance": _service_instance,
    "environment-account-connection": _named("environment-account-connection", "id"),
    "repository": _repository,
    "component": _named("component", "componentName", "name"),
    "deployment": _named("deployment", "deploymentId", "id"),
}

_E, _S, _ENV = "environment-template", "service-template", "environment"
_SVC, _SI, _EAC = "service", "service-instance", "environment-account-connection"
_REPO, _COMP, _DEP = "repository", "component", "deployment"

RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "AcceptEnvironmentAccountConnection": (_EAC,),
    "RejectEnvironmentAccountConnection": (_EAC,),
    "GetEnvironmentAccountConnection": (_EAC,),
    "UpdateEnvironmentAccountConnection": (_EAC,),
    "DeleteEnvironmentAccountConnection": (_EAC,),
    "CancelComponentDeployment": (_COMP,),
    "CreateComponent": (_COMP,),
    "GetComponent": (_COMP,),
    "UpdateComponent": (_COMP,),
    "DeleteComponent": (_COMP,),
    "ListComponentOutputs": (_COMP, _DEP),
    "ListComponentProvisionedResources": (_COMP,),
    "ListComponents": (_ENV, _SVC, _SI),
    "CancelEnvironmentDeployment": (_ENV,),
    "CreateEnvironment": (_ENV,),
    "GetEnvironment": (_ENV,),
    "UpdateEnvironment": (_ENV,),
    "DeleteEnvironment": (_ENV,),
    "ListEnvironmentOutputs": (_ENV, _DEP),
    "ListEnvironmentProvisionedResources": (_ENV,),
    "CreateEnvironmentTemplate": (_E,),
    "GetEnvironmentTemplate": (_E,),
    "UpdateEnvironmentTemplate": (_E,),
    "DeleteEnvironmentTemplate": (_E,),
    "CreateEnvironmentTemplateVersion": (_E,),
    "GetEnvironmentTemplateVersion": (_E,),
    "UpdateEnvironmentTemplateVersion": (_E,),
    "DeleteEnvironmentTemplateVersion": (_E,),
    "ListEnvironmentTemplateVersions": (_E,),
    "CreateServiceTemplate": (_S,),
    "GetServiceTemplate": (_S,),
    "UpdateServiceTemplate": (_S,),
    "DeleteServiceTemplate": (_S,),
    "CreateServiceTemplateVersion": (_S,),
    "GetServiceTemplateVersion": (_S,),
    "UpdateServiceTemplateVersion": (_S,),
    "DeleteServiceTemplateVersion": (_S,),
    "ListServiceTemplateVersions": (_S,),
    "CreateRepository": (_REPO,),
    "GetRepository": (_REPO,),
    "DeleteRepository": (_REPO,),
    "CancelServicePipelineDeployment": (_SVC,),
    "CreateService": (_SVC,),
    "GetService": (_SVC,),
    "UpdateService": (_SVC,),
    "DeleteService": (_SVC,),
    "UpdateServicePipeline": (_SVC,),
    "ListServicePipelineOutputs": (_SVC, _DEP),
    "ListServicePipelineProvisionedResources": (_SVC,),
    "CancelServiceInstanceDeployment": (_SI,),
    "CreateServiceInstance": (_SI,),
    "GetServiceInstance": (_SI,),
    "UpdateServiceInstance": (_SI,),
    "ListServiceInstanceOutputs": (_SVC, _SI, _DEP),
    "ListServiceInstanceProvisionedResources": (_SVC, _SI),
    "GetDeployment": (_DEP,),
    "DeleteDeployment": (_DEP,),
}
"""Operations absent from this table (ListEnvironments, GetTemplateSyncConfig, ...) have no resource type."""

BY_ARN = frozenset({"TagResource", "UntagResource", "ListTagsForResource", "NotifyResourceDeploymentStatusChange"})


def resources(operation: str, params: Params, caller: Caller, region: str, facts: Facts) -> tuple[str, ...]:
    if operation in BY_ARN:
        return (str(params["resourceArn"]),)
    prefix = f"arn:aws:proton:{region}:{caller.account_id}:"
    found = []
    for kind in RESOURCE_TYPES.get(operation, ()):
        path = KINDS[kind](params)
        if path is not None:
            found.append(prefix + path)
    return tuple(found) or ("*",)


def context(operation: str, params: Params, facts: Facts) -> dict[str, Any]:
    extra = tag_context(params.get("tags"), key="key", value="value")
    if operation == "CreateEnvironment" and params.get("templateName"):
        extra["proton:EnvironmentTemplate"] = params["templateName"]
    if operation == "CreateService" and params.get("templateName"):
        extra["proton:ServiceTemplate"] = params["templateName"]
    return extra

"""Service templates and their versions: compatible environment templates, component sources, pipelines
(and templates without one), registration, publishing, delete rules and the CLI."""

from __future__ import annotations

import json
from typing import Any

from tests.platform.helpers import (
    fails,
    new_env_template,
    new_env_version,
    proton,
    sample_bundle,
    service_bundle,
    tarball,
    unique,
    upload,
    wait_registered,
)
from tests.servers import RunningServer


def _env_with_major(server: RunningServer) -> str:
    name = new_env_template(server)
    assert new_env_version(server, name)["status"] == "DRAFT"
    return name


def _new_version(server: RunningServer, template: str, data: bytes, compatible: list[dict[str, str]], **extra: Any):
    client = proton(server)
    created = client.create_service_template_version(
        templateName=template, source={"s3": upload(server, data)}, compatibleEnvironmentTemplates=compatible, **extra
    )["serviceTemplateVersion"]
    assert created["status"] == "REGISTRATION_IN_PROGRESS"
    return wait_registered(server, "service", template, created["majorVersion"], created["minorVersion"])


def test_service_template_version_lifecycle(server: RunningServer) -> None:
    client = proton(server)
    env = _env_with_major(server)
    name = unique("svc")
    created = client.create_service_template(name=name, displayName="Queue service")["serviceTemplate"]
    assert created["arn"] == f"arn:aws:proton:{server.region}:{server.account_id}:service-template/{name}"
    assert "pipelineProvisioning" not in created

    compatible = [{"templateName": env, "majorVersion": "1"}]
    version = _new_version(server, name, service_bundle(), compatible, supportedComponentSources=["DIRECTLY_DEFINED"])
    assert version["status"] == "DRAFT", version.get("statusMessage")
    assert version["arn"].endswith(f":service-template/{name}:1.0")
    assert version["compatibleEnvironmentTemplates"] == compatible
    assert version["supportedComponentSources"] == ["DIRECTLY_DEFINED"]
    assert "SvcInput" in version["schema"]

    client.update_service_template_version(templateName=name, majorVersion="1", minorVersion="0", status="PUBLISHED")
    assert client.get_service_template(name=name)["serviceTemplate"]["recommendedVersion"] == "1.0"
    summaries = client.list_service_template_versions(templateName=name)["templateVersions"]
    assert [(s["majorVersion"], s["status"]) for s in summaries] == [("1", "PUBLISHED")]
    assert name in [t["name"] for t in client.list_service_templates()["templates"]]

    code, message = fails(client.delete_service_template, name=name)
    assert code == "ConflictException" and "has versions (1.0)" in message
    client.delete_service_template_version(templateName=name, majorVersion="1", minorVersion="0")
    client.delete_service_template(name=name)
    assert fails(client.get_service_template, name=name)[0] == "ResourceNotFoundException"


def test_compatible_environment_templates_must_exist(server: RunningServer) -> None:
    client = proton(server)
    env = _env_with_major(server)
    name = unique("svc")
    client.create_service_template(name=name)
    source = {"s3": upload(server, service_bundle())}
    missing = unique("nope")
    unknown = [{"templateName": missing, "majorVersion": "1"}]
    code, message = fails(
        client.create_service_template_version, templateName=name, source=source, compatibleEnvironmentTemplates=unknown
    )
    assert code == "ValidationException" and f"environment template {missing} does not exist" in message
    code, message = fails(
        client.create_service_template_version,
        templateName=name, source=source, compatibleEnvironmentTemplates=[{"templateName": env, "majorVersion": "2"}],
    )  # fmt: skip
    assert code == "ValidationException" and "has no major version 2" in message
    assert client.list_service_template_versions(templateName=name)["templateVersions"] == []

    version = _new_version(server, name, service_bundle(), [{"templateName": env, "majorVersion": "1"}])
    code, _ = fails(
        client.update_service_template_version,
        templateName=name, majorVersion="1", minorVersion="0",
        compatibleEnvironmentTemplates=[{"templateName": missing, "majorVersion": "1"}],
    )  # fmt: skip
    assert code == "ValidationException"
    assert version["compatibleEnvironmentTemplates"] == [{"templateName": env, "majorVersion": "1"}]


def test_customer_managed_pipeline_needs_no_pipeline_in_the_bundle(server: RunningServer) -> None:
    client = proton(server)
    env = _env_with_major(server)
    name = unique("nopipe")
    created = client.create_service_template(name=name, pipelineProvisioning="CUSTOMER_MANAGED")["serviceTemplate"]
    assert created["pipelineProvisioning"] == "CUSTOMER_MANAGED"
    version = _new_version(server, name, service_bundle(pipeline=False), [{"templateName": env, "majorVersion": "1"}])
    assert version["status"] == "DRAFT", version.get("statusMessage")


def test_service_bundle_is_checked_as_a_service_bundle(server: RunningServer) -> None:
    client = proton(server)
    env = _env_with_major(server)
    name = unique("svc")
    client.create_service_template(name=name)
    bad = tarball({"schema/schema.yaml": 'schema:\n  format:\n    openapi: "3.0.0"\n  types: {}\n'})
    failed = _new_version(server, name, bad, [{"templateName": env, "majorVersion": "1"}])
    assert failed["status"] == "REGISTRATION_FAILED"
    assert "is not a valid service template bundle: " in failed["statusMessage"]


def test_sample_service_bundle_with_the_cli(server: RunningServer) -> None:
    env_data = sample_bundle("loadbalanced-fargate-svc/loadbalanced-fargate-env/v1")
    svc_data = sample_bundle("loadbalanced-fargate-svc/loadbalanced-fargate-svc/v1")
    env = new_env_template(server)
    assert new_env_version(server, env, env_data)["status"] == "DRAFT"
    name = unique("lbsvc")
    server.aws("proton", "create-service-template", "--name", name, "--display-name", "LB Fargate")
    source = upload(server, svc_data)
    created = server.aws_json(
        "proton", "create-service-template-version", "--template-name", name,
        "--source", f"s3={{bucket={source['bucket']},key={source['key']}}}",
        "--compatible-environment-templates", json.dumps([{"templateName": env, "majorVersion": "1"}]),
    )["serviceTemplateVersion"]  # fmt: skip
    assert created["status"] == "REGISTRATION_IN_PROGRESS"
    server.aws(
        "proton", "wait", "service-template-version-registered",
        "--template-name", name, "--major-version", "1", "--minor-version", "0",
    )  # fmt: skip
    got = server.aws_json(
        "proton",
        "get-service-template-version",
        "--template-name",
        name,
        "--major-version",
        "1",
        "--minor-version",
        "0",
    )["serviceTemplateVersion"]
    assert got["status"] == "DRAFT", got.get("statusMessage")
    published = server.aws_json(
        "proton", "update-service-template-version", "--template-name", name,
        "--major-version", "1", "--minor-version", "0", "--status", "PUBLISHED",
    )["serviceTemplateVersion"]  # fmt: skip
    assert published["status"] == "PUBLISHED"


def test_checker_warnings_show_in_the_draft_status_message(server: RunningServer) -> None:
    env = _env_with_major(server)
    name = unique("backend")
    proton(server).create_service_template(name=name)
    data = sample_bundle("service-templates/backend-fargate-svc/v1")
    version = _new_version(server, name, data, [{"templateName": env, "majorVersion": "1"}])
    assert version["status"] == "DRAFT", version.get("statusMessage")
    assert version["statusMessage"].startswith("Registered with ")
    assert "W3011" in version["statusMessage"]

"""Template sync end to end: a `file://` host holding a Git repository built with dulwich, a connection, a
Proton repository, an environment template following a branch; commits become template versions."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from dulwich import porcelain
from dulwich.repo import Repo

from tests.platform.helpers import (
    CFN_MANIFEST,
    ENV_CFN,
    ENV_SCHEMA,
    OPTIONAL_INPUT,
    PIPELINE_INPUTS,
    PIPELINE_TYPE,
    SERVICE_SCHEMA,
    SVC_CFN,
)
from tests.servers import RunningServer


def _commit(repo_dir: Path, files: dict[str, str], message: str) -> str:
    for path, text in files.items():
        target = repo_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    porcelain.add(str(repo_dir), paths=[str(repo_dir / p) for p in files])
    sha = porcelain.commit(str(repo_dir), message=message.encode(), author=b"T <t@example.com>",
                           committer=b"T <t@example.com>")  # fmt: skip
    return sha.decode()


def _bundle(template: str, major: int, extra: str = "") -> dict[str, str]:
    base = f"templates/{template}/v{major}"
    return {
        f"{base}/schema/schema.yaml": ENV_SCHEMA.format(extra=extra),
        f"{base}/infrastructure/manifest.yaml": CFN_MANIFEST,
        f"{base}/infrastructure/cloudformation.yaml": ENV_CFN,
    }


def _wait(probe: Any, what: str, timeout: float = 60, server: RunningServer | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    log = server.log()[-3000:] if server is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{log}")


def _link(server: RunningServer, endpoint: str, repository: str) -> None:
    """Host, connection and Proton repository, through the CLI as a user types them."""
    host = server.aws_json(
        "codestar-connections", "create-host", "--name", f"h-{secrets.token_hex(3)}",
        "--provider-type", "GitHubEnterpriseServer", "--cli-input-json", json.dumps({"ProviderEndpoint": endpoint}),
    )  # fmt: skip
    connection = server.aws_json(
        "codestar-connections", "create-connection", "--connection-name", f"c-{secrets.token_hex(3)}",
        "--host-arn", host["HostArn"],
    )  # fmt: skip
    repo = server.aws_json(
        "proton", "create-repository", "--provider", "GITHUB_ENTERPRISE", "--name", repository,
        "--connection-arn", connection["ConnectionArn"],
    )["repository"]  # fmt: skip
    assert repo["arn"].endswith(f":repository/github_enterprise:{repository}")


def _versions(proton: Any, template: str) -> list[tuple[str, str, str]]:
    listed = proton.list_environment_template_versions(templateName=template)["templateVersions"]
    return [(v["majorVersion"], v["minorVersion"], v["status"]) for v in listed]


def _fetched(proton: Any, repository: str, sha: str) -> bool:
    status = proton.get_repository_sync_status(
        repositoryName=repository, repositoryProvider="GITHUB_ENTERPRISE", branch="master", syncType="TEMPLATE_SYNC"
    )
    events = status.get("latestSync", {}).get("events", [])
    return any(e.get("externalId") == sha for e in events)


def test_commits_become_template_versions(sync_server: RunningServer, tmp_path: Path) -> None:
    server, proton = sync_server, sync_server.client("proton")
    owner, name, template = "acme", f"tpl-{secrets.token_hex(3)}", f"env{secrets.token_hex(3)}"
    repository = f"{owner}/{name}"
    repo_dir = tmp_path / owner / name
    repo_dir.mkdir(parents=True)
    porcelain.init(str(repo_dir)).close()
    _commit(repo_dir, {"README.md": "templates\n"}, "start")
    branch = Repo(str(repo_dir)).refs.follow(b"HEAD")[0][-1].decode().removeprefix("refs/heads/")
    assert branch == "master"

    _link(server, f"file://{tmp_path}", repository)
    proton.create_environment_template(name=template)
    proton.create_template_sync_config(
        templateName=template, templateType="ENVIRONMENT", repositoryName=repository,
        repositoryProvider="GITHUB_ENTERPRISE", branch=branch, subdirectory="templates",
    )  # fmt: skip
    definitions = proton.list_repository_sync_definitions(
        repositoryName=repository, repositoryProvider="GITHUB_ENTERPRISE", syncType="TEMPLATE_SYNC"
    )["syncDefinitions"]
    assert definitions == [{"branch": branch, "directory": "templates", "parent": template, "target": template}]

    first = _commit(repo_dir, _bundle(template, 1), "v1")
    _wait(lambda: ("1", "0", "DRAFT") in _versions(proton, template), "1.0 DRAFT", server=server)
    status = proton.get_template_sync_status(templateName=template, templateType="ENVIRONMENT", templateVersion="1")
    assert status["latestSync"]["status"] == "SUCCEEDED" and status["desiredState"]["sha"] == first
    proton.update_environment_template_version(
        templateName=template, majorVersion="1", minorVersion="0", status="PUBLISHED"
    )

    _commit(repo_dir, _bundle(template, 1, OPTIONAL_INPUT), "v1 with an optional input")
    _wait(lambda: ("1", "1", "DRAFT") in _versions(proton, template), "1.1 DRAFT")

    unchanged = _commit(repo_dir, {"README.md": "templates, synced\n"}, "docs only")
    _wait(lambda: _fetched(proton, repository, unchanged), "the unchanged commit fetched")
    time.sleep(2)
    assert _versions(proton, template) == [("1", "0", "PUBLISHED"), ("1", "1", "DRAFT")]

    _commit(repo_dir, _bundle(template, 2), "v2")
    _wait(lambda: ("2", "0", "DRAFT") in _versions(proton, template), "2.0 DRAFT")
    assert len(_versions(proton, template)) == 3


def test_restart_resumes_without_registering_again(sync_server: RunningServer, tmp_path: Path) -> None:
    server, proton = sync_server, sync_server.client("proton")
    name, template = f"tpl-{secrets.token_hex(3)}", f"env{secrets.token_hex(3)}"
    repo_dir = tmp_path / "acme" / name
    repo_dir.mkdir(parents=True)
    porcelain.init(str(repo_dir)).close()
    _commit(repo_dir, _bundle(template, 1), "v1")
    _link(server, f"file://{tmp_path}", f"acme/{name}")
    proton.create_environment_template(name=template)
    proton.create_template_sync_config(
        templateName=template, templateType="ENVIRONMENT", repositoryName=f"acme/{name}",
        repositoryProvider="GITHUB_ENTERPRISE", branch="master", subdirectory="templates",
    )  # fmt: skip
    _wait(lambda: _versions(proton, template) == [("1", "0", "DRAFT")], "1.0 DRAFT")
    server.restart()
    proton = server.client("proton")
    time.sleep(3)
    assert _versions(proton, template) == [("1", "0", "DRAFT")]


def test_unreachable_host_shows_on_the_sync_status(sync_server: RunningServer, tmp_path: Path) -> None:
    server, proton = sync_server, sync_server.client("proton")
    repository, template = f"acme/gone-{secrets.token_hex(3)}", f"env{secrets.token_hex(3)}"
    _link(server, f"file://{tmp_path}/nowhere", repository)
    proton.create_environment_template(name=template)
    proton.create_template_sync_config(
        templateName=template, templateType="ENVIRONMENT", repositoryName=repository,
        repositoryProvider="GITHUB_ENTERPRISE", branch="main",
    )  # fmt: skip

    def failed() -> Any:
        latest = proton.get_repository_sync_status(
            repositoryName=repository, repositoryProvider="GITHUB_ENTERPRISE", branch="main", syncType="TEMPLATE_SYNC"
        ).get("latestSync")
        return latest if latest and latest["status"] == "FAILED" else None

    latest = _wait(failed, "a failed repository sync")
    assert "Fetching" in latest["events"][0]["event"] and "retrying" in latest["events"][0]["event"]
    assert _versions(proton, template) == []


def _service_bundle(template: str, major: int, registration: str | None) -> dict[str, str]:
    base = f"templates/{template}/v{major}"
    files = {
        f"{base}/schema/schema.yaml": SERVICE_SCHEMA.format(
            pipeline_type=PIPELINE_TYPE, pipeline_inputs=PIPELINE_INPUTS
        ),
        f"{base}/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
        f"{base}/instance_infrastructure/cloudformation.yaml": SVC_CFN,
        f"{base}/pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
        f"{base}/pipeline_infrastructure/cloudformation.yaml": SVC_CFN,
    }
    if registration is not None:
        files[f"{base}/.template-registration.yaml"] = registration
    return files


def test_service_templates_sync_with_their_registration_file(sync_server: RunningServer, tmp_path: Path) -> None:
    server, proton = sync_server, sync_server.client("proton")
    name, env, svc = f"tpl-{secrets.token_hex(3)}", f"env{secrets.token_hex(3)}", f"svc{secrets.token_hex(3)}"
    repo_dir = tmp_path / "acme" / name
    repo_dir.mkdir(parents=True)
    porcelain.init(str(repo_dir)).close()
    registration = f"compatible_environments:\n  - {env}:1\nsupported_component_sources:\n  - DIRECTLY_DEFINED\n"
    _commit(repo_dir, {**_bundle(env, 1), **_service_bundle(svc, 1, registration),
                       **_service_bundle(svc, 2, None)}, "an environment and a service")  # fmt: skip
    _link(server, f"file://{tmp_path}", f"acme/{name}")
    proton.create_environment_template(name=env)
    proton.create_service_template(name=svc)
    for template, kind in ((env, "ENVIRONMENT"), (svc, "SERVICE")):
        proton.create_template_sync_config(
            templateName=template, templateType=kind, repositoryName=f"acme/{name}",
            repositoryProvider="GITHUB_ENTERPRISE", branch="master", subdirectory="templates",
        )  # fmt: skip

    def service_versions() -> dict[str, dict[str, Any]]:
        listed = proton.list_service_template_versions(templateName=svc)["templateVersions"]
        return {
            f"{v['majorVersion']}.{v['minorVersion']}": v for v in listed if v["status"] != "REGISTRATION_IN_PROGRESS"
        }

    versions = _wait(lambda: (found := service_versions()) and len(found) == 2 and found, "2 service versions")
    assert versions["1.0"]["status"] == "DRAFT", versions["1.0"].get("statusMessage")
    got = proton.get_service_template_version(templateName=svc, majorVersion="1", minorVersion="0")
    assert got["serviceTemplateVersion"]["compatibleEnvironmentTemplates"] == [
        {"templateName": env, "majorVersion": "1"}
    ]
    assert got["serviceTemplateVersion"]["supportedComponentSources"] == ["DIRECTLY_DEFINED"]
    assert versions["2.0"]["status"] == "REGISTRATION_FAILED"
    assert "compatible_environments" in versions["2.0"]["statusMessage"]
    status = proton.get_template_sync_status(templateName=svc, templateType="SERVICE", templateVersion="2")
    assert status["latestSync"]["status"] == "FAILED"
    assert "compatible_environments" in status["latestSync"]["events"][0]["event"]


def test_a_broken_bundle_fails_its_sync_and_the_fix_registers(sync_server: RunningServer, tmp_path: Path) -> None:
    server, proton = sync_server, sync_server.client("proton")
    name, template = f"tpl-{secrets.token_hex(3)}", f"env{secrets.token_hex(3)}"
    repo_dir = tmp_path / "acme" / name
    repo_dir.mkdir(parents=True)
    porcelain.init(str(repo_dir)).close()
    broken = {**_bundle(template, 1), f"templates/{template}/v1/schema/schema.yaml": "schema: [unclosed\n"}
    bad = _commit(repo_dir, broken, "a schema that is not YAML")
    _link(server, f"file://{tmp_path}", f"acme/{name}")
    proton.create_environment_template(name=template)
    proton.create_template_sync_config(
        templateName=template, templateType="ENVIRONMENT", repositoryName=f"acme/{name}",
        repositoryProvider="GITHUB_ENTERPRISE", branch="master", subdirectory="templates",
    )  # fmt: skip

    def latest() -> dict[str, Any] | None:
        try:
            found = proton.get_template_sync_status(
                templateName=template, templateType="ENVIRONMENT", templateVersion="1"
            )
        except proton.exceptions.ResourceNotFoundException:
            return None
        return found.get("latestSync")

    failed = _wait(lambda: (found := latest()) and found["targetRevision"]["sha"] == bad and found, "a failed sync")
    assert failed["status"] == "FAILED"
    assert "schema/schema.yaml" in failed["events"][0]["event"] and failed["events"][0]["externalId"] == bad
    assert _versions(proton, template) == [("1", "0", "REGISTRATION_FAILED")]

    fixed = _commit(repo_dir, _bundle(template, 1), "fix the schema")
    _wait(lambda: ("1", "1", "DRAFT") in _versions(proton, template), "the fixed bundle registered as 1.1")
    assert _versions(proton, template) == [("1", "0", "REGISTRATION_FAILED"), ("1", "1", "DRAFT")]
    status = proton.get_template_sync_status(templateName=template, templateType="ENVIRONMENT", templateVersion="1")
    assert (
        status["latestSync"]["status"] == "SUCCEEDED"
        and status["latestSuccessfulSync"]["targetRevision"]["sha"] == fixed
    )

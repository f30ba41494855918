"""Every Jinja bundle of the public samples registers through a running server, both ways a platform team
delivers bundles: as a tarball in S3 (CreateXTemplateVersion) and from a Git repository (template sync).

The bundles go in unchanged. For template sync, a service major also needs `.template-registration.yaml`
naming compatible environment templates of *this* account; the samples' own files name their authors'
templates, so the test writes one naming an environment template it registered first, as a team migrating
its repository would. The samples that are meant to be broken (the template checker's invalid bundles) must
fail registration with the reason.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.platform.helpers import proton, tarball, upload, wait_registered
from tests.servers import RunningServer
from tests.sync.gitrepos import commit, init
from tests.templates.fixtures import REFUSED, SAMPLES, bundle_dirs, bundle_id, files_of

SYNC_TIMEOUT = 240


def _jinja_bundles() -> list[Path]:
    """Sample bundles whose every manifest renders with Jinja."""
    found = []
    for directory in bundle_dirs():
        engines = set()
        for manifest in directory.glob("*/manifest.yaml"):
            for part in (yaml.safe_load(manifest.read_text()) or {}).values():
                engines.update(str(t.get("rendering_engine")) for t in part.get("templates", []))
        if engines == {"jinja"}:
            found.append(directory)
    return found


def _is_service(directory: Path) -> bool:
    return (directory / "instance_infrastructure").is_dir()


def _expected_failure(directory: Path) -> str | None:
    return REFUSED.get(bundle_id(directory))


def _names(bundles: list[Path]) -> dict[Path, str]:
    suffix = secrets.token_hex(3)
    return {d: f"s{i:02d}-{suffix}" for i, d in enumerate(bundles)}


@pytest.fixture(scope="module")
def bundles() -> list[Path]:
    if not SAMPLES.is_dir():
        pytest.skip(f"sample bundles not found at {SAMPLES}")
    found = _jinja_bundles()
    assert len(found) >= 25, "the samples hold 27 Jinja bundles"
    return found


def _create_templates(client: Any, names: dict[Path, str]) -> None:
    for directory, name in names.items():
        if _is_service(directory):
            pipeline = (directory / "pipeline_infrastructure").is_dir()
            extra = {} if pipeline else {"pipelineProvisioning": "CUSTOMER_MANAGED"}
            client.create_service_template(name=name, **extra)
        else:
            client.create_environment_template(name=name)


def _base_environment(server: RunningServer, bundles: list[Path]) -> str:
    """A registered environment template (the first environment sample) that service majors name."""
    client = proton(server)
    first = next(d for d in bundles if not _is_service(d) and not _expected_failure(d))
    name = f"base-{secrets.token_hex(3)}"
    client.create_environment_template(name=name)
    source = upload(server, tarball(files_of(first), top="v1"))
    created = client.create_environment_template_version(templateName=name, source={"s3": source})
    assert created["environmentTemplateVersion"]["majorVersion"] == "1"
    assert wait_registered(server, "environment", name, "1", "0")["status"] == "DRAFT"
    return name


def _check(directory: Path, version: dict[str, Any]) -> None:
    expected = _expected_failure(directory)
    if expected:
        assert version["status"] == "REGISTRATION_FAILED", bundle_id(directory)
        assert expected in version["statusMessage"], version["statusMessage"]
    else:
        assert version["status"] == "DRAFT", f"{bundle_id(directory)}: {version.get('statusMessage')}"


def test_every_jinja_sample_registers_from_a_tarball(server: RunningServer, bundles: list[Path]) -> None:
    client, names = proton(server), _names(bundles)
    base = _base_environment(server, bundles)
    _create_templates(client, names)
    for directory, name in names.items():
        source = {"s3": upload(server, tarball(files_of(directory), top=directory.name))}
        if _is_service(directory):
            compatible = [{"templateName": base, "majorVersion": "1"}]
            client.create_service_template_version(
                templateName=name, source=source, compatibleEnvironmentTemplates=compatible
            )
        else:
            client.create_environment_template_version(templateName=name, source=source)
    for directory, name in names.items():
        kind = "service" if _is_service(directory) else "environment"
        _check(directory, wait_registered(server, kind, name, "1", "0"))


def test_every_jinja_sample_registers_from_a_git_repository(
    server: RunningServer, bundles: list[Path], tmp_path: Path
) -> None:
    client, names = proton(server), _names(bundles)
    base = _base_environment(server, bundles)
    repo = f"samples/all-{secrets.token_hex(3)}"
    repo_dir = init(tmp_path / repo)
    files: dict[str, str | bytes] = {}
    for directory, name in names.items():
        for path, data in files_of(directory).items():
            files[f"templates/{name}/v1/{path}"] = data
        if _is_service(directory):
            files[f"templates/{name}/v1/.template-registration.yaml"] = f"compatible_environments:\n  - {base}:1\n"
    head = commit(repo_dir, files, "every sample bundle")

    host = server.client("codestar-connections").create_host(
        Name=f"h-{secrets.token_hex(3)}", ProviderType="GitHubEnterpriseServer", ProviderEndpoint=f"file://{tmp_path}"
    )
    connection = server.client("codestar-connections").create_connection(
        ConnectionName=f"c-{secrets.token_hex(3)}", HostArn=host["HostArn"]
    )
    client.create_repository(provider="GITHUB_ENTERPRISE", name=repo, connectionArn=connection["ConnectionArn"])
    _create_templates(client, names)
    for directory, name in names.items():
        client.create_template_sync_config(
            templateName=name, templateType="SERVICE" if _is_service(directory) else "ENVIRONMENT",
            repositoryName=repo, repositoryProvider="GITHUB_ENTERPRISE", branch="master", subdirectory="templates",
        )  # fmt: skip

    def registered() -> dict[Path, dict[str, Any]]:
        found = {}
        for directory, name in names.items():
            lister = client.list_service_template_versions if _is_service(directory) else (
                client.list_environment_template_versions)  # fmt: skip
            versions = lister(templateName=name)["templateVersions"]
            if versions and versions[0]["status"] != "REGISTRATION_IN_PROGRESS":
                found[directory] = versions[0]
        return found

    deadline = time.monotonic() + SYNC_TIMEOUT
    while len(found := registered()) < len(names) and time.monotonic() < deadline:
        time.sleep(1)
    missing = sorted(bundle_id(d) for d in names if d not in found)
    assert not missing, f"not synced in {SYNC_TIMEOUT} s: {missing}\n{server.log()[-3000:]}"
    for directory, name in names.items():
        kind = "SERVICE" if _is_service(directory) else "ENVIRONMENT"
        listed = found[directory]
        version = dict(listed, statusMessage=_status_message(client, kind, name, listed))
        _check(directory, version)
        sync = client.get_template_sync_status(templateName=name, templateType=kind, templateVersion="1")
        assert sync["desiredState"]["sha"] == head, json.dumps(sync, default=str)


def _status_message(client: Any, kind: str, name: str, listed: dict[str, Any]) -> str:
    getter = client.get_service_template_version if kind == "SERVICE" else client.get_environment_template_version
    member = "serviceTemplateVersion" if kind == "SERVICE" else "environmentTemplateVersion"
    got = getter(templateName=name, majorVersion=listed["majorVersion"], minorVersion=listed["minorVersion"])
    return str(got[member].get("statusMessage", ""))

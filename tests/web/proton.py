"""Proton steps of the dashboard's tests: published templates, environments, connections, a synced repository."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from dulwich import porcelain

from tests.platform.helpers import (
    CFN_MANIFEST,
    ENV_CFN,
    ENV_SCHEMA,
    env_bundle,
    member_account,
    new_env_template,
    new_env_version,
    proton,
    unique,
)
from tests.platform.test_environments import proton_role
from tests.servers import RunningServer
from tests.sync.gitrepos import commit

T = TypeVar("T")


def spec(cidr: str, comment: str = "") -> str:
    """A spec of the tests' environment bundle (a VPC with the given CIDR), with an optional YAML comment."""
    return f"proton: EnvironmentSpec\nspec:\n  cidr: {cidr}\n" + (f"# {comment}\n" if comment else "")


def published_template(server: RunningServer) -> str:
    """An environment template with version 1.0 (a VPC) registered and published."""
    name = new_env_template(server)
    assert new_env_version(server, name)["status"] == "DRAFT"
    publish(server, name, "1", "0")
    return name


def publish(server: RunningServer, template: str, major: str, minor: str) -> None:
    proton(server).update_environment_template_version(
        templateName=template, majorVersion=major, minorVersion=minor, status="PUBLISHED"
    )


def new_minor(server: RunningServer, template: str, data: bytes | None = None) -> dict[str, Any]:
    """A new minor of major 1 (the tests' bundle with a comment unless `data`), registered: the version."""
    bundle = data if data is not None else env_bundle(extra=f"# {secrets.token_hex(4)}\n")
    return new_env_version(server, template, bundle, major="1")


def create_environment(server: RunningServer, template: str, cidr: str, **extra: Any) -> str:
    """An environment of the server's own account (its deployment queued, not awaited): its name."""
    name = unique("env")
    params = {"protonServiceRoleArn": proton_role(server, server.account_id), "spec": spec(cidr), **extra}
    proton(server).create_environment(name=name, templateName=template, templateMajorVersion="1", **params)
    return name


def requested_connection(server: RunningServer, environment: str = "") -> tuple[str, str, dict[str, str]]:
    """A new member account that requested a connection to the management account for `environment` (a new
    name by default), with a role of its cloud (a role ARN alone without a cloud): (connection id, member
    account, its administrator's credentials)."""
    member, credentials = member_account(server)
    cloud = bool(server.extra_env.get("BARYON_LOCAL_CLOUD_URL"))
    role = proton_role(server, member) if cloud else f"arn:aws:iam::{member}:role/ProtonService"
    requested = proton(server, credentials).create_environment_account_connection(
        managementAccountId=server.account_id, environmentName=environment or unique("team"), roleArn=role
    )["environmentAccountConnection"]
    return str(requested["id"]), member, credentials


def connection_status(server: RunningServer, connection_id: str) -> str:
    found = proton(server).get_environment_account_connection(id=connection_id)["environmentAccountConnection"]
    return str(found["status"])


@contextmanager
def provisioning_worker(server: RunningServer) -> Iterator[None]:
    """A `baryon worker` process on the server's store: for a server started with no provisioning workers, whose
    deployments stay queued until then."""
    with open(server.home / "worker.log", "ab") as log:
        command = [sys.executable, "-m", "baryon.cli", "worker", "--data-dir", str(server.data_dir), "--threads", "1"]
        process = subprocess.Popen(command, env=server.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(probe: Callable[[], T | None], what: str, seconds: float = 90) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def synced_repository(server: RunningServer, root: Path) -> tuple[str, str, str]:
    """A Git repository under `root` (a `file://` host) holding an environment template bundle, linked to
    Proton, and a template following its master branch: (repository, template, commit)."""
    repository, template = f"acme/{unique('platform')}", unique("synced")
    repo_dir = root / repository
    repo_dir.mkdir(parents=True)
    porcelain.init(str(repo_dir)).close()
    base = f"templates/{template}/v1"
    files: dict[str, str | bytes] = {
        f"{base}/schema/schema.yaml": ENV_SCHEMA.format(extra=""),
        f"{base}/infrastructure/manifest.yaml": CFN_MANIFEST,
        f"{base}/infrastructure/cloudformation.yaml": ENV_CFN,
    }
    sha = commit(repo_dir, files, "v1")
    connections = server.client("codestar-connections")
    host = connections.create_host(
        Name=unique("host"), ProviderType="GitHubEnterpriseServer", ProviderEndpoint=f"file://{root}"
    )["HostArn"]
    connection = connections.create_connection(ConnectionName=unique("conn"), HostArn=host)["ConnectionArn"]
    client = proton(server)
    client.create_repository(provider="GITHUB_ENTERPRISE", name=repository, connectionArn=connection)
    client.create_environment_template(name=template)
    client.create_template_sync_config(
        templateName=template, templateType="ENVIRONMENT", repositoryName=repository,
        repositoryProvider="GITHUB_ENTERPRISE", branch="master", subdirectory="templates",
    )  # fmt: skip
    return repository, template, sha

"""Template sync through the AWS CLI exactly as a platform engineer types it: a template, a host and a
connection for a local Git repository, a linked repository and a sync config; a commit becomes 1.0 DRAFT,
publishing makes it recommended, a second commit becomes 1.1, and Proton's delete rules hold."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from tests.platform.helpers import CFN_MANIFEST, ENV_CFN, ENV_SCHEMA, OPTIONAL_INPUT
from tests.servers import RunningServer
from tests.sync.gitrepos import commit, init


def _bundle(template: str, extra: str = "") -> dict[str, str | bytes]:
    base = f"templates/{template}/v1"
    return {
        f"{base}/schema/schema.yaml": ENV_SCHEMA.format(extra=extra),
        f"{base}/infrastructure/manifest.yaml": CFN_MANIFEST,
        f"{base}/infrastructure/cloudformation.yaml": ENV_CFN,
    }


def _appears(server: RunningServer, template: str, minor: str) -> None:
    """Poll `list-environment-template-versions` until sync created 1.`minor` (the waiter answers
    ResourceNotFound for a version that doesn't exist yet), then wait for its registration."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = server.aws_json("proton", "list-environment-template-versions", "--template-name", template)
        if any(v["minorVersion"] == minor for v in listed["templateVersions"]):
            break
        time.sleep(0.5)
    server.aws(
        "proton", "wait", "environment-template-version-registered", "--template-name", template,
        "--major-version", "1", "--minor-version", minor,
    )  # fmt: skip


def _refused(server: RunningServer, *args: str) -> str:
    """Run a CLI command that must fail; its error text."""
    result = server.aws(*args, check=False)
    assert result.returncode != 0, f"aws {' '.join(args)} succeeded: {result.stdout}"
    return result.stderr


def test_template_sync_walkthrough_through_the_cli(sync_server: RunningServer, tmp_path: Path) -> None:
    server = sync_server
    template, repository = f"web-env-{secrets.token_hex(3)}", f"platform/templates-{secrets.token_hex(3)}"
    repo_dir = init(tmp_path / repository)
    commit(repo_dir, {"README.md": "Environment templates of the platform team.\n"}, "start")

    created = server.aws_json(
        "proton", "create-environment-template", "--name", template, "--display-name", "Web environment"
    )
    assert created["environmentTemplate"]["name"] == template
    host = server.aws_json(
        "codestar-connections", "create-host", "--name", "platform-git", "--provider-type", "GitHubEnterpriseServer",
        "--cli-input-json", json.dumps({"ProviderEndpoint": f"file://{tmp_path}"}),
    )  # fmt: skip
    connection = server.aws_json(
        "codestar-connections", "create-connection", "--connection-name", f"platform-{secrets.token_hex(3)}",
        "--host-arn", host["HostArn"],
    )  # fmt: skip
    assert (
        server.aws_json("codestar-connections", "get-connection", "--connection-arn", connection["ConnectionArn"])[
            "Connection"
        ]["ConnectionStatus"]
        == "AVAILABLE"
    )
    linked = server.aws_json(
        "proton", "create-repository", "--provider", "GITHUB_ENTERPRISE", "--name", repository,
        "--connection-arn", connection["ConnectionArn"],
    )  # fmt: skip
    assert linked["repository"]["arn"].endswith(f":repository/github_enterprise:{repository}")
    config = server.aws_json(
        "proton", "create-template-sync-config", "--template-name", template, "--template-type", "ENVIRONMENT",
        "--repository-name", repository, "--repository-provider", "GITHUB_ENTERPRISE", "--branch", "master",
        "--subdirectory", "templates",
    )  # fmt: skip
    assert config["templateSyncConfig"]["branch"] == "master"

    first = commit(repo_dir, _bundle(template), "web environment v1")
    _appears(server, template, "0")
    version = server.aws_json(
        "proton", "get-environment-template-version", "--template-name", template,
        "--major-version", "1", "--minor-version", "0",
    )["environmentTemplateVersion"]  # fmt: skip
    assert version["status"] == "DRAFT" and first[:12] in version["description"]
    status = server.aws_json(
        "proton", "get-template-sync-status", "--template-name", template, "--template-type", "ENVIRONMENT",
        "--template-version", "1",
    )  # fmt: skip
    assert status["latestSync"]["status"] == "SUCCEEDED" and status["desiredState"]["sha"] == first

    server.aws(
        "proton", "update-environment-template-version", "--template-name", template,
        "--major-version", "1", "--minor-version", "0", "--status", "PUBLISHED",
    )  # fmt: skip
    recommended = server.aws_json("proton", "get-environment-template", "--name", template)["environmentTemplate"]
    assert recommended["recommendedVersion"] == "1.0"

    commit(repo_dir, _bundle(template, OPTIONAL_INPUT), "an optional size input")
    _appears(server, template, "1")
    listed = server.aws_json("proton", "list-environment-template-versions", "--template-name", template)
    assert [(v["majorVersion"], v["minorVersion"], v["status"]) for v in listed["templateVersions"]] == [
        ("1", "0", "PUBLISHED"),
        ("1", "1", "DRAFT"),
    ]

    # Delete rules: not the recommended version while others exist, not a template with versions, not a
    # repository a sync config uses.
    one_zero = ("--template-name", template, "--major-version", "1", "--minor-version", "0")
    assert "ValidationException" in _refused(server, "proton", "delete-environment-template-version", *one_zero)
    assert "ConflictException" in _refused(server, "proton", "delete-environment-template", "--name", template)
    repo_args = ("--provider", "GITHUB_ENTERPRISE", "--name", repository)
    assert "ConflictException" in _refused(server, "proton", "delete-repository", *repo_args)

    server.aws("proton", "delete-template-sync-config", "--template-name", template, "--template-type", "ENVIRONMENT")
    server.aws(
        "proton", "delete-environment-template-version", "--template-name", template,
        "--major-version", "1", "--minor-version", "1",
    )  # fmt: skip
    server.aws("proton", "delete-environment-template-version", *one_zero)  # now the last version of its major
    server.aws("proton", "delete-environment-template", "--name", template)
    server.aws("proton", "delete-repository", *repo_args)
    gone = _refused(server, "proton", "get-environment-template", "--name", template)
    assert "ResourceNotFoundException" in gone

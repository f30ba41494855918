"""A host that asks for a token: `baryon host set-token` stores it sealed, template sync presents it, and it
never shows in a response, the sync status, the server log or the local mirror. `baryon sync now` forces a
pass when the sync interval is long."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import STORES
from tests.platform.conftest import need_store
from tests.platform.helpers import CFN_MANIFEST, ENV_CFN, ENV_SCHEMA, OPTIONAL_INPUT
from tests.servers import RunningServer, running_server
from tests.sync.gitrepos import commit, http_git_server, init

PROVIDER = "GITHUB_ENTERPRISE"


@pytest.fixture(scope="module", params=STORES)
def slow_sync_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """A server whose sync loop waits an hour between passes: only a new sync config or `sync now` syncs."""
    need_store(request.param)
    with running_server(request.param, {"BARYON_SYNC_INTERVAL_SECONDS": "3600"}) as running:
        yield running


def _baryon(
    server: RunningServer, *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "baryon.cli", *args, "--data-dir", str(server.data_dir)]
    if server.database_url:
        command += ["--database-url", server.database_url]
    environment = {**os.environ, **(env or {})}
    return subprocess.run(command, env=environment, input=stdin, capture_output=True, text=True, timeout=120)


def _bundle(template: str, extra: str = "") -> dict[str, str | bytes]:
    base = f"templates/{template}/v1"
    return {
        f"{base}/schema/schema.yaml": ENV_SCHEMA.format(extra=extra),
        f"{base}/infrastructure/manifest.yaml": CFN_MANIFEST,
        f"{base}/infrastructure/cloudformation.yaml": ENV_CFN,
    }


def _versions(proton: Any, template: str) -> list[tuple[str, str, str]]:
    listed = proton.list_environment_template_versions(templateName=template)["templateVersions"]
    return [(v["majorVersion"], v["minorVersion"], v["status"]) for v in listed]


def _latest_repository_sync(proton: Any, repository: str) -> dict[str, Any]:
    return dict(
        proton.get_repository_sync_status(
            repositoryName=repository, repositoryProvider=PROVIDER, branch="master", syncType="TEMPLATE_SYNC"
        ).get("latestSync")
        or {}
    )


def _wait(probe: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_token_protected_host_syncs_once_the_token_is_set(slow_sync_server: RunningServer, tmp_path: Path) -> None:
    server, proton = slow_sync_server, slow_sync_server.client("proton")
    token = "ghp_" + secrets.token_hex(16)
    name, template = f"tpl-{secrets.token_hex(3)}", f"env{secrets.token_hex(3)}"
    repo_dir = init(tmp_path / "acme" / name)
    commit(repo_dir, _bundle(template), "v1")
    with http_git_server({f"/acme/{name}": repo_dir}, "x-access-token", token) as url:
        # The AWS CLI (v1) fetches `http://` and `file://` arguments itself, so the endpoint goes in as JSON.
        host = server.aws_json(
            "codestar-connections", "create-host", "--name", f"ghe-{secrets.token_hex(3)}",
            "--provider-type", "GitHubEnterpriseServer", "--cli-input-json", json.dumps({"ProviderEndpoint": url}),
        )  # fmt: skip
        connection = server.aws_json(
            "codestar-connections", "create-connection", "--connection-name", f"c-{secrets.token_hex(3)}",
            "--host-arn", host["HostArn"],
        )  # fmt: skip
        proton.create_repository(provider=PROVIDER, name=f"acme/{name}", connectionArn=connection["ConnectionArn"])
        proton.create_environment_template(name=template)
        proton.create_template_sync_config(
            templateName=template, templateType="ENVIRONMENT", repositoryName=f"acme/{name}",
            repositoryProvider=PROVIDER, branch="master", subdirectory="templates",
        )  # fmt: skip

        # Without a token the host refuses the fetch; the sync status says so and nothing registers.
        refused = _wait(lambda: _latest_repository_sync(proton, f"acme/{name}"), "the first sync attempt")
        assert refused["status"] == "FAILED"
        assert "asks for credentials (HTTP 401)" in refused["events"][0]["event"]
        assert _versions(proton, template) == []

        missing = host["HostArn"][:-8] + "00000000"
        unknown = _baryon(server, "host", "set-token", missing, stdin=token + "\n")
        assert unknown.returncode == 1 and "No host has the ARN" in unknown.stderr
        assert _baryon(server, "host", "set-token", host["HostArn"]).returncode == 2  # no token on stdin
        stored = _baryon(server, "host", "set-token", host["HostArn"], stdin=token + "\n")
        assert stored.returncode == 0, stored.stderr
        assert "user name x-access-token" in stored.stdout and token not in stored.stdout

        # The server waits an hour between passes; `sync now` fetches at once, backoff or not.
        forced = _baryon(server, "sync", "now")
        assert forced.returncode == 0, forced.stdout + forced.stderr
        assert f"github_enterprise:acme/{name}@master: fetched" in forced.stdout
        _wait(lambda: _versions(proton, template) == [("1", "0", "DRAFT")], "1.0 DRAFT")
        assert _latest_repository_sync(proton, f"acme/{name}")["status"] == "SUCCEEDED"

        commit(repo_dir, _bundle(template, OPTIONAL_INPUT), "an optional input")
        time.sleep(1)
        assert _versions(proton, template) == [("1", "0", "DRAFT")]  # the server alone won't look for an hour
        assert _baryon(server, "sync", "now").returncode == 0
        _wait(lambda: ("1", "1", "DRAFT") in _versions(proton, template), "1.1 DRAFT")

        # A wrong token is refused by the host and reported without the token.
        wrong = "ghp_" + secrets.token_hex(16)
        assert (
            _baryon(server, "host", "set-token", host["HostArn"], "--token-env", "T", env={"T": wrong}).returncode == 0
        )
        commit(repo_dir, _bundle(template, OPTIONAL_INPUT + "# touched\n"), "touch")
        failed = _baryon(server, "sync", "now")
        assert failed.returncode == 1 and "refused the credentials set for its host" in failed.stdout
        assert wrong not in failed.stdout + failed.stderr

        cleared = _baryon(server, "host", "clear-token", host["HostArn"])
        assert cleared.returncode == 0 and "removed" in cleared.stdout

    everything = json.dumps(server.client("codestar-connections").get_host(HostArn=host["HostArn"]), default=str)
    everything += json.dumps(_latest_repository_sync(proton, f"acme/{name}"), default=str) + server.log()
    mirror = b"".join(p.read_bytes() for p in (server.data_dir / "sync").rglob("*") if p.is_file())
    assert token not in everything and wrong not in everything
    assert token.encode() not in mirror and wrong.encode() not in mirror


def test_sync_now_without_state_says_where_it_looked(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "baryon.cli", "sync", "now", "--data-dir", str(tmp_path / "nothing")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and "No Baryon state in" in result.stderr

"""The Proton pages end to end in headless Chromium, against a server with an account cloud: accept a
connection, watch an environment deploy without reloading, see it fall behind on the fleet page, read the
templates page (versions, a failed registration, lint warnings, sync status), hostile specs shown as text,
and a principal limited to its own account.

Each test keeps a screenshot of the pages it visits in tests/web/artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.platform.helpers import CFN_MANIFEST, ENV_SCHEMA, proton, tarball
from tests.servers import RunningServer, running_server
from tests.web.conftest import screenshot
from tests.web.helpers import member_user, sign_in_browser
from tests.web.proton import (
    connection_status,
    create_environment,
    new_minor,
    provisioning_worker,
    publish,
    published_template,
    requested_connection,
    spec,
    synced_repository,
    wait_for,
)

UNUSED_PARAMETER = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Unused:
    Type: String
    Default: x
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: '{{ environment.inputs.cidr }}'
"""


@pytest.fixture(scope="module")
def template(cloud_server: RunningServer) -> str:
    """An environment template with 1.0 published, shared by this module's tests."""
    return published_template(cloud_server)


def test_accept_and_reject_connections_from_the_connections_page(cloud_server: RunningServer, page: Any) -> None:
    from playwright.sync_api import expect

    server = cloud_server
    accepted, member, _ = requested_connection(server)
    rejected, _, _ = requested_connection(server)
    sign_in_browser(page, server, server.admin)
    page.goto(server.endpoint + "/dashboard/connections")
    row = page.locator("#pending tr", has_text=accepted)
    expect(row).to_contain_text(member)
    expect(row.locator(".badge")).to_have_text("PENDING")
    screenshot(page, "connections")

    row.locator("button.accept").click()
    expect(page.locator("#done")).to_have_text(f"Accepted the connection {accepted}.")
    expect(page.locator("#decided tr", has_text=accepted).locator(".badge")).to_have_text("CONNECTED")
    assert page.locator("#pending tr", has_text=accepted).count() == 0
    page.locator("#pending tr", has_text=rejected).locator("button.reject").click()
    expect(page.locator("#done")).to_have_text(f"Rejected the connection {rejected}.")
    expect(page.locator("#decided tr", has_text=rejected).locator(".badge")).to_have_text("REJECTED")
    screenshot(page, "connections-decided")
    assert connection_status(server, accepted) == "CONNECTED" and connection_status(server, rejected) == "REJECTED"


def test_watch_a_deployment_then_the_fleet_shows_the_environment_falling_behind(
    cloud_server: RunningServer, page: Any
) -> None:
    """On a server without provisioning workers the deployment waits, queued, until the page is open; a worker
    process started then carries it out while the page watches."""
    from playwright.sync_api import expect

    queued = {
        "BARYON_LOCAL_CLOUD_URL": cloud_server.extra_env["BARYON_LOCAL_CLOUD_URL"],
        "BARYON_PROVISIONING_WORKERS": "0",
    }
    with running_server("sqlite", queued) as server:
        template = published_template(server)
        sign_in_browser(page, server, server.admin)
        name = create_environment(server, template, "10.41.0.0/16")
        page.goto(f"{server.endpoint}/dashboard/environments/{name}")
        status = page.locator("#deployment-status")
        expect(status).to_have_text("IN_PROGRESS")
        expect(page.locator("#deployment-step")).to_have_text("QUEUED")
        expect(page.locator("#progress")).to_have_attribute("data-refresh", f"/dashboard/environments/{name}/progress")
        screenshot(page, "environment-deploying")
        page.evaluate("window.loadedOnce = true")  # gone if the page reloads

        with provisioning_worker(server):
            expect(status).to_have_text("SUCCEEDED", timeout=90_000)
        assert page.evaluate("window.loadedOnce") is True
        expect(page.locator("#progress table.events")).to_contain_text("AWS::EC2::VPC")
        expect(page.locator("#deployment-step")).to_have_text("DONE")
        screenshot(page, "environment-deployed")
        page.click("#reload")
        expect(page.locator("#outputs")).to_contain_text("VpcId")
        expect(page.locator("#resources")).to_contain_text("VPC")
        expect(page.locator("#history li.deployment").first.locator(".badge").first).to_have_text("SUCCEEDED")
        assert page.locator("#progress[data-refresh]").count() == 0
        screenshot(page, "environment")

        page.goto(f"{server.endpoint}/dashboard/fleet?template={template}")
        row = page.locator(f"#fleet tr[data-environment='{name}']")
        expect(row.locator(".standing")).to_have_text("up to date")
        expect(page.locator("#count-up-to-date .number")).to_have_text("1")

        publish(server, template, "1", str(new_minor(server, template)["minorVersion"]))
        page.reload()
        expect(row.locator(".standing")).to_contain_text("behind minor")
        expect(row.locator(".standing")).to_contain_text("1 minor version behind 1.1")
        expect(page.locator("#count-behind-minor .number")).to_have_text("1")
        expect(page.locator("#count-up-to-date .number")).to_have_text("0")
        screenshot(page, "fleet")


def test_the_templates_pages_show_versions_failures_warnings_and_sync_status(
    cloud_server: RunningServer, template: str, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    server = cloud_server
    repository, synced, sha = synced_repository(server, tmp_path)
    warned = new_minor(server, template, tarball({
        "schema/schema.yaml": ENV_SCHEMA.format(extra=""), "infrastructure/manifest.yaml": CFN_MANIFEST,
        "infrastructure/cloudformation.yaml": UNUSED_PARAMETER,
    }))  # fmt: skip
    assert warned["status"] == "DRAFT" and "W2001" in warned["statusMessage"]
    failed = new_minor(server, template, tarball({"infrastructure/manifest.yaml": CFN_MANIFEST}))
    assert failed["status"] == "REGISTRATION_FAILED"

    def synced_commit() -> Any:
        status = proton(server).get_repository_sync_status(
            repositoryName=repository, repositoryProvider="GITHUB_ENTERPRISE", branch="master", syncType="TEMPLATE_SYNC"
        )
        versions = proton(server).list_environment_template_versions(templateName=synced)["templateVersions"]
        return status.get("latestSync", {}).get("status") == "SUCCEEDED" and versions

    wait_for(synced_commit, "the repository synced and its template registered")
    sign_in_browser(page, server, server.admin)
    page.goto(server.endpoint + "/dashboard/templates")
    expect(page.locator(f"#environment-templates tr[data-template='{template}']")).to_contain_text("1.")
    branch = page.locator(f"#repository-sync tr[data-repository='{repository}'][data-branch='master']")
    expect(branch.locator(".badge")).to_have_text("SUCCEEDED")
    expect(branch).to_contain_text(synced)
    expect(branch.locator(".commit")).to_have_text(sha)
    screenshot(page, "templates")

    page.locator(f"#environment-templates a:text-is('{template}')").click()
    versions = page.locator("#versions")
    expect(versions.locator("tr[data-version='1.0'] .badge")).to_have_text("PUBLISHED")
    label = f"1.{warned['minorVersion']}"
    expect(versions.locator(f"tr[data-version='{label}'] .badge")).to_have_text("DRAFT")
    expect(versions.locator(f"tr[data-version='{label}'] .lint-warnings")).to_contain_text("W2001 Parameter Unused")
    broken = versions.locator(f"tr[data-version='1.{failed['minorVersion']}']")
    expect(broken.locator(".badge")).to_have_text("REGISTRATION_FAILED")
    expect(broken.locator(".registration-error")).to_contain_text("schema/schema.yaml: missing")
    expect(page.locator("#recommended-version")).not_to_have_text("none published")
    expect(page.locator("#template-sync")).to_contain_text("does not follow a repository")
    screenshot(page, "template")

    page.goto(f"{server.endpoint}/dashboard/templates/environment/{synced}")
    expect(page.locator("#versions tr[data-version='1.0'] .badge")).to_have_text("DRAFT")
    major = page.locator("#major-sync tr[data-major='1']")
    expect(major.locator(".badge")).to_have_text("SUCCEEDED")
    expect(major.locator(".commit").last).to_have_text(sha)
    expect(page.locator("#template-sync")).to_contain_text(repository)
    screenshot(page, "template-sync")


def test_a_spec_and_description_carrying_html_are_shown_as_text(
    cloud_server: RunningServer, template: str, page: Any
) -> None:
    from playwright.sync_api import expect

    server = cloud_server
    hostile_spec = '<script>alert("spec")</script>'
    hostile_description = '<img src=x onerror=alert("description")>'
    name = create_environment(server, template, "10.42.0.0/16", description=hostile_description)
    name_with_comment = create_environment(server, template, "10.43.0.0/16", spec=spec("10.43.0.0/16", hostile_spec))
    sign_in_browser(page, server, server.admin)
    for shown in (name, name_with_comment):
        page.goto(f"{server.endpoint}/dashboard/environments/{shown}")
        expect(page.locator("h1")).to_contain_text(shown)
    expect(page.locator("#spec-text")).to_contain_text(hostile_spec)
    page.goto(f"{server.endpoint}/dashboard/environments/{name}")
    expect(page.locator(".description")).to_have_text(hostile_description)
    screenshot(page, "environment-escaping")
    assert page.locator("img").count() == 0 and page.locator("script").count() == 1
    page.goto(f"{server.endpoint}/dashboard/environments/{name_with_comment}")
    assert page.locator("img").count() == 0 and page.locator("script").count() == 1
    assert page.dialogs == []


def test_a_principal_limited_to_its_own_account_sees_its_own_environments_and_cannot_accept(
    cloud_server: RunningServer, template: str, page: Any
) -> None:
    from playwright.sync_api import expect

    server = cloud_server
    managed = create_environment(server, template, "10.44.0.0/16")
    connection, member, _ = requested_connection(server)
    arn, key = member_user(server, member, "proton:List*", "proton:Get*")

    sign_in_browser(page, server, key)
    page.goto(server.endpoint + "/dashboard/fleet")
    expect(page.locator("#fleet")).to_contain_text("No environments")
    assert managed not in page.content() and page.locator("#fleet tr[data-environment]").count() == 0
    screenshot(page, "limited-fleet")
    response = page.goto(f"{server.endpoint}/dashboard/environments/{managed}")
    assert response is not None and response.status >= 400
    expect(page.locator(".panel")).to_contain_text("ResourceNotFoundException")

    page.goto(server.endpoint + "/dashboard/connections")
    expect(page.locator("#pending")).to_contain_text("None.")
    expect(page.locator("#requested tr", has_text=connection).locator(".badge")).to_have_text("PENDING")
    assert page.locator("button.accept").count() == 0
    # A form built in the page (with the session's CSRF token) asks to accept: the API refuses it.
    page.evaluate(
        """([id, token]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = `/dashboard/connections/${id}/accept`;
            const field = document.createElement("input");
            Object.assign(field, {type: "hidden", name: "csrf_token", value: token});
            form.append(field);
            document.body.append(form);
            form.submit();
        }""",
        [connection, page.locator("meta[name=csrf-token]").get_attribute("content")],
    )
    refusal = page.locator(".panel.denied")
    expect(refusal).to_contain_text("AccessDeniedException (AcceptEnvironmentAccountConnection)")
    expect(refusal).to_contain_text(
        f"User: {arn} is not authorized to perform: proton:AcceptEnvironmentAccountConnection"
    )
    screenshot(page, "limited-connections-refused")
    assert connection_status(server, connection) == "PENDING"
    assert page.dialogs == []

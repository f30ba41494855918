"""The Proton pages over HTTP: Accept and Reject refuse a POST without the session's CSRF token; the fleet's
filters by account, OU (nested OUs included), status and template over environments in two accounts; a
deployment's events shown only to a principal whose GetDeployment succeeds; the progress fragment."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.org.helpers import allow, new_ou, orgs, root_id, unique
from tests.platform.helpers import proton
from tests.platform.test_environments import wait_deployed
from tests.servers import RunningServer
from tests.web.helpers import DashboardClient, csrf_token, text
from tests.web.proton import connection_status, create_environment, published_template, requested_connection, spec


def test_accept_and_reject_refuse_a_post_without_the_csrf_token(server: RunningServer, admin: DashboardClient) -> None:
    connection, _, _ = requested_connection(server)
    page = admin.get("/dashboard/connections")
    assert f'action="/dashboard/connections/{connection}/accept"' in page.text
    other = DashboardClient(server)
    other.sign_in(server.admin)
    foreign = csrf_token(other.get("/dashboard/connections").text)
    other.close()
    for verb in ("accept", "reject"):
        for forged in ({}, {"csrf_token": "forged"}, {"csrf_token": foreign}):
            refused = admin.post(f"/dashboard/connections/{connection}/{verb}", forged)
            assert refused.status_code == 403 and "did not come from this dashboard" in text(refused.text)
        header_only = admin.post(f"/dashboard/connections/{connection}/{verb}", {}, headers={"X-CSRF-Token": "x"})
        assert header_only.status_code == 403
    assert connection_status(server, connection) == "PENDING"

    accepted = admin.post(f"/dashboard/connections/{connection}/accept", {"csrf_token": csrf_token(page.text)})
    assert (
        accepted.status_code == 303 and accepted.headers["location"] == f"/dashboard/connections?accepted={connection}"
    )
    assert connection_status(server, connection) == "CONNECTED"
    shown = admin.get(accepted.headers["location"])
    assert f"Accepted the connection {connection}." in text(shown.text)


def test_an_action_the_api_refuses_shows_its_answer(server: RunningServer, admin: DashboardClient) -> None:
    token = csrf_token(admin.get("/dashboard/connections").text)
    refused = admin.post("/dashboard/connections/no-such-connection/accept", {"csrf_token": token})
    assert refused.status_code == 400
    assert "ValidationException (AcceptEnvironmentAccountConnection)" in text(refused.text)


@dataclass(frozen=True)
class Fleet:
    """Environments of one template in two accounts: the management account's own, and a member's through a
    connection; the member sits in an OU nested in another."""

    template: str
    own: str
    member: str
    member_account: str
    outer_ou: str


@pytest.fixture(scope="module")
def fleet(cloud_server: RunningServer) -> Fleet:
    server = cloud_server
    template = published_template(server)
    own = create_environment(server, template, "10.61.0.0/16")
    member_env = unique("member-env")
    connection, member, _ = requested_connection(server, member_env)
    proton(server).accept_environment_account_connection(id=connection)
    proton(server).create_environment(
        name=member_env, templateName=template, templateMajorVersion="1", spec=spec("10.62.0.0/16"),
        environmentAccountConnectionId=connection,
    )  # fmt: skip
    outer = new_ou(server, root_id(server), unique("Teams"))
    inner = new_ou(server, outer, unique("Payments"))
    orgs(server).move_account(AccountId=member, SourceParentId=root_id(server), DestinationParentId=inner)
    for name in (own, member_env):
        deployed = wait_deployed(server, name)
        assert deployed["deploymentStatus"] == "SUCCEEDED", deployed.get("deploymentStatusMessage")
    return Fleet(template, own, member_env, member, outer)


def _shown(client: DashboardClient, **filters: str) -> list[str]:
    page = client.get("/dashboard/fleet", **filters)
    assert page.status_code == 200, page.text
    return re.findall(r'<tr data-environment="([^"]+)">', page.text)


def test_the_fleet_filters_by_account_ou_status_and_template(cloud_server: RunningServer, fleet: Fleet) -> None:
    client = DashboardClient(cloud_server)
    client.sign_in(cloud_server.admin)
    both = sorted([fleet.own, fleet.member])
    assert sorted(_shown(client, template=fleet.template)) == both
    assert _shown(client, template=fleet.template, account=fleet.member_account) == [fleet.member]
    assert _shown(client, template=fleet.template, ou=fleet.outer_ou) == [fleet.member]
    assert sorted(_shown(client, template=fleet.template, status="SUCCEEDED")) == both
    assert _shown(client, template=fleet.template, status="FAILED") == []
    assert fleet.member in _shown(client, account=fleet.member_account)
    assert fleet.own not in _shown(client, account=fleet.member_account)
    unknown = client.get("/dashboard/fleet", template="no-such-template")
    assert unknown.status_code == 200 and "No environments match these filters." in text(unknown.text)
    forged = client.get("/dashboard/fleet", next="Zm9yZ2Vk")
    assert "ValidationException (ListEnvironments)" in text(forged.text)
    client.close()


def test_events_are_shown_only_to_a_principal_whose_get_deployment_succeeds(
    cloud_server: RunningServer, fleet: Fleet
) -> None:
    server = cloud_server
    iam = server.client("iam")
    user = unique("no-get-deployment")
    iam.create_user(UserName=user)
    readable = (
        "proton:GetEnvironment",
        "proton:ListDeployments",
        "proton:ListEnvironment*",
        "proton:GetEnvironmentTemplate",
    )
    iam.put_user_policy(UserName=user, PolicyName="reads", PolicyDocument=allow(*readable))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    limited = DashboardClient(server)
    limited.sign_in({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]})
    admin = DashboardClient(server)
    admin.sign_in(server.admin)

    full = admin.get(f"/dashboard/environments/{fleet.own}")
    assert "AWS::EC2::VPC" in full.text and "step DONE" in text(full.text)
    page = limited.get(f"/dashboard/environments/{fleet.own}")
    assert page.status_code == 200
    seen = text(page.text)
    assert "AccessDeniedException (GetDeployment)" in seen and "proton:GetDeployment" in seen
    assert "AWS::EC2::VPC" not in page.text and "step" not in seen
    deployment = proton(server).get_environment(name=fleet.own)["environment"]["lastSucceededDeploymentId"]
    assert deployment in page.text  # ListDeployments is allowed: the history lists it, without its details

    fragment = admin.get(f"/dashboard/environments/{fleet.own}/progress")
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'data-final="yes"' in fragment.text
    rows = re.findall(r'<td>(AWS::[\w:]+)</td>\s*<td><span class="badge ([A-Z_]+)"', fragment.text)
    stack, vpc = "AWS::CloudFormation::Stack", "AWS::EC2::VPC"
    assert rows == [(stack, "REVIEW_IN_PROGRESS"), (stack, "CREATE_IN_PROGRESS"), (vpc, "CREATE_IN_PROGRESS"),
                    (vpc, "CREATE_COMPLETE"), (stack, "CREATE_COMPLETE")]  # fmt: skip
    limited_fragment = limited.get(f"/dashboard/environments/{fleet.own}/progress")
    assert "AWS::EC2::VPC" not in limited_fragment.text
    assert "AccessDeniedException (GetDeployment)" in text(limited_fragment.text)
    assert re.search(r'id="deployment-status"><span class="badge SUCCEEDED">', limited_fragment.text)
    limited.close()
    admin.close()

"""DescribeOrganization, CreateOrganization and ListRoots, through boto3 and the AWS CLI."""

from __future__ import annotations

from tests.org.helpers import SCP, assume_access_role, fails, new_account, orgs, root_id
from tests.servers import RunningServer


def test_describe_organization_names_the_management_account(server: RunningServer) -> None:
    org = orgs(server).describe_organization()["Organization"]
    assert org["Id"].startswith("o-")
    assert org["MasterAccountId"] == server.account_id
    assert org["Arn"] == f"arn:aws:organizations::{server.account_id}:organization/{org['Id']}"
    assert (
        org["MasterAccountArn"] == f"arn:aws:organizations::{server.account_id}:account/{org['Id']}/{server.account_id}"
    )
    assert org["FeatureSet"] == "ALL"
    assert {"Type": SCP, "Status": "ENABLED"} in org["AvailablePolicyTypes"]


def test_member_accounts_may_describe_the_organization(server: RunningServer) -> None:
    member = assume_access_role(server, new_account(server))
    org = orgs(server, member).describe_organization()["Organization"]
    assert org["MasterAccountId"] == server.account_id


def test_create_organization_when_already_in_one(server: RunningServer) -> None:
    code, message, _ = fails(orgs(server).create_organization, FeatureSet="ALL")
    assert code == "AlreadyInOrganizationException"
    assert "already a member of an organization" in message


def test_list_roots_with_the_cli(server: RunningServer) -> None:
    roots = server.aws_json("organizations", "list-roots")["Roots"]
    assert len(roots) == 1
    root = roots[0]
    org_id = orgs(server).describe_organization()["Organization"]["Id"]
    assert root["Id"] == root_id(server)
    assert root["Arn"] == f"arn:aws:organizations::{server.account_id}:root/{org_id}/{root['Id']}"
    assert root["Name"] == "Root"
    assert {"Type": SCP, "Status": "ENABLED"} in root["PolicyTypes"]

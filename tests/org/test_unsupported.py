"""Operations with nothing to act on in a self-hosted organization answer with AWS's errors."""

from __future__ import annotations

import pytest

from tests.org.helpers import assume_access_role, fails, new_account, orgs
from tests.servers import RunningServer

REFUSED = [
    (
        "invite_account_to_organization",
        {"Target": {"Id": "111111111111", "Type": "ACCOUNT"}},
        "UnsupportedAPIEndpointException",
        None,
    ),
    (
        "create_gov_cloud_account",
        {"Email": "gov@example.com", "AccountName": "gov"},
        "UnsupportedAPIEndpointException",
        None,
    ),
    (
        "enable_all_features",
        {},
        "HandshakeConstraintViolationException",
        "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
    ),
    ("accept_handshake", {"HandshakeId": "h-0000000000"}, "HandshakeNotFoundException", None),
    ("decline_handshake", {"HandshakeId": "h-0000000000"}, "HandshakeNotFoundException", None),
    ("cancel_handshake", {"HandshakeId": "h-0000000000"}, "HandshakeNotFoundException", None),
    ("describe_handshake", {"HandshakeId": "h-0000000000"}, "HandshakeNotFoundException", None),
    (
        "enable_aws_service_access",
        {"ServicePrincipal": "config.amazonaws.com"},
        "InvalidInputException",
        "UNRECOGNIZED_SERVICE_PRINCIPAL",
    ),
    (
        "disable_aws_service_access",
        {"ServicePrincipal": "config.amazonaws.com"},
        "InvalidInputException",
        "UNRECOGNIZED_SERVICE_PRINCIPAL",
    ),
    ("put_resource_policy", {"Content": "{}"}, "UnsupportedAPIEndpointException", None),
    ("describe_resource_policy", {}, "ResourcePolicyNotFoundException", None),
    ("delete_resource_policy", {}, "ResourcePolicyNotFoundException", None),
    ("describe_effective_policy", {"PolicyType": "TAG_POLICY"}, "UnsupportedAPIEndpointException", None),
    ("leave_organization", {}, "MasterCannotLeaveOrganizationException", None),
    ("delete_organization", {}, "OrganizationNotEmptyException", None),
]


@pytest.mark.parametrize(("method", "params", "code", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(server: RunningServer, method: str, params: dict[str, object], code: str, reason: str | None) -> None:
    new_account(server)  # DeleteOrganization is refused for a non-empty organization
    got_code, message, got_reason = fails(getattr(orgs(server), method), **params)
    assert (got_code, got_reason) == (code, reason)
    assert message


def test_delegated_administrators(server: RunningServer) -> None:
    client = orgs(server)
    member = new_account(server)
    code, _, reason = fails(
        client.register_delegated_administrator, AccountId=member, ServicePrincipal="config.amazonaws.com"
    )
    assert (code, reason) == ("InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
    code, _, _ = fails(
        client.deregister_delegated_administrator, AccountId=member, ServicePrincipal="config.amazonaws.com"
    )
    assert code == "AccountNotRegisteredException"
    code, _, _ = fails(client.list_delegated_services_for_account, AccountId="000000000000")
    assert code == "AccountNotFoundException"
    assert client.list_delegated_administrators()["DelegatedAdministrators"] == []


def test_empty_listings(server: RunningServer) -> None:
    client = orgs(server)
    assert client.list_handshakes_for_organization()["Handshakes"] == []
    assert client.list_handshakes_for_account()["Handshakes"] == []
    assert client.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []
    code, _, reason = fails(client.list_handshakes_for_account, NextToken="forged")
    assert (code, reason) == ("InvalidInputException", "INVALID_NEXT_TOKEN")


def test_members_cannot_leave(server: RunningServer) -> None:
    creds = assume_access_role(server, new_account(server))
    code, _, reason = fails(orgs(server, creds).leave_organization)
    assert (code, reason) == (
        "ConstraintViolationException",
        "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
    )
    assert orgs(server, creds).list_handshakes_for_account()["Handshakes"] == []

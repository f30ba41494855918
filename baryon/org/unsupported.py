"""Operations that have nothing to act on in a self-hosted organization, and what each one answers.

Baryon's organization is created at first start, is always in all-features mode, has no handshakes (no
invitations, no all-features migration, no billing transfers), no AWS service integrations, no delegated
administrators and no resource policy. Each operation below answers as AWS does in that situation, with
the modeled error that fits (and, where the API only reads, an empty result). The caller's access is checked
first, as for every other operation (a member account still gets `AccessDeniedException` for
management-only operations, an account outside the organization `AWSOrganizationsNotInUseException`).

Operation → answer:

- CreateOrganization → `AlreadyInOrganizationException` (from an account outside the organization:
  `UnsupportedAPIEndpointException`).
- DeleteOrganization → `OrganizationNotEmptyException` while member accounts exist, else
  `UnsupportedAPIEndpointException`.
- LeaveOrganization → management account: `MasterCannotLeaveOrganizationException`; member account:
  `ConstraintViolationException` `ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION` (the management account
  removes members with RemoveAccountFromOrganization).
- EnableAllFeatures → `HandshakeConstraintViolationException` `ORGANIZATION_ALREADY_HAS_ALL_FEATURES`.
- InviteAccountToOrganization → `UnsupportedAPIEndpointException`.
- AcceptHandshake, DeclineHandshake, CancelHandshake, DescribeHandshake → `HandshakeNotFoundException`.
- ListHandshakesForAccount, ListHandshakesForOrganization → an empty list.
- CreateGovCloudAccount → `UnsupportedAPIEndpointException`.
- EnableAWSServiceAccess, DisableAWSServiceAccess → `InvalidInputException`
  `UNRECOGNIZED_SERVICE_PRINCIPAL`.
- ListAWSServiceAccessForOrganization → an empty list.
- RegisterDelegatedAdministrator → `AccountNotFoundException` for an account outside the organization, else
  `InvalidInputException` `UNRECOGNIZED_SERVICE_PRINCIPAL`.
- DeregisterDelegatedAdministrator, ListDelegatedServicesForAccount → `AccountNotFoundException` for an
  account outside the organization, else `AccountNotRegisteredException`.
- ListDelegatedAdministrators → an empty list.
- PutResourcePolicy → `UnsupportedAPIEndpointException`.
- DescribeResourcePolicy, DeleteResourcePolicy → `ResourcePolicyNotFoundException`.
- DescribeEffectivePolicy, ListAccountsWithInvalidEffectivePolicy, ListEffectivePolicyValidationErrors →
  `UnsupportedAPIEndpointException` (effective policies exist only for management policy types such as tag
  policies, which Baryon stores but does not evaluate; SCPs and RCPs have none in AWS either).
- InviteOrganizationToTransferResponsibility → `UnsupportedAPIEndpointException`.
- ListInboundResponsibilityTransfers, ListOutboundResponsibilityTransfers → an empty list.
- DescribeResponsibilityTransfer, UpdateResponsibilityTransfer, TerminateResponsibilityTransfer →
  `ResponsibilityTransferNotFoundException`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from baryon.edge.context import Call
from baryon.edge.errors import ServiceError
from baryon.edge.operations import Handler, Result
from baryon.org import errors, tree
from baryon.org.common import organizations, page, scope
from baryon.org.tables import Account

Refusal = Callable[[], ServiceError]


def _handshake_not_found() -> ServiceError:
    return errors.error(
        "HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified."
    )


def _transfer_not_found() -> ServiceError:
    return errors.error("ResponsibilityTransferNotFoundException", "We can't find a transfer that you specified.")


def _resource_policy_not_found() -> ServiceError:
    return errors.error(
        "ResourcePolicyNotFoundException",
        "We can't find a resource policy request with the parameter that you specified.",
    )


def _not_registered() -> ServiceError:
    return errors.error(
        "AccountNotRegisteredException",
        "The specified account is not a delegated administrator for this AWS service.",
    )


def _unrecognized_principal() -> ServiceError:
    return errors.invalid_input("UNRECOGNIZED_SERVICE_PRINCIPAL")


def _all_features() -> ServiceError:
    return ServiceError(
        "HandshakeConstraintViolationException",
        "The handshake request is invalid because the organization has already enabled all features.",
        fields={"Reason": "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"},
    )


def _refuse(refusal: Refusal, *, members: bool = False, anyone: bool = False) -> Handler:
    """Check the caller like any operation (management account only unless `members`; nothing if
    `anyone`), then answer with `refusal`."""

    def handler(call: Call) -> Result:
        if not anyone:
            scope(call, members=members)
        raise refusal()

    return handler


def _empty(member: str, *, members: bool = False) -> Handler:
    """An always-empty listing (the `NextToken` is still checked)."""

    def handler(call: Call) -> Result:
        scope(call, members=members)
        return page(call, [], str, result_member=member, shape=str)

    return handler


def _for_account(refusal: Refusal) -> Handler:
    """`AccountNotFoundException` for an account outside the organization, else `refusal`."""

    def handler(call: Call) -> Result:
        org = scope(call)
        if tree.account_in(call.db, org.org_id, call.params["AccountId"]) is None:
            raise errors.account_not_found()
        raise refusal()

    return handler


@organizations("DeleteOrganization")
def delete_organization(call: Call) -> Result:
    org = scope(call)
    members = (
        call.db.scalar(
            select(func.count())
            .select_from(Account)
            .where(Account.organization_id == org.org_id, Account.id != org.mgmt)
        )
        or 0
    )
    if members:
        raise errors.error(
            "OrganizationNotEmptyException",
            "The organization isn't empty. To delete an "
            "organization, you must first remove all accounts except the management account.",
        )
    raise errors.unsupported()


@organizations("LeaveOrganization")
def leave_organization(call: Call) -> Result:
    org = scope(call, members=True)
    if org.is_management:
        raise errors.error(
            "MasterCannotLeaveOrganizationException",
            "You can't remove a management account from an organization. If you want the "
            "management account to become a member account in another organization, you must "
            "first delete the current organization of the management account.",
        )
    raise errors.constraint("ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION")


UNSUPPORTED: dict[str, Handler] = {
    "EnableAllFeatures": _refuse(_all_features),
    "InviteAccountToOrganization": _refuse(errors.unsupported),
    "AcceptHandshake": _refuse(_handshake_not_found, anyone=True),
    "DeclineHandshake": _refuse(_handshake_not_found, anyone=True),
    "CancelHandshake": _refuse(_handshake_not_found, anyone=True),
    "DescribeHandshake": _refuse(_handshake_not_found, anyone=True),
    "ListHandshakesForAccount": _empty("Handshakes", members=True),
    "ListHandshakesForOrganization": _empty("Handshakes"),
    "CreateGovCloudAccount": _refuse(errors.unsupported),
    "EnableAWSServiceAccess": _refuse(_unrecognized_principal),
    "DisableAWSServiceAccess": _refuse(_unrecognized_principal),
    "ListAWSServiceAccessForOrganization": _empty("EnabledServicePrincipals"),
    "RegisterDelegatedAdministrator": _for_account(_unrecognized_principal),
    "DeregisterDelegatedAdministrator": _for_account(_not_registered),
    "ListDelegatedServicesForAccount": _for_account(_not_registered),
    "ListDelegatedAdministrators": _empty("DelegatedAdministrators"),
    "PutResourcePolicy": _refuse(errors.unsupported),
    "DescribeResourcePolicy": _refuse(_resource_policy_not_found),
    "DeleteResourcePolicy": _refuse(_resource_policy_not_found),
    "DescribeEffectivePolicy": _refuse(errors.unsupported, members=True),
    "ListAccountsWithInvalidEffectivePolicy": _refuse(errors.unsupported),
    "ListEffectivePolicyValidationErrors": _refuse(errors.unsupported),
    "InviteOrganizationToTransferResponsibility": _refuse(errors.unsupported),
    "ListInboundResponsibilityTransfers": _empty("ResponsibilityTransfers"),
    "ListOutboundResponsibilityTransfers": _empty("ResponsibilityTransfers"),
    "DescribeResponsibilityTransfer": _refuse(_transfer_not_found),
    "UpdateResponsibilityTransfer": _refuse(_transfer_not_found),
    "TerminateResponsibilityTransfer": _refuse(_transfer_not_found),
}

for _name, _handler in UNSUPPORTED.items():
    organizations(_name)(_handler)

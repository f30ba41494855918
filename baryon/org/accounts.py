"""Member accounts: CreateAccount and its status, DescribeAccount, ListAccounts, ListAccountsForParent,
MoveAccount, RemoveAccountFromOrganization, CloseAccount.

CreateAccount is asynchronous as in AWS: it answers `IN_PROGRESS` with a `car-…` request id, and
DescribeCreateAccountStatus then reports `SUCCEEDED` with the new account id (or `FAILED` with a reason,
e.g. `EMAIL_ALREADY_EXISTS`). Baryon completes the work in the same transaction: the account is placed
under the root with the default policies of every enabled policy type, and gets the IAM role
`OrganizationAccountAccessRole` (or `RoleName`) that the management account can assume, with
`AdministratorAccess` attached.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import bindparam, func, select

from baryon import ids
from baryon.edge.context import Call
from baryon.edge.operations import Result
from baryon.identity.arns import aws_managed_policy_arn, iam_arn, root_arn
from baryon.identity.tables import ManagedPolicy, PolicyAttachment, Role
from baryon.org import errors, tree
from baryon.org.common import OrgScope, check_tags, keyset, organizations, page, page_query, put_tags, scope
from baryon.org.limits import limit
from baryon.org.tables import Account, CreateAccountRequest

DEFAULT_ROLE = "OrganizationAccountAccessRole"
_RESERVED_ROLE_PREFIX = "awsservicerolefor"


def trust_management(mgmt: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": root_arn(mgmt)}, "Action": "sts:AssumeRole"}],
        },
        indent=4,
    )


def _status(request: CreateAccountRequest, *, reported_state: str | None = None) -> Result:
    state = reported_state or request.state
    status: Result = {
        "Id": request.id,
        "AccountName": request.account_name,
        "State": state,
        "RequestedTimestamp": request.requested_at,
    }
    if state != "IN_PROGRESS":
        status["CompletedTimestamp"] = request.completed_at
        if request.account_id:
            status["AccountId"] = request.account_id
        if request.failure_reason:
            status["FailureReason"] = request.failure_reason
    return status


def _new_account_id(call: Call) -> str:
    while True:
        candidate = ids.account_id()
        if call.db.get(Account, candidate) is None:
            return candidate


def _access_role(call: Call, account_id: str, role_name: str, mgmt: str) -> None:
    role = Role(
        id=ids.unique_id("AROA"),
        account_id=account_id,
        name=role_name,
        name_key=role_name.lower(),
        path="/",
        arn=iam_arn(account_id, "role", "/", role_name),
        assume_role_policy=trust_management(mgmt),
        created_at=call.now,
    )
    call.db.add(role)
    admin = call.db.scalars(
        select(ManagedPolicy).where(ManagedPolicy.arn == aws_managed_policy_arn("AdministratorAccess"))
    ).first()
    if admin is not None:
        call.db.flush()
        call.db.add(PolicyAttachment(principal_type="role", principal_id=role.id, policy_id=admin.id))


@organizations("CreateAccount")
def create_account(call: Call) -> Result:
    org = scope(call)
    db, params = call.db, call.params
    role_name = params.get("RoleName") or DEFAULT_ROLE
    if role_name.lower().startswith(_RESERVED_ROLE_PREFIX):
        raise errors.invalid_input("INVALID_ROLE_NAME")
    tags = params.get("Tags") or []
    if tags:
        check_tags(tags)
        if len(tags) > limit("MAX_TAGS"):
            raise errors.constraint("MAX_TAG_LIMIT_EXCEEDED")
    members = db.scalar(select(func.count()).select_from(Account).where(Account.organization_id == org.org_id)) or 0
    if members >= limit("MAX_ACCOUNTS"):
        raise errors.constraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED")
    request = CreateAccountRequest(
        id=f"car-{uuid.uuid4().hex}",
        organization_id=org.org_id,
        account_name=params["AccountName"],
        state="IN_PROGRESS",
        requested_at=call.now,
    )
    db.add(request)
    email = params["Email"]
    taken = db.scalars(select(Account.id).where(func.lower(Account.email) == email.lower()).limit(1)).first()
    if taken is not None:
        request.state, request.failure_reason = "FAILED", "EMAIL_ALREADY_EXISTS"
    else:
        account = Account(
            id=_new_account_id(call),
            name=params["AccountName"],
            email=email,
            status="ACTIVE",
            organization_id=org.org_id,
            parent_id=org.root.id,
            joined_method="CREATED",
            joined_at=call.now,
        )
        db.add(account)
        db.flush()
        tree.attach_defaults(db, org.org_id, org.root, account.id)
        _access_role(call, account.id, role_name, org.mgmt)
        if tags:
            put_tags(call, account.id, tags)
        request.state, request.account_id = "SUCCEEDED", account.id
        org.changed()
    request.completed_at = call.now
    return {"CreateAccountStatus": _status(request, reported_state="IN_PROGRESS")}


@organizations("DescribeCreateAccountStatus")
def describe_create_account_status(call: Call) -> Result:
    org = scope(call)
    request = call.db.get(CreateAccountRequest, call.params["CreateAccountRequestId"])
    if request is None or request.organization_id != org.org_id:
        raise errors.error(
            "CreateAccountStatusNotFoundException",
            "We can't find an create account request with the CreateAccountRequestId that you specified.",
        )
    return {"CreateAccountStatus": _status(request)}


@organizations("ListCreateAccountStatus")
def list_create_account_status(call: Call) -> Result:
    org = scope(call)
    states = call.params.get("States") or []
    query = select(CreateAccountRequest).where(CreateAccountRequest.organization_id == org.org_id)
    if states:
        query = query.where(CreateAccountRequest.state.in_(states))
    requests = list(call.db.scalars(query))
    return page(
        call,
        requests,
        lambda r: r.id,
        scope_parts=sorted(states),
        result_member="CreateAccountStatuses",
        shape=_status,
    )


def _account(org: OrgScope, account_id: str) -> Account:
    account = tree.account_in(org.call.db, org.org_id, account_id)
    if account is None:
        raise errors.account_not_found()
    return account


@organizations("DescribeAccount")
def describe_account(call: Call) -> Result:
    org = scope(call)
    return {"Account": org.account_shape(_account(org, call.params["AccountId"]))}


ACCOUNT_COLUMNS = (
    Account.id,
    Account.email,
    Account.name,
    Account.status,
    Account.joined_method,
    Account.joined_at,
    Account.parent_id,
)


_LIST_ACCOUNTS = keyset(
    select(*ACCOUNT_COLUMNS).where(Account.organization_id == bindparam("organization_id")), Account.id
)


@organizations("ListAccounts")
def list_accounts(call: Call) -> Result:
    org = scope(call)
    ous = call.runtime.facts.org.ou_parents(call.db, org.org_id, call.runtime.watch)
    return page_query(
        call,
        _LIST_ACCOUNTS,
        Account.id,
        values={"organization_id": org.org_id},
        result_member="Accounts",
        shape=lambda a: org.account_shape(a, ous),
    )


@organizations("ListAccountsForParent")
def list_accounts_for_parent(call: Call) -> Result:
    org = scope(call)
    parent_id = org.parent(call.params["ParentId"])
    accounts = list(
        call.db.scalars(select(Account).where(Account.organization_id == org.org_id, Account.parent_id == parent_id))
    )
    ous = tree.ous_of(call.db, org.org_id)
    return page(
        call,
        accounts,
        lambda a: a.id,
        scope_parts=[parent_id],
        result_member="Accounts",
        shape=lambda a: org.account_shape(a, ous),
    )


@organizations("MoveAccount")
def move_account(call: Call) -> Result:
    org = scope(call)
    params = call.params
    account = _account(org, params["AccountId"])
    source = org.parent(
        params["SourceParentId"],
        lambda: errors.error(
            "SourceParentNotFoundException",
            "We can't find a source root or OU with the ParentId that you specified.",
        ),
    )
    destination = org.parent(
        params["DestinationParentId"],
        lambda: errors.error(
            "DestinationParentNotFoundException",
            "We can't find the destination container (a root or OU) with the ParentId that you specified.",
        ),
    )
    if account.parent_id == destination:
        raise errors.error("DuplicateAccountException", "That account is already present in the specified destination.")
    if account.parent_id != source:
        raise errors.error(
            "SourceParentNotFoundException",
            "We can't find a source root or OU with the ParentId that you specified.",
        )
    account.parent_id = destination
    org.changed()
    return {}


def _master_cannot_leave() -> Exception:
    return errors.error(
        "MasterCannotLeaveOrganizationException",
        "You can't remove a management account from an organization. If you want the management "
        "account to become a member account in another organization, you must first delete the "
        "current organization of the management account.",
    )


@organizations("RemoveAccountFromOrganization")
def remove_account_from_organization(call: Call) -> Result:
    org = scope(call)
    account = _account(org, call.params["AccountId"])
    if account.id == org.mgmt:
        raise _master_cannot_leave()
    tree.forget_target(call.db, account.id)
    account.organization_id, account.parent_id = None, None
    org.changed()
    return {}


@organizations("CloseAccount")
def close_account(call: Call) -> Result:
    org = scope(call)
    account = _account(org, call.params["AccountId"])
    if account.id == org.mgmt:
        raise errors.constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
    if account.status != "ACTIVE":
        raise errors.error("AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
    account.status = "SUSPENDED"
    org.changed()
    return {}

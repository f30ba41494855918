"""What every Organizations operation shares: the operation table, the caller's place in the organization,
wire shapes, ids, tags and pagination.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select

from baryon.edge.context import Call
from baryon.edge.errors import ValidationFailed
from baryon.edge.operations import Operations, Result
from baryon.edge.pagination import PageTokens
from baryon.org import arns, errors, tree
from baryon.org.limits import limit
from baryon.org.tables import Account, Organization, OrganizationalUnit, OrgPolicy, OrgTag, Root

organizations = Operations("organizations")

T = TypeVar("T")
_LOWER_DIGITS = string.ascii_lowercase + string.digits
DEFAULT_PAGE = 20


def random_suffix(length: int) -> str:
    return "".join(secrets.choice(_LOWER_DIGITS) for _ in range(length))


@dataclass
class OrgScope:
    """The organization a call acts on, its root, and the calling account."""

    call: Call
    organization: Organization
    root: Root
    account: Account

    @property
    def org_id(self) -> str:
        return self.organization.id

    @property
    def mgmt(self) -> str:
        return self.organization.management_account_id

    @property
    def is_management(self) -> bool:
        return self.account.id == self.mgmt

    def enabled(self, policy_type: str) -> bool:
        return policy_type in (self.root.policy_types or ())

    def changed(self) -> None:
        """The tree, a policy or an attachment changed: caches of authorization data must drop."""
        self.call.runtime.watch.bump(self.call.db)

    # -- ARNs --------------------------------------------------------------------------------------------

    def target_arn(self, target_id: str) -> str:
        return arns.target_arn(self.mgmt, self.org_id, target_id)

    def policy_arn(self, policy: OrgPolicy) -> str:
        return arns.policy_arn(self.mgmt, self.org_id, policy.type, policy.id, policy.aws_managed)

    # -- wire shapes -------------------------------------------------------------------------------------

    def path(self, parent_id: str, own_id: str, ous: dict[str, OrganizationalUnit] | None = None) -> str:
        nodes = tree.ancestors(self.call.db, parent_id, ous)
        return "/".join([self.org_id, *nodes, own_id]) + "/"

    def account_shape(self, account: Account, ous: dict[str, OrganizationalUnit] | None = None) -> Result:
        shape: Result = {
            "Id": account.id,
            "Arn": arns.account_arn(self.mgmt, self.org_id, account.id),
            "Email": account.email,
            "Name": account.name,
            "Status": account.status,
            "State": account.status,
            "JoinedMethod": account.joined_method,
            "JoinedTimestamp": account.joined_at,
        }
        if account.parent_id:
            shape["Paths"] = [self.path(account.parent_id, account.id, ous)]
        return shape

    def ou_shape(self, ou: OrganizationalUnit, ous: dict[str, OrganizationalUnit] | None = None) -> Result:
        return {
            "Id": ou.id,
            "Arn": arns.ou_arn(self.mgmt, self.org_id, ou.id),
            "Name": ou.name,
            "Path": self.path(ou.parent_id, ou.id, ous),
        }

    def root_shape(self, root: Root | None = None) -> Result:
        root = root or self.root
        return {
            "Id": root.id,
            "Arn": arns.root_arn(self.mgmt, self.org_id, root.id),
            "Name": root.name,
            "PolicyTypes": [{"Type": t, "Status": "ENABLED"} for t in root.policy_types or ()],
        }

    def policy_summary(self, policy: OrgPolicy) -> Result:
        return {
            "Id": policy.id,
            "Arn": self.policy_arn(policy),
            "Name": policy.name,
            "Description": policy.description,
            "Type": policy.type,
            "AwsManaged": policy.aws_managed,
        }

    # -- lookups -----------------------------------------------------------------------------------------

    def parent(self, parent_id: str, error: Callable[[], Exception] = errors.parent_not_found) -> str:
        """A root or OU of this organization, by id; `error` when there is none."""
        if parent_id == self.root.id:
            return parent_id
        if parent_id.startswith("ou-") and tree.ou_in(self.call.db, self.org_id, parent_id) is not None:
            return parent_id
        raise error()

    def target_exists(self, target_id: str) -> bool:
        db = self.call.db
        if target_id.startswith("r-"):
            return target_id == self.root.id
        if target_id.startswith("ou-"):
            return tree.ou_in(db, self.org_id, target_id) is not None
        return tree.account_in(db, self.org_id, target_id) is not None

    def policy(self, policy_id: str) -> OrgPolicy:
        policy = self.call.db.get(OrgPolicy, policy_id)
        if policy is None or (policy.organization_id not in (None, self.org_id)):
            raise errors.policy_not_found()
        return policy


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


_SCOPE = (
    select(Account, Organization, Root)
    .join(Organization, Organization.id == Account.organization_id)
    .outerjoin(Root, Root.organization_id == Organization.id)
    .where(Account.id == bindparam("account_id"))
)
"""Built once: constructing a statement costs more than running it against an indexed table."""


def scope(call: Call, *, members: bool = False) -> OrgScope:
    """The caller's organization. Only the management account may manage it (`members=True` lets member
    accounts through); an account outside any organization gets `AWSOrganizationsNotInUseException`.

    Text with a NUL character is refused here (PostgreSQL cannot store it)."""
    if _has_nul(call.params):
        raise errors.invalid_input(
            "INVALID_PATTERN",
            "You provided a value that doesn't match the required pattern: it contains a NUL character.",
        )
    db = call.db
    found = db.execute(_SCOPE, {"account_id": call.account_id}).first()
    if found is None:
        raise errors.not_in_use()
    account, organization, root = found
    if root is None:
        tree.ensure_root(db, call.runtime.watch)
        root = tree.root_of(db, organization.id)
        assert root is not None
    org = OrgScope(call, organization, root, account)
    if not members and not org.is_management:
        raise errors.access_denied()
    return org


# -- tags --------------------------------------------------------------------------------------------------


def check_tags(tags: Sequence[dict[str, str]]) -> None:
    keys = [t["Key"] for t in tags]
    if len(set(keys)) != len(keys):
        raise errors.invalid_input("DUPLICATE_TAG_KEY")
    if any(key.lower().startswith("aws:") for key in keys):
        raise errors.invalid_input("INVALID_SYSTEM_TAGS_PARAMETER")


def put_tags(call: Call, resource_id: str, tags: Sequence[dict[str, str]]) -> None:
    check_tags(tags)
    db = call.db
    existing = {t.key: t for t in db.scalars(select(OrgTag).where(OrgTag.resource_id == resource_id))}
    new_keys = {t["Key"] for t in tags} - set(existing)
    if len(existing) + len(new_keys) > limit("MAX_TAGS"):
        raise errors.constraint("MAX_TAG_LIMIT_EXCEEDED")
    for tag in tags:
        row = existing.get(tag["Key"])
        if row is None:
            db.add(OrgTag(resource_id=resource_id, key=tag["Key"], value=tag["Value"]))
        else:
            row.value = tag["Value"]


def tags_of(call: Call, resource_id: str) -> list[OrgTag]:
    return list(call.db.scalars(select(OrgTag).where(OrgTag.resource_id == resource_id).order_by(OrgTag.key)))


# -- pagination --------------------------------------------------------------------------------------------


def keyset(statement: Select[Any], key: Any) -> Select[Any]:
    """A listing statement for `page_query`: rows after `:after` in `key` order, at most `:limit` of them."""
    return statement.where(key > bindparam("after")).order_by(key).limit(bindparam("limit"))


def page_query(
    call: Call,
    statement: Select[Any],
    key: Any,
    *,
    values: dict[str, Any] | None = None,
    scope_parts: Sequence[object] = (),
    result_member: str,
    shape: Callable[[Any], Any],
) -> Result:
    """Like `page`, but the database orders by `key` and returns only the page, so listings that grow to
    thousands of rows never load them all. `statement` comes from `keyset` (built once, at import);
    `values` fills its other bound parameters."""
    tokens = PageTokens(call.runtime.secrets.mac)
    token_scope = _token_scope(call, scope_parts)
    token = call.params.get("NextToken")
    values = dict(values or {})
    values["after"] = _token_position(tokens, token_scope, token) if token is not None else ""
    size = call.params.get("MaxResults") or DEFAULT_PAGE
    values["limit"] = size + 1
    rows = list(call.db.execute(statement, values))
    chunk = rows[:size]
    result: Result = {result_member: [shape(row) for row in chunk]}
    if len(rows) > size:
        result["NextToken"] = tokens.issue(token_scope, [getattr(chunk[-1], key.key)])
    return result


def _token_scope(call: Call, scope_parts: Sequence[object]) -> str:
    return "\x1f".join(["organizations", str(call.ctx.operation), call.account_id, *(str(p) for p in scope_parts)])


def _token_position(tokens: PageTokens, token_scope: str, token: str) -> str:
    try:
        position = tokens.read(token_scope, token, "NextToken")
    except ValidationFailed:
        raise errors.invalid_input("INVALID_NEXT_TOKEN") from None
    if len(position) != 1 or not isinstance(position[0], str):
        raise errors.invalid_input("INVALID_NEXT_TOKEN")
    return position[0]


def page(
    call: Call,
    items: Sequence[T],
    key: Callable[[T], str],
    *,
    scope_parts: Sequence[object] = (),
    result_member: str,
    shape: Callable[[T], Any],
) -> Result:
    """One page of `items` (ordered by `key`) after the caller's `NextToken`, with the next token if more
    remain. Tokens are bound to the operation, the caller's account and `scope_parts` (the filters)."""
    tokens = PageTokens(call.runtime.secrets.mac)
    token_scope = _token_scope(call, scope_parts)
    ordered = sorted(items, key=key)
    token = call.params.get("NextToken")
    if token is not None:
        after = _token_position(tokens, token_scope, token)
        ordered = [item for item in ordered if key(item) > after]
    size = call.params.get("MaxResults") or DEFAULT_PAGE
    chunk = ordered[:size]
    result: Result = {result_member: [shape(item) for item in chunk]}
    if len(ordered) > size:
        result["NextToken"] = tokens.issue(token_scope, [key(chunk[-1])])
    return result

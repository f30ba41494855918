"""First start: the organization's management account, its administrator, and the AWS-managed policies.

Runs at every start and is idempotent: an existing installation keeps its accounts and keys; the
administrator's key is read back (decrypted) so the AWS profile can be rewritten.
"""

from __future__ import annotations

import secrets as random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from baryon import ids
from baryon.crypto import SecretBox
from baryon.identity.arns import aws_managed_policy_arn, iam_arn
from baryon.identity.aws_managed import POLICIES
from baryon.identity.tables import AccessKey, ManagedPolicy, PolicyAttachment, PolicyVersion, User
from baryon.org.tables import Account, Organization
from baryon.org.tree import ensure_root
from baryon.store import meta
from baryon.store.db import Store

ADMIN_USER = "baryon-admin"
ADMIN_KEY = "bootstrap.admin_access_key_id"


@dataclass(frozen=True)
class AdminCredentials:
    account_id: str
    user_arn: str
    access_key_id: str
    secret_access_key: str


def seed_aws_managed_policies(db: Session) -> None:
    existing = {row.name: row for row in db.scalars(select(ManagedPolicy).where(ManagedPolicy.account_id == "aws"))}
    for name, (description, document) in POLICIES.items():
        row = existing.get(name)
        if row is None:
            row = ManagedPolicy(
                id=ids.unique_id("ANPA"),
                account_id="aws",
                name=name,
                name_key=name.lower(),
                path="/",
                arn=aws_managed_policy_arn(name),
                description=description,
            )
            db.add(row)
            db.flush()
            db.add(PolicyVersion(policy_id=row.id, version_id="v1", document=document))
        else:
            version = db.get(PolicyVersion, (row.id, row.default_version_id))
            if version is not None and version.document != document:
                version.document = document


def _create_management_account(db: Session, box: SecretBox) -> AdminCredentials:
    account_id = ids.account_id()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    organization = Organization(
        id="o-" + "".join(random.choice(alphabet) for _ in range(10)), management_account_id=account_id
    )
    db.add(organization)
    db.add(
        Account(
            id=account_id,
            name="management",
            email=f"management@{account_id}.baryon.local",
            organization_id=organization.id,
            joined_method="INVITED",
        )
    )
    db.flush()
    return _issue_admin_key(db, box, account_id)


def _admin_user(db: Session, account_id: str) -> User:
    """The bootstrap administrator, (re)created with AdministratorAccess if it is missing."""
    user = db.scalars(select(User).where(User.account_id == account_id, User.name_key == ADMIN_USER)).first()
    if user is not None:
        return user
    user = User(
        id=ids.unique_id("AIDA"),
        account_id=account_id,
        name=ADMIN_USER,
        name_key=ADMIN_USER,
        arn=iam_arn(account_id, "user", "/", ADMIN_USER),
    )
    db.add(user)
    admin_policy = db.scalars(
        select(ManagedPolicy).where(ManagedPolicy.arn == aws_managed_policy_arn("AdministratorAccess"))
    ).one()
    db.flush()
    db.add(PolicyAttachment(principal_type="user", principal_id=user.id, policy_id=admin_policy.id))
    return user


def _issue_admin_key(db: Session, box: SecretBox, account_id: str) -> AdminCredentials:
    user = _admin_user(db, account_id)
    secret = ids.secret_access_key()
    key = AccessKey(id=ids.access_key_id(), account_id=account_id, user_id=user.id, secret_sealed=box.seal(secret))
    db.add(key)
    meta.put(db, ADMIN_KEY, key.id)
    return AdminCredentials(account_id, user.arn, key.id, secret)


def _admin(db: Session, box: SecretBox) -> AdminCredentials:
    """The administrator's working key. If someone deleted or deactivated it (or the user), a new key is
    issued, so `baryon up` always writes a profile that works."""
    key_id = meta.get(db, ADMIN_KEY)
    if key_id is None:
        return _create_management_account(db, box)
    key = db.get(AccessKey, key_id)
    if key is not None and key.user_id is not None and key.status == "Active":
        user = db.get(User, key.user_id)
        if user is not None:
            return AdminCredentials(key.account_id, user.arn, key.id, box.open(key.secret_sealed))
    management = db.scalars(select(Organization.management_account_id)).one()
    return _issue_admin_key(db, box, management)


def bootstrap(store: Store, box: SecretBox) -> AdminCredentials:
    """Make sure the installation has its management account and administrator; return the admin's key."""
    with store.session() as db:
        seed_aws_managed_policies(db)
        admin = _admin(db, box)
        ensure_root(db)
        return admin

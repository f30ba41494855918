"""From an access key id to the secret that must have signed the request and the caller it stands for.

Lookups are cached in memory and dropped whenever the authorization generation moves (a key is created,
deactivated or deleted, a role changes...), so the hot path of an authenticated call does no database work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from baryon.crypto import SecretBox
from baryon.identity.arns import assumed_role_arn, root_arn
from baryon.identity.caller import Caller
from baryon.identity.tables import AccessKey, Role, StsSession, User
from baryon.org.tables import Account
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch


@dataclass(frozen=True)
class Credential:
    secret: str
    caller: Caller
    active: bool
    token_fingerprint: str | None = None
    expires_at: datetime | None = None


def _tags(raw: list[dict[str, str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple((t["Key"], t["Value"]) for t in raw or [])


class CredentialResolver:
    """Resolves access key ids to credentials, with a generation-checked cache."""

    def __init__(self, store: Store, secrets: SecretBox, watch: GenerationWatch) -> None:
        self._store = store
        self._secrets = secrets
        self._watch = watch
        self._cache: dict[str, Credential | None] = {}
        self._epoch = -1
        self._lock = threading.Lock()

    def cached(self, access_key_id: str) -> tuple[bool, Credential | None]:
        """(True, credential) when the answer is known without the store; (False, None) otherwise."""
        epoch = self._watch.current()
        with self._lock:
            if epoch is None or epoch != self._epoch or access_key_id not in self._cache:
                return False, None
            return True, self._cache[access_key_id]

    def resolve(self, access_key_id: str) -> Credential | None:
        epoch = self._watch.refresh()
        with self._lock:
            if epoch != self._epoch:
                self._cache.clear()
                self._epoch = epoch
            if access_key_id in self._cache:
                return self._cache[access_key_id]
        credential = self._load(access_key_id)
        with self._lock:
            if len(self._cache) > 100_000:
                self._cache.clear()
            if self._epoch == epoch and self._watch.local_epoch == epoch:  # else it may be stale already
                self._cache[access_key_id] = credential
        return credential

    def _load(self, access_key_id: str) -> Credential | None:
        """The credential behind a key; None if unknown or if its account is not ACTIVE (closed or
        suspended accounts cannot sign in)."""
        with self._store.session() as db:
            credential = self._load_key(db, access_key_id)
            if credential is None:
                return None
            account = db.get(Account, credential.caller.account_id)
            return credential if account is not None and account.status == "ACTIVE" else None

    def _load_key(self, db: Session, access_key_id: str) -> Credential | None:
        if access_key_id.startswith("ASIA"):
            return self._load_session(db, access_key_id)
        key = db.get(AccessKey, access_key_id)
        if key is None:
            return None
        secret = self._secrets.open(key.secret_sealed)
        if key.user_id is None:
            caller = Caller(
                arn=root_arn(key.account_id),
                account_id=key.account_id,
                kind="root",
                user_id=key.account_id,
                principal_id=key.account_id,
                access_key_id=access_key_id,
                name="root",
            )
        else:
            user = db.get(User, key.user_id)
            if user is None:
                return None
            caller = Caller(
                arn=user.arn,
                account_id=user.account_id,
                kind="user",
                user_id=user.id,
                principal_id=user.id,
                access_key_id=access_key_id,
                name=user.name,
                tags=_tags(user.tags),
            )
        return Credential(secret=secret, caller=caller, active=key.status == "Active")

    def _load_session(self, db: Session, access_key_id: str) -> Credential | None:
        session = db.get(StsSession, access_key_id)
        if session is None:
            return None
        secret = self._secrets.open(session.secret_sealed)
        if session.kind == "assumed-role":
            role = db.get(Role, session.principal_id)
            if role is None:
                return None
            session_tags = _tags(session.tags)
            overridden = {key.lower() for key, _ in session_tags}
            tags = session_tags + tuple(t for t in _tags(role.tags) if t[0].lower() not in overridden)
            caller = Caller(
                arn=assumed_role_arn(role.account_id, role.name, session.session_name or ""),
                account_id=role.account_id,
                kind="assumed-role",
                user_id=f"{role.id}:{session.session_name}",
                principal_id=role.id,
                access_key_id=access_key_id,
                name=role.name,
                role_arn=role.arn,
                session_name=session.session_name,
                session_policy=session.session_policy,
                session_policy_arns=tuple(session.session_policy_arns or ()),
                tags=tags,
                expires_at=session.expires_at,
            )
        else:
            user = db.get(User, session.principal_id)
            if user is None:
                return None
            caller = Caller(
                arn=user.arn,
                account_id=user.account_id,
                kind="user",
                user_id=user.id,
                principal_id=user.id,
                access_key_id=access_key_id,
                name=user.name,
                tags=_tags(user.tags),
                expires_at=session.expires_at,
            )
        return Credential(
            secret=secret,
            caller=caller,
            active=True,
            token_fingerprint=session.token_fingerprint,
            expires_at=session.expires_at,
        )

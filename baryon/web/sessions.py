"""Dashboard sessions: an access key pair exchanged for a session cookie.

Signing in checks the key pair with an in-process `sts:GetCallerIdentity` signed with it; on success the
server keeps the credentials sealed (`SecretBox`) under the SHA-256 of a random 32-byte session id, and the
browser keeps only the id, in an HttpOnly, SameSite=Strict cookie. Sessions last 12 hours; signing out
deletes the row, so the cookie is worthless from then on.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from baryon.crypto import SecretBox, fingerprint
from baryon.store.db import Store
from baryon.web.calls import Credentials
from baryon.web.tables import WebSession

COOKIE = "baryon_session"
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    """A live session: the id from the cookie (it binds the CSRF token), who it is, and its credentials."""

    session_id: str
    principal_arn: str
    account_id: str
    credentials: Credentials
    expires_at: datetime


class Sessions:
    def __init__(self, store: Store, box: SecretBox) -> None:
        self._store = store
        self._box = box

    def create(self, credentials: Credentials, principal_arn: str, account_id: str, now: datetime) -> SignedIn:
        """A new session for credentials that just proved themselves; expired sessions are swept meanwhile."""
        session_id = secrets.token_urlsafe(32)
        sealed = self._box.seal(
            json.dumps(
                {
                    "AccessKeyId": credentials.access_key_id,
                    "SecretAccessKey": credentials.secret_access_key,
                    "SessionToken": credentials.session_token,
                }
            )
        )
        expires_at = now + LIFETIME
        with self._store.session() as db:
            db.execute(delete(WebSession).where(WebSession.expires_at <= now))
            db.add(
                WebSession(
                    id_hash=fingerprint(session_id),
                    principal_arn=principal_arn,
                    account_id=account_id,
                    credentials=sealed,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return SignedIn(session_id, principal_arn, account_id, credentials, expires_at)

    def find(self, session_id: str, now: datetime) -> SignedIn | None:
        """The live session behind a cookie's id, or None (unknown, expired, or sealed with another key)."""
        with self._store.session() as db:
            row = db.get(WebSession, fingerprint(session_id))
            if row is None or row.expires_at <= now:
                return None
            try:
                opened = json.loads(self._box.open(row.credentials))
            except ValueError:
                return None
            credentials = Credentials(opened["AccessKeyId"], opened["SecretAccessKey"], opened["SessionToken"])
            return SignedIn(session_id, row.principal_arn, row.account_id, credentials, row.expires_at)

    def end(self, session_id: str) -> None:
        with self._store.session() as db:
            db.execute(delete(WebSession).where(WebSession.id_hash == fingerprint(session_id)))

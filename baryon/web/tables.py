"""Dashboard sessions: who signed in, with which credentials (sealed), until when.

Only a hash of the session id is stored: the id itself lives in the browser's cookie, so a copy of the
database cannot be replayed as a session.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baryon.store.base import Base, UTCDateTime


class WebSession(Base):
    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 (hex) of the session id in the cookie."""
    principal_arn: Mapped[str] = mapped_column(String(2048))
    account_id: Mapped[str] = mapped_column(String(12))
    credentials: Mapped[str] = mapped_column(Text)
    """The access key pair (and session token) as JSON, sealed with the runtime's `SecretBox`."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

"""Small named facts about this installation (which access key the bootstrap admin got, ...)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from baryon.store.base import Base


class Meta(Base):
    __tablename__ = "baryon_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def get(db: Session, key: str) -> str | None:
    row = db.get(Meta, key)
    return row.value if row else None


def put(db: Session, key: str, value: str) -> None:
    db.merge(Meta(key=key, value=value))

"""IAM pagination: `Marker` / `MaxItems` in, `IsTruncated` / `Marker` out.

Markers are the signed tokens of `baryon.edge.pagination`, bound to the operation, the account and the
listing's filters. Pages are keyset pages: the marker holds the sort key of the last item returned, so items
created or deleted between calls never shift what the next page holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from baryon.edge.context import Call
from baryon.edge.pagination import PageTokens

DEFAULT_MAX_ITEMS = 100

T = TypeVar("T")
Key = tuple[Any, ...]


def scope(call: Call, *filters: object) -> str:
    """What a marker is valid for: this operation, this account, these filters."""
    assert call.ctx.operation is not None
    return json.dumps(["iam", call.ctx.operation, call.account_id, *filters], separators=(",", ":"))


def _tokens(call: Call) -> PageTokens:
    return PageTokens(call.runtime.secrets.mac)


def _start(call: Call, listing: str) -> list[Any] | None:
    marker = call.params.get("Marker")
    return _tokens(call).read(listing, marker) if marker is not None else None


def _finish(
    call: Call, listing: str, items: list[T], more: bool, key: Callable[[T], Key]
) -> tuple[list[T], dict[str, Any]]:
    fields: dict[str, Any] = {"IsTruncated": more}
    if more and items:
        fields["Marker"] = _tokens(call).issue(listing, list(key(items[-1])))
    return items, fields


def _limit(call: Call) -> int:
    return int(call.params.get("MaxItems") or DEFAULT_MAX_ITEMS)


def page_list(call: Call, listing: str, items: Sequence[T], key: Callable[[T], Key]) -> tuple[list[T], dict[str, Any]]:
    """One page of an in-memory listing ordered by `key` (a tuple of strings)."""
    ordered = sorted(items, key=key)
    after = _start(call, listing)
    if after is not None:
        position = tuple(after)
        ordered = [item for item in ordered if key(item) > position]
    limit = _limit(call)
    return _finish(call, listing, ordered[:limit], len(ordered) > limit, key)


def page_query(
    call: Call,
    listing: str,
    statement: Select[Any],
    first: InstrumentedAttribute[Any],
    second: InstrumentedAttribute[Any],
) -> tuple[list[Any], dict[str, Any]]:
    """One page of a query ordered by (`first`, `second`), `second` unique."""
    after = _start(call, listing)
    if after is not None and len(after) == 2:
        statement = statement.where(or_(first > after[0], and_(first == after[0], second > after[1])))
    limit = _limit(call)
    rows = list(call.db.scalars(statement.order_by(first, second).limit(limit + 1)))
    return _finish(
        call,
        listing,
        rows[:limit],
        len(rows) > limit,
        lambda row: (getattr(row, first.key), getattr(row, second.key)),
    )


def page_indexed(call: Call, listing: str, items: Sequence[T]) -> tuple[list[T], dict[str, Any]]:
    """One page of a short listing whose order is fixed (tags, in the order they were set)."""
    after = _start(call, listing)
    begin = after[0] if after and isinstance(after[0], int) and after[0] >= 0 else 0
    limit = _limit(call)
    page = list(items[begin : begin + limit])
    more = begin + limit < len(items)
    fields: dict[str, Any] = {"IsTruncated": more}
    if more:
        fields["Marker"] = _tokens(call).issue(listing, [begin + limit])
    return page, fields

"""Condition keys that describe the tags a request sets."""

from __future__ import annotations

from typing import Any


def tag_context(tags: list[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict[str, Any]:
    """`aws:RequestTag/K` and `aws:TagKeys` for a request that sets tags."""
    if not tags:
        return {}
    context: dict[str, Any] = {f"aws:RequestTag/{t[key]}": t[value] for t in tags}
    context["aws:TagKeys"] = tuple(t[key] for t in tags)
    return context

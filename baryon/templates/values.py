"""Checking one value against an input's schema object, the way Proton checks spec inputs: the value must
have the declared type (``number`` accepts integers and decimals, ``integer`` only whole numbers, booleans are
never numbers) and meet ``enum``, ``pattern`` (a search, as OpenAPI patterns are unanchored), the numeric
bounds, the length and item-count bounds; objects get their properties' defaults filled in."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from baryon.templates.errors import BundleError
from baryon.templates.schema import InputSchema
from baryon.templates.yamlio import type_name

_ARTICLE = {"string": "a string", "number": "a number", "integer": "an integer", "boolean": "a boolean",
            "array": "a list", "object": "a mapping"}  # fmt: skip


def same_value(a: Any, b: Any) -> bool:
    """Equality that does not confuse ``true`` with ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_IS_TYPE: dict[str | None, Callable[[Any], bool]] = {
    None: lambda value: True,
    "string": lambda value: isinstance(value, str),
    "number": _is_number,
    "integer": lambda value: _is_number(value) and float(value).is_integer(),
    "boolean": lambda value: isinstance(value, bool),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}


def _check_number(value: float, schema: InputSchema, where: str) -> None:
    lo, hi = schema.minimum, schema.maximum
    if lo is not None and (value < lo or (schema.exclusive_minimum and value == lo)):
        relation = "greater than" if schema.exclusive_minimum else "at least"
        raise BundleError(f"{where}: must be {relation} {_num(lo)}")
    if hi is not None and (value > hi or (schema.exclusive_maximum and value == hi)):
        relation = "less than" if schema.exclusive_maximum else "at most"
        raise BundleError(f"{where}: must be {relation} {_num(hi)}")
    step = schema.multiple_of
    if step and not math.isclose(value / step, round(value / step), abs_tol=1e-9):
        raise BundleError(f"{where}: must be a multiple of {_num(step)}")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_string(value: str, schema: InputSchema, where: str) -> None:
    if schema.min_length is not None and len(value) < schema.min_length:
        raise BundleError(f"{where}: must be at least {schema.min_length} characters long")
    if schema.max_length is not None and len(value) > schema.max_length:
        raise BundleError(f"{where}: must be at most {schema.max_length} characters long")
    pattern = schema.compiled_pattern
    if pattern is not None and pattern.search(value) is None:
        raise BundleError(f"{where}: must match the pattern {schema.pattern}")


def _check_array(value: list[Any], schema: InputSchema, where: str) -> list[Any]:
    if schema.min_items is not None and len(value) < schema.min_items:
        raise BundleError(f"{where}: must have at least {schema.min_items} items")
    if schema.max_items is not None and len(value) > schema.max_items:
        raise BundleError(f"{where}: must have at most {schema.max_items} items")
    items = schema.items
    out = [check_value(v, items, f"{where}[{i}]") for i, v in enumerate(value)] if items else list(value)
    if schema.unique_items:
        for i, v in enumerate(out):
            if any(same_value(v, w) for w in out[:i]):
                raise BundleError(f"{where}[{i}]: duplicate item (items must be unique)")
    return out


def check_value(value: Any, schema: InputSchema, where: str) -> Any:
    """Return ``value`` (objects with defaults filled in) or raise BundleError starting with ``where``."""
    if value is None:
        if schema.nullable:
            return None
        raise BundleError(f"{where}: must be {_ARTICLE[schema.type or 'string']}, not null")
    if not _IS_TYPE[schema.type](value):
        raise BundleError(f"{where}: must be {_ARTICLE[schema.type or 'string']}, not {type_name(value)}")
    if schema.enum is not None and not any(same_value(value, e) for e in schema.enum):
        allowed = ", ".join(str(e) for e in schema.enum)
        raise BundleError(f"{where}: must be one of [{allowed}], not {value!r}")
    if schema.type in ("number", "integer"):
        _check_number(value, schema, where)
    elif schema.type == "string":
        _check_string(value, schema, where)
    elif schema.type == "array":
        return _check_array(value, schema, where)
    elif schema.type == "object":
        return check_object(value, schema, where, keep_unknown=True)[0]
    return value


def check_object(
    value: Mapping[str, Any] | None, schema: InputSchema, where: str, *, keep_unknown: bool
) -> tuple[dict[str, Any], list[str]]:
    """Check a mapping against an object schema: known properties are checked, missing ones take their
    default, missing required ones without a default are an error. An explicit ``null`` counts as missing.
    Returns the checked mapping and the names of properties the schema does not define (kept in the result
    only with ``keep_unknown``)."""
    out: dict[str, Any] = {}
    unknown: list[str] = []
    for key, raw in (value or {}).items():
        name = str(key)
        sub = schema.properties.get(name)
        if sub is None:
            unknown.append(name)
            if keep_unknown:
                out[name] = raw
        elif raw is not None or sub.nullable:
            out[name] = check_value(raw, sub, f"{where}.{name}")
    for name, sub in schema.properties.items():
        if name not in out and sub.has_default:
            out[name] = copy_value(sub.default)
    for name in schema.required:
        if name not in out:
            raise BundleError(f"{where}.{name}: is required")
    return out, unknown


def copy_value(value: Any) -> Any:
    """A copy of nested mappings and lists (scalars are shared)."""
    if isinstance(value, dict):
        return {k: copy_value(v) if isinstance(v, dict | list) else v for k, v in value.items()}
    if isinstance(value, list):
        return [copy_value(v) if isinstance(v, dict | list) else v for v in value]
    return value

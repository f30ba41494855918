"""YAML loading shared by the schema, manifest and spec readers: safe loading only, errors as BundleError
with the file name and position."""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from baryon.templates.errors import BundleError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, where: str) -> Any:
    """Parse one YAML document with the safe loader; BundleError naming ``where`` on a syntax error."""
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise BundleError(f"{where}: invalid YAML{at}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise BundleError(f"{where}: invalid YAML: {exc}") from None


def load_mapping(text: str, where: str) -> dict[str, Any]:
    """Parse a YAML document whose top level must be a mapping."""
    data = load_yaml(text, where)
    if not isinstance(data, dict):
        raise BundleError(f"{where}: must be a YAML mapping, not {type_name(data)}")
    return data


def type_name(value: Any) -> str:
    """The YAML/JSON word for a Python value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__

"""Input checking against a botocore shape: every constraint the model states, not only what botocore checks.

botocore's client-side validator checks required members, types and minimums. AWS also enforces maximum
lengths and values, patterns (full match, Java syntax incl. `\\p{L}`), enums and list/map sizes; a request
from any client (curl, an old SDK) must meet all of them. Values are converted on the way in: timestamps
become aware datetimes, blobs become bytes, query-protocol strings become numbers and booleans.

Problems are collected and reported together in AWS's wording:
`Value 'x' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

import regex
from botocore.model import ListShape, MapShape, Shape, StructureShape

from baryon.edge.errors import SerializationFailed, ValidationFailed

JSON = "json"
QUERY = "query"
MAX_REPORTED = 10


_ASCII_CLASSES = {"w": "a-zA-Z0-9_", "d": "0-9", "s": " \\t\\n\\r\\f\\v"}


def _java_to_python(source: str) -> str:
    """AWS patterns are Java regexes: `\\w`, `\\d`, `\\s` match ASCII only there, while `\\p{L}` is Unicode.
    Python's `\\w` is Unicode, and an ASCII flag would narrow `\\p{L}` too, so the three shorthands are
    spelled out as ASCII ranges."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            escaped = source[index + 1]
            ranges = _ASCII_CLASSES.get(escaped)
            if ranges is None:
                out.append(source[index : index + 2])
            else:
                out.append(ranges if in_class else f"[{ranges}]")
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


@cache
def _pattern(source: str) -> regex.Pattern[str]:
    return regex.compile(_java_to_python(source))


def _quote(value: object) -> str:
    text = str(value)
    if len(text) > 100:
        text = text[:100] + "..."
    return text


def _member_path(parent: str, name: str) -> str:
    local = name[:1].lower() + name[1:]
    return f"{parent}.{local}" if parent else local


class InputReader:
    """Reads one request's parameters; `problems` collects every constraint violation found."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.reason = "INVALID_INPUT"

    def fail(self, value: object, path: str, constraint: str, reason: str = "INVALID_INPUT") -> None:
        """Record one violation. `reason` is the Organizations-style reason code of the first one
        (`INVALID_PATTERN`, `MAX_LENGTH_EXCEEDED`...), for services that report it."""
        if not self.problems:
            self.reason = reason
        shown = "null" if value is None else f"'{_quote(value)}'"
        self.problems.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")

    def read(self, shape: Shape, value: Any, path: str) -> Any:
        kind = shape.type_name
        reader = getattr(self, f"_read_{kind}", None)
        if reader is None:  # pragma: no cover - every botocore type has a reader below
            raise SerializationFailed(f"Unsupported shape type {kind}")
        return reader(shape, value, path)

    def _read_structure(self, shape: StructureShape, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(value, path or "input", "Member must be a structure")
            return None
        members = shape.members
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key not in members:
                self.problems.append(f"'{_quote(key)}' at '{path or 'input'}' is not a member of {shape.name}")
                continue
            if item is None:
                continue
            result[key] = self.read(members[key], item, _member_path(path, key))
        for required in shape.required_members:
            if required not in value or value[required] is None:
                self.fail(None, _member_path(path, required), "Member must not be null", "INPUT_REQUIRED")
        return result

    def _read_list(self, shape: ListShape, value: Any, path: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.fail(value, path, "Member must be a list")
            return None
        self._check_size(shape, len(value), value, path, "Member must have length")
        return [self.read(shape.member, item, f"{path}.{index}.member") for index, item in enumerate(value, 1)]

    def _read_map(self, shape: MapShape, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(value, path, "Member must be a map")
            return None
        self._check_size(shape, len(value), value, path, "Member must have length")
        result: dict[str, Any] = {}
        for key, item in value.items():
            checked_key = self.read(shape.key, key, f"{path}.key")
            result[checked_key] = self.read(shape.value, item, f"{path}.{key}.value")
        return result

    def _read_string(self, shape: Shape, value: Any, path: str) -> str | None:
        if not isinstance(value, str):
            self.fail(value, path, "Member must be a string")
            return None
        if "\x00" in value:
            self.fail(
                value.replace("\x00", "\\0"), path, "Member must not contain the NUL character", "INVALID_PATTERN"
            )
            return value
        enum = shape.enum
        if enum and value not in enum:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]", "INVALID_ENUM")
            return value
        self._check_size(shape, len(value), value, path, "Member must have length")
        pattern = shape.metadata.get("pattern")
        if pattern is not None and not _pattern(pattern).fullmatch(value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern}", "INVALID_PATTERN")
        return value

    def _read_integer(self, shape: Shape, value: Any, path: str) -> int | None:
        number = self._integer(value)
        if number is None:
            self.fail(value, path, "Member must be an integer")
            return None
        self._check_range(shape, number, path)
        return number

    _read_long = _read_integer

    def _integer(self, value: Any) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if self.source == QUERY and isinstance(value, str):
            try:
                return int(value, 10)
            except ValueError:
                return None
        return None

    def _read_double(self, shape: Shape, value: Any, path: str) -> float | None:
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif self.source == QUERY and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            self.fail(value, path, "Member must be a number")
            return None
        self._check_range(shape, number, path)
        return number

    _read_float = _read_double

    def _read_boolean(self, shape: Shape, value: Any, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        if self.source == QUERY and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.fail(value, path, "Member must be a boolean")
        return None

    def _read_timestamp(self, shape: Shape, value: Any, path: str) -> datetime | None:
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return datetime.fromtimestamp(float(value), UTC)
            if isinstance(value, str):
                try:
                    return datetime.fromtimestamp(float(value), UTC)
                except ValueError:
                    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (ValueError, OverflowError, OSError):
            pass
        self.fail(value, path, "Member must be a timestamp")
        return None

    def _read_blob(self, shape: Shape, value: Any, path: str) -> bytes | None:
        if isinstance(value, str):
            try:
                data = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                data = None
            if data is not None:
                self._check_size(shape, len(data), value, path, "Member must have length")
                return data
        self.fail(value, path, "Member must be base64-encoded binary data")
        return None

    def _check_size(self, shape: Shape, size: int, value: object, path: str, what: str) -> None:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        if low is not None and size < low:
            self.fail(value, path, f"{what} greater than or equal to {low}", "MIN_LENGTH_EXCEEDED")
        if high is not None and size > high:
            self.fail(value, path, f"{what} less than or equal to {high}", "MAX_LENGTH_EXCEEDED")

    def _check_range(self, shape: Shape, number: float, path: str) -> None:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        if low is not None and number < low:
            self.fail(number, path, f"Member must have value greater than or equal to {low}", "MIN_VALUE_EXCEEDED")
        if high is not None and number > high:
            self.fail(number, path, f"Member must have value less than or equal to {high}", "MAX_VALUE_EXCEEDED")


def read_input(shape: StructureShape | None, value: Any, source: str) -> dict[str, Any]:
    """Validated, converted parameters for an operation's input shape; raises ValidationFailed."""
    if shape is None:
        if value:
            raise ValidationFailed(["This operation takes no input members"])
        return {}
    reader = InputReader(source)
    result = reader.read(shape, value, "")
    if reader.problems:
        raise ValidationFailed(reader.problems[:MAX_REPORTED], reader.reason)
    return result or {}

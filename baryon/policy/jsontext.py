"""A small JSON reader that remembers where every object starts and ends.

The IAM policy simulator reports each matched statement with its start and end position (line and
column) in the policy text. The standard library's ``json`` module cannot tell positions, so policy
documents are read here. Values come back as plain Python values, except objects: they are
:class:`JsonObject` dicts that also carry the offsets of their ``{`` and ``}``. Duplicate keys are
rejected, so that no two readers of one document can disagree on which value counts.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import NoReturn

from baryon.policy.errors import PolicyError

_MAX_DEPTH = 64
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}


class JsonObject(dict[str, "JsonValue"]):
    """A JSON object; ``start`` and ``end`` are the offsets of its opening and closing braces."""

    __slots__ = ("end", "start")

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start
        self.end = start


JsonValue = str | int | float | bool | None | list["JsonValue"] | JsonObject


class LineIndex:
    """Converts character offsets of one text into 1-based line numbers and line starts."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_and_offset(self, offset: int) -> tuple[int, int]:
        """The 1-based line holding ``offset`` and the 0-based offset of that line's first character."""
        line = bisect.bisect_right(self._starts, offset)
        return line, self._starts[line - 1]


def read_json(text: str) -> JsonValue:
    """Parse ``text`` as one JSON value; raise :class:`PolicyError` with the position of a syntax error."""
    reader = _Reader(text)
    value = reader.value(0)
    reader.skip_whitespace()
    if reader.pos != len(text):
        reader.fail("unexpected text after the JSON document")
    return value


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> NoReturn:
        line, line_start = LineIndex(self.text).line_and_offset(self.pos)
        raise PolicyError(f"Syntax errors in policy: {what} at line {line}, column {self.pos - line_start + 1}.")

    def skip_whitespace(self) -> None:
        match = _WHITESPACE.match(self.text, self.pos)
        assert match is not None  # the pattern also matches the empty string
        self.pos = match.end()

    def value(self, depth: int) -> JsonValue:
        if depth > _MAX_DEPTH:
            self.fail("the document is nested too deeply")
        self.skip_whitespace()
        char = self.text[self.pos : self.pos + 1]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return literal
        number = _NUMBER.match(self.text, self.pos)
        if number is None or not char:
            self.fail("expected a JSON value" if char else "unexpected end of the document")
        self.pos = number.end()
        token = number.group()
        return float(token) if any(c in token for c in ".eE") else int(token)

    def string(self) -> str:
        match = _STRING.match(self.text, self.pos)
        if match is None:
            self.fail("unterminated or invalid string")
        self.pos = match.end()
        decoded: str = json.loads(match.group())
        return decoded

    def object(self, depth: int) -> JsonObject:
        obj = JsonObject(self.pos)
        self.pos += 1
        self.skip_whitespace()
        if self.text.startswith("}", self.pos):
            obj.end = self.pos
            self.pos += 1
            return obj
        while True:
            self.skip_whitespace()
            if not self.text.startswith('"', self.pos):
                self.fail("expected a quoted object key")
            key_pos = self.pos
            key = self.string()
            if key in obj:
                self.pos = key_pos
                self.fail(f'duplicate key "{key}"')
            self.skip_whitespace()
            if not self.text.startswith(":", self.pos):
                self.fail("expected ':' after an object key")
            self.pos += 1
            obj[key] = self.value(depth + 1)
            self.skip_whitespace()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                obj.end = self.pos
                self.pos += 1
                return obj
            else:
                self.fail("expected ',' or '}' in an object")

    def array(self, depth: int) -> list[JsonValue]:
        items: list[JsonValue] = []
        self.pos += 1
        self.skip_whitespace()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.value(depth + 1))
            self.skip_whitespace()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return items
            else:
                self.fail("expected ',' or ']' in an array")

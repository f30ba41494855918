"""Strings that match the (Java-flavoured) regular expressions of AWS service models.

The pattern is translated to Python syntax (`\\p{L}` and friends become small character classes), parsed
with the standard library's regex parser and walked to build a candidate. Candidates are checked against the
original pattern with the `regex` module (the engine the server validates with) and the length bounds, so a
string returned by `matching` is one the model accepts. Everything is driven by the caller's `random.Random`.
"""

from __future__ import annotations

import random
import re
import re._constants as sre
import re._parser as sre_parse
import string
from functools import cache
from typing import Any

import regex

# Java `\p{...}` classes, reduced to a few characters of each (generation only needs members, not all).
_PROPERTY_CLASSES = {
    "L": "a-zA-Z\u00e9\u00df",
    "Z": " ",
    "N": "0-9",
    "P": "!,.\\-",
}
_PROPERTY = re.compile(r"\\[pP]\{(\w+)\}")
_FRIENDLY = string.ascii_letters + string.digits
_PRINTABLE = [chr(c) for c in range(0x21, 0x7F)]
_CATEGORY_CHARS = {
    sre.CATEGORY_DIGIT: string.digits,
    sre.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre.CATEGORY_NOT_WORD: "-.+=,@",
    sre.CATEGORY_NOT_SPACE: _FRIENDLY,
}


def to_python(pattern: str) -> str:
    """The pattern in Python `re` syntax (Java property classes replaced by equivalent-enough sets)."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        match = _PROPERTY.match(pattern, index)
        if match:
            chars = _PROPERTY_CLASSES.get(match.group(1), "a-z")
            out.append(chars if in_class else f"[{chars}]")
            index = match.end()
            continue
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
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
def _parsed(pattern: str) -> Any:
    return sre_parse.parse(to_python(pattern))


@cache
def _checker(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def accepts(pattern: str | None, value: str) -> bool:
    """Whether the server's engine accepts `value` for `pattern` (a full match, as AWS means it)."""
    return pattern is None or _checker(pattern).fullmatch(value) is not None


class _Walker:
    def __init__(self, rng: random.Random, budget: int) -> None:
        self.rng = rng
        self.budget = budget
        self.groups: dict[int, str] = {}

    def walk(self, items: Any) -> str:
        return "".join(self.node(op, arg) for op, arg in items)

    def node(self, op: Any, arg: Any) -> str:
        if op is sre.LITERAL:
            return chr(arg)
        if op is sre.NOT_LITERAL:
            return self.rng.choice([c for c in _FRIENDLY if ord(c) != arg])
        if op is sre.ANY:
            return self.rng.choice(_FRIENDLY)
        if op is sre.IN:
            return self.one_of(arg)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            high = low + self.budget if high is sre.MAXREPEAT else high
            count = self.rng.randint(low, max(low, min(high, low + self.budget)))
            return "".join(self.walk(sub) for _ in range(count))
        if op is sre.SUBPATTERN:
            group, _, _, sub = arg
            text = self.walk(sub)
            if group is not None:
                self.groups[group] = text
            return text
        if op is sre.BRANCH:
            return self.walk(self.rng.choice(arg[1]))
        if op is sre.GROUPREF:
            return self.groups.get(arg, "")
        if op is sre.ATOMIC_GROUP:
            return self.walk(arg)
        return ""  # AT, ASSERT, ASSERT_NOT and the like produce no characters

    def one_of(self, items: list[tuple[Any, Any]]) -> str:
        if items and items[0][0] is sre.NEGATE:
            allowed = [c for c in _PRINTABLE if _class_contains(items[1:], c) is False]
            return self.rng.choice(allowed or ["~"])
        op, arg = self.rng.choice(items)
        if op is sre.LITERAL:
            return chr(arg)
        if op is sre.RANGE:
            low, high = arg
            friendly = [c for c in _PRINTABLE if low <= ord(c) <= high]
            if friendly and self.rng.random() < 0.9:
                return self.rng.choice(friendly)
            code = self.rng.randint(low, high)
            return chr(code) if not 0xD800 <= code <= 0xDFFF else "a"
        if op is sre.CATEGORY:
            return self.rng.choice(_CATEGORY_CHARS.get(arg, _FRIENDLY))
        return self.rng.choice(_FRIENDLY)


_POSITIVE_CATEGORIES = (sre.CATEGORY_DIGIT, sre.CATEGORY_WORD, sre.CATEGORY_SPACE)


def _class_contains(items: list[tuple[Any, Any]], char: str) -> bool:
    code = ord(char)
    for op, arg in items:
        if op is sre.LITERAL and arg == code:
            return True
        if op is sre.RANGE and arg[0] <= code <= arg[1]:
            return True
        if op is sre.CATEGORY and arg in _POSITIVE_CATEGORIES and char in _CATEGORY_CHARS[arg]:
            return True
    return False


def matching(
    pattern: str | None, rng: random.Random, low: int = 0, high: int | None = None, attempts: int = 60
) -> str | None:
    """A string accepted by `pattern` with a length in [low, high], or None if none was found."""
    high = high if high is not None else max(low, 0) + 64
    if low > high:
        return None
    for attempt in range(attempts):
        target = rng.randint(max(low, 1), max(low, 1, min(high, low + 4 + attempt)))
        if pattern is None:
            text = "".join(rng.choice(_FRIENDLY) for _ in range(target))
        else:
            try:
                text = _Walker(rng, budget=max(1, target)).walk(_parsed(pattern))
            except (re.error, RecursionError, OverflowError):
                return None
        if low <= len(text) <= high and accepts(pattern, text):
            return text
        if pattern is not None and len(text) > high:
            clipped = text[:high]
            if len(clipped) >= low and accepts(pattern, clipped):
                return clipped
    return None

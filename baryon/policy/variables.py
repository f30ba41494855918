"""Policy variables: ``${aws:username}`` placeholders filled from the request context.

Variables exist only in policies with ``"Version": "2012-10-17"``; in older documents ``${...}`` is plain
text. They may appear in ``Resource``/``NotResource`` and in the values of string and ARN conditions.

* ``${key}`` takes the single value of context key ``key`` (key names are case-insensitive).
* ``${key, 'default'}`` falls back to ``default`` when the key is absent.
* ``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``, ``?`` and ``$`` (not wildcards).

AWS: a variable that cannot be resolved (absent key without default, or a multivalued key) "causes the
statement to be invalid" — the statement then matches nothing, whatever its effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from baryon.policy.wildcard import Chunk

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_KEY_AND_DEFAULT = re.compile(r"\s*([^\s,']+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?")
_ESCAPES = frozenset("*?$")


class ContextLookup(Protocol):
    """What templates and conditions need from the request: case-insensitive key lookup."""

    def raw(self, key: str, key_lower: str) -> str | tuple[str, ...] | None:
        """The key's value: a string, a tuple for a multivalued key, ``None`` when the context lacks it."""

    def values(self, key: str, key_lower: str) -> tuple[str, ...] | None:
        """The key's values, or ``None`` when the request context does not carry it."""

    def note_missing(self, key: str) -> None:
        """Record that a policy referenced ``key`` and the request context lacked it."""


@dataclass(frozen=True, slots=True)
class Variable:
    """One ``${key}`` or ``${key, 'default'}`` placeholder."""

    key: str
    key_lower: str
    default: str | None


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string split into wildcard text, literal text and variables."""

    parts: tuple[Chunk | Variable, ...]

    @property
    def static_chunks(self) -> tuple[Chunk, ...] | None:
        """The chunks when the template holds no variable, else ``None``."""
        if any(isinstance(part, Variable) for part in self.parts):
            return None
        return tuple(part for part in self.parts if not isinstance(part, Variable))

    def resolve(self, lookup: ContextLookup) -> tuple[Chunk, ...] | None:
        """Chunks with every variable replaced by its (literal) value; ``None`` if one cannot be resolved."""
        chunks: list[Chunk] = []
        for part in self.parts:
            if not isinstance(part, Variable):
                chunks.append(part)
                continue
            found = lookup.raw(part.key, part.key_lower)
            if isinstance(found, str):
                chunks.append((found, False))
            elif found is None and part.default is not None:
                chunks.append((part.default, False))
            else:
                if found is None:
                    lookup.note_missing(part.key)
                return None  # absent without default, or multivalued
        return tuple(chunks)


def parse_template(text: str, *, variables: bool) -> Template:
    """Split ``text`` into chunks and variables (``variables`` is false for pre-2012 policy versions)."""
    if not variables or "${" not in text:
        return Template(((text, True),))
    parts: list[Chunk | Variable] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        inner = match.group(1).strip()
        if inner in _ESCAPES:
            part: Chunk | Variable = (inner, False)
        else:
            spec = _KEY_AND_DEFAULT.fullmatch(match.group(1))
            if spec is None:
                continue  # not a variable (e.g. "${}"): the text stays literal wildcard text
            default = spec.group(2)
            key = spec.group(1)
            part = Variable(key, key.lower(), None if default is None else default.replace("''", "'"))
        if match.start() > position:
            parts.append((text[position : match.start()], True))
        parts.append(part)
        position = match.end()
    if position < len(text):
        parts.append((text[position:], True))
    return Template(tuple(parts))

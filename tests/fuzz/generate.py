"""Inputs for one operation, generated from its botocore model: valid ones and mutations that break it.

`InputGenerator(operation, protocol, seed)` gives `valid(n)` cases (required members always, optional ones
sometimes; enums, lengths, ranges and patterns respected) and `mutations(base, limit)`: wrong types, empty
and oversize strings, pattern breakers, control characters, missing required and unknown members, nested
junk, out-of-range numbers, bad enums, timestamps and base64, too-long lists. Each case says whether it
breaks the model (`expect_reject`): the server must then answer 4xx. Values are plain Python (`datetime` for
timestamps, `bytes` for blobs); `tests.fuzz.encode` puts them on the wire for either protocol.

Everything is deterministic for a given seed (`BARYON_FUZZ_SEED`).
"""

from __future__ import annotations

import copy
import json
import os
import random
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from tests.fuzz.patterns import accepts, matching

Path = tuple[str | int, ...]
UNKNOWN_MEMBER = "BaryonFuzzUnknownMember"
HUGE_STRING = 100_000
MAX_DEPTH = 5

# Optional members always sent in valid inputs: without them IAM acts on the caller itself (the shared
# administrator), and a fuzz run must not create keys or change passwords for the suite's admin.
ALWAYS_INCLUDE = frozenset({"UserName"})

_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)
_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
# Plausible values by member name, tried before the pattern generator so valid calls reach the provider's
# logic instead of stopping at "malformed policy". Each is used only if it fits the member's constraints.
CORPUS: dict[str, tuple[str, ...]] = {
    "PolicyDocument": (_POLICY,),
    "AssumeRolePolicyDocument": (_TRUST,),
    "Policy": (_POLICY,),
    "Content": (_POLICY,),
    "Path": ("/", "/fuzz/"),
    "PathPrefix": ("/", "/fuzz/"),
    "Email": ("fuzz@example.com",),
}

_BAD_STRINGS = ("", "\x00", " ", "!#%^*", "..", "a\nb", "\u00e9\u2603", "\U0001f600", ";DROP TABLE x;--")


def fuzz_seed() -> int:
    return int(os.environ.get("BARYON_FUZZ_SEED", "0"))


def seed_for(*parts: object) -> int:
    """A stable seed for one (service, operation, purpose), derived from BARYON_FUZZ_SEED."""
    return zlib.crc32(":".join(map(str, (fuzz_seed(), *parts))).encode())


@dataclass(frozen=True)
class Case:
    """One input for an operation, in Python values (before wire encoding)."""

    label: str
    params: dict[str, Any]
    expect_reject: bool
    """The input breaks the model, so any answer but 4xx is a failure."""


@dataclass(frozen=True)
class Location:
    """A member position inside the input (`("Tags", 0, "Key")`) and its shape."""

    path: Path
    shape: Shape


class InputGenerator:
    """Inputs for one operation. `memory` holds values the server accepted earlier, by member name (the names
    of resources the run created): valid inputs reuse them often, so calls reach existing resources."""

    def __init__(
        self,
        operation: OperationModel,
        protocol: str,
        seed: int,
        memory: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.operation = operation
        self.protocol = protocol
        self.rng = random.Random(seed)
        self.memory = memory or {}

    # -- valid inputs ------------------------------------------------------------------------------------

    def valid(self, count: int) -> list[Case]:
        """`count` inputs that fit the model: the first with required members only, the second with all."""
        shape = self.operation.input_shape
        if shape is None:
            return [Case(f"valid#{i}", {}, False) for i in range(count)]
        cases = []
        for index in range(count):
            optional = 0.0 if index == 0 else 1.0 if index == 1 else 0.5
            cases.append(Case(f"valid#{index}", self.structure(shape, optional, 0), False))
        return cases

    def structure(self, shape: StructureShape, optional: float, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            wanted = name in shape.required_members or name in ALWAYS_INCLUDE
            if wanted or (depth < MAX_DEPTH and self.rng.random() < optional):
                out[name] = self.value(member, name, optional, depth + 1)
        if not out and depth and shape.members and self.protocol == "query":
            # an empty structure has no form keys at all, so the query wire cannot carry one
            name, member = next(iter(shape.members.items()))
            out[name] = self.value(member, name, 0.0, MAX_DEPTH)
        return out

    def value(self, shape: Shape, name: str, optional: float = 0.5, depth: int = 0) -> Any:
        kind = shape.type_name
        meta = shape.metadata
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            return self.structure(shape, optional, depth)
        if kind == "list":
            low = meta.get("min", 0)
            smallest = max(low, 1 if depth < MAX_DEPTH else 0)
            size = self.rng.randint(smallest, max(low, 1, min(meta.get("max", 2), 2)))
            return [self.value(shape.member, name, optional, depth + 1) for _ in range(size)]
        if kind == "map":
            size = max(meta.get("min", 0), 1)
            return {
                self.string(shape.key, "key"): self.value(shape.value, name, optional, depth + 1) for _ in range(size)
            }
        if kind == "string":
            return self.string(shape, name)
        if kind in ("integer", "long"):
            low = meta.get("min", 0)
            return self.rng.randint(low, max(low, min(meta.get("max", low + 100), low + 1000)))
        if kind in ("double", "float"):
            return float(meta.get("min", 0)) + self.rng.random()
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=self.rng.randint(0, 10**8))
        if kind == "blob":
            return bytes(self.rng.randrange(256) for _ in range(max(meta.get("min", 0), 8)))
        raise ValueError(f"unknown shape type {kind}")

    def string(self, shape: Shape, name: str) -> str:
        if shape.enum:
            return str(self.rng.choice(shape.enum))
        meta = shape.metadata
        low, high, pattern = meta.get("min", 0), meta.get("max"), meta.get("pattern")
        known = self.memory.get(name)
        if known and self.rng.random() < 0.7:
            candidate = self.rng.choice(known)
            if _fits(candidate, low, high, pattern):
                return candidate
        for candidate in CORPUS.get(name, ()):
            if _fits(candidate, low, high, pattern):
                return candidate
        if high == 0:
            return ""
        ceiling = min(high, low + 24) if high is not None else low + 24
        found = matching(pattern, self.rng, low, ceiling) or matching(pattern, self.rng, low, high)
        return found if found is not None else "a" * max(low, 1)

    # -- mutations ---------------------------------------------------------------------------------------

    def mutations(self, base: dict[str, Any], limit: int | None = None) -> list[Case]:
        """Cases derived from a valid `base`; with `limit`, the missing/unknown-member ones plus a sample."""
        shape = self.operation.input_shape
        always: list[Case] = [Case("extra-member", {**base, UNKNOWN_MEMBER: "1"}, True)]
        rest: list[Case] = []
        if shape is None:
            return always[:limit] if limit else always
        always.append(Case("empty-input", {}, bool(shape.required_members)))
        for name in shape.required_members:
            always.append(Case(f"missing:{name}", {k: v for k, v in base.items() if k != name}, True))
        for location in self.locations(shape, base):
            rest.extend(self.at(base, location))
        if limit is None:
            return always + rest
        self.rng.shuffle(rest)
        picked = always[:limit]
        return picked + rest[: max(0, limit - len(picked))]

    def locations(self, shape: StructureShape, value: dict[str, Any], path: Path = ()) -> Iterator[Location]:
        """Every member of the input shape (present or not), and inside present lists their first item."""
        for name, member in shape.members.items():
            here = (*path, name)
            yield Location(here, member)
            present = value.get(name) if isinstance(value, dict) else None
            if member.type_name == "structure" and isinstance(present, dict) and len(path) < 4:
                yield from self.locations(member, present, here)
            if member.type_name == "list" and isinstance(present, list) and present and len(path) < 4:
                item = member.member
                yield Location((*here, 0), item)
                if item.type_name == "structure" and isinstance(present[0], dict):
                    yield from self.locations(item, present[0], (*here, 0))

    def at(self, base: dict[str, Any], location: Location) -> Iterator[Case]:
        """The mutations that apply to one location, each replacing the value there."""
        where = _label(location.path)
        for kind, value, rejected in self._values_for(location, _get(base, location.path)):
            yield Case(f"{kind}:{where}", _replace(base, location.path, value), rejected)

    def _values_for(self, location: Location, current: Any) -> Iterator[tuple[str, Any, bool]]:
        shape = location.shape
        kind, meta = shape.type_name, shape.metadata
        yield "wrong-type", self._wrong_type(kind), True
        yield "nested-junk", _nested(40), True
        if kind == "string":
            yield from self._strings(shape, current)
        elif kind in ("integer", "long", "double", "float"):
            yield from self._numbers(kind, meta.get("min"), meta.get("max"))
        elif kind == "boolean":
            yield "bool-text", "TRUE" if self.protocol == "query" else "true", self.protocol == "json"
        elif kind == "timestamp":
            for text in ("2020-13-45T99:99:99Z", "not-a-date", "", 1e20, -1e20):
                yield "bad-timestamp", text, True
        elif kind == "blob":
            yield "bad-base64", "!!!not base64!!!", True
            yield "bad-base64", "YQ", True
        elif kind in ("list", "map"):
            yield from self._collections(shape, current)
        elif kind == "structure":
            inner = dict(current) if isinstance(current, dict) else {}
            yield "unknown-inner-member", {**inner, UNKNOWN_MEMBER: "x"}, True

    def _wrong_type(self, kind: str) -> Any:
        if self.protocol == "query":
            # everything is text on the query wire: a dotted sub-key is what cannot fit a scalar member
            return (
                {"Junk": "1"}
                if kind in ("string", "timestamp", "blob", "list")
                else (
                    "not-a-number"
                    if kind in ("integer", "long", "double", "float")
                    else "x"
                    if kind in ("structure", "map")
                    else "maybe"
                )
            )
        return {
            "string": 12345,
            "integer": "12abc",
            "long": "12abc",
            "double": "abc",
            "float": "abc",
            "boolean": "yes",
            "timestamp": [1],
            "blob": 123,
            "list": "not-a-list",
            "map": ["not", "a", "map"],
            "structure": "not-a-structure",
        }[kind]

    def _strings(self, shape: Shape, current: Any) -> Iterator[tuple[str, str, bool]]:
        meta = shape.metadata
        low, high, pattern, enum = meta.get("min", 0), meta.get("max"), meta.get("pattern"), shape.enum
        sample = current if isinstance(current, str) and current else "a"
        huge = (sample * (HUGE_STRING // len(sample) + 1))[:HUGE_STRING]
        for label, text in (("empty", ""), ("huge", huge)):
            yield label, text, not _fits(text, low, high, pattern, enum)
        if high is not None:
            over = (sample * (high // len(sample) + 2))[: high + 1]
            yield "oversize", over, True
        if low > 1:
            yield "undersize", sample[: low - 1], True
        padded = [s.ljust(max(low, len(s)), "a") for s in _BAD_STRINGS if s]
        bad = [s for s in padded if not _fits(s, low, high, pattern, enum)]
        if bad:
            yield "bad-pattern", self.rng.choice(bad), True
        odd = (("control-chars", sample + "\x00\x07\x1b"), ("unicode", sample + "\u00e9\u2603\U0001f600"))
        for label, text in odd:
            yield label, text, not _fits(text, low, high, pattern, enum)
        if self.protocol == "json":
            text = sample + "\ud800"
            yield "lone-surrogate", text, not _fits(text, low, high, pattern, enum)
        if enum:
            yield "bad-enum", "NotAnEnumValue", True
            yield "bad-enum", str(enum[0]).swapcase(), str(enum[0]).swapcase() not in enum

    def _numbers(self, kind: str, low: float | None, high: float | None) -> Iterator[tuple[str, Any, bool]]:
        if low is not None:
            yield "below-min", low - 1, True
        if high is not None:
            yield "above-max", high + 1, True
        extremes = (("huge-number", 2**63), ("huge-negative", -(2**63) - 1), ("huge-number", 10**40))
        for label, number in extremes:
            outside = (high is not None and number > high) or (low is not None and number < low)
            yield label, number, outside
        if kind in ("integer", "long"):
            yield "fraction", 1.5, True
            yield "nan", float("nan"), True
        else:
            yield "infinity", float("inf"), True

    def _collections(self, shape: Shape, current: Any) -> Iterator[tuple[str, Any, bool]]:
        meta = shape.metadata
        low, high = meta.get("min", 0), meta.get("max")
        empty: Any = [] if shape.type_name == "list" else {}
        if shape.type_name == "list" or self.protocol == "json":
            yield "empty-collection", empty, low > 0
        if shape.type_name == "list":
            present = isinstance(current, list) and current
            item = current[0] if present else self.value(shape.member, "item", 0, 4)
            if high is not None:
                yield "too-many-items", [copy.deepcopy(item) for _ in range(high + 1)], True
            else:
                yield "many-items", [copy.deepcopy(item) for _ in range(1200)], self.protocol == "query"
            if self.protocol == "json":
                yield "null-item", [None], True
        else:
            if high is not None:
                yield "too-many-entries", {f"k{i}": "v" for i in range(high + 1)}, True


def _fits(text: str, low: int, high: int | None, pattern: str | None, enum: list[str] | None = None) -> bool:
    if enum:
        return text in enum
    return len(text) >= low and (high is None or len(text) <= high) and accepts(pattern, text)


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"Junk": "x"}
    for _ in range(depth):
        value = {"Junk": value}
    return value


def _label(path: Path) -> str:
    return ".".join(str(part) for part in path)


def _get(value: Any, path: Path) -> Any:
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _replace(base: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A deep copy of `base` with `value` at `path` (containers created on the way)."""
    out = copy.deepcopy(base)
    node: Any = out
    for index, part in enumerate(path[:-1]):
        following = path[index + 1]
        fresh: Any = [{}] if isinstance(following, int) else {}
        if isinstance(node, dict):
            if not isinstance(node.get(part), (dict, list)):
                node[part] = fresh
            node = node[part]
        else:
            assert isinstance(part, int)
            if not node:
                node.append(fresh)
            node = node[part]
    node[path[-1]] = value
    return out

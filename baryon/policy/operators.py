"""Condition operator families: how one request value is compared with a condition's policy values.

Every context value arrives as a string and is converted by the operator: numbers for ``Numeric*``,
timestamps for ``Date*`` (ISO 8601, or epoch seconds when the text has neither ``T`` nor ``-``), ``true``/
``false`` for ``Bool``, base64 for ``BinaryEquals``, addresses for ``IpAddress``. A request value that does
not convert simply does not match. Policy values are converted once, at parse time, and a value that
cannot be converted is rejected there.

A test answers "does this request value match *any* of the policy values?" — the positive question. The
negated operators (``StringNotEquals``, ``NotIpAddress``, ...) are the negation of their positive twin, which
turns "any of the values" into "none of the values" (AWS: multiple values are OR-ed, and NOR-ed when the
operator is negated).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from baryon.policy.variables import ContextLookup, Template, parse_template
from baryon.policy.wildcard import Chunk, any_of, arn_source, compiled, glob_source

Scalar = str | int | float | bool
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NEGATED_TWIN = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_ORDERINGS: dict[str, Callable[[float, float], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}
POSITIVE_OPERATORS = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "Bool", "BinaryEquals", "IpAddress"}
    | {"ArnEquals", "ArnLike", "Null"}
    | {f"{family}{order}" for family in ("Numeric", "Date") for order in _ORDERINGS}
)
ALL_OPERATORS = POSITIVE_OPERATORS | NEGATED_TWIN.keys()
_T = TypeVar("_T")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class ValueTest(Protocol):
    """Compares one request value with the policy values of a condition."""

    def matches(self, value: str, lookup: ContextLookup) -> bool | None:
        """True when ``value`` matches any policy value; ``None`` when a policy variable is unresolvable."""


def parse_number(text: str) -> float | None:
    """A decimal number, or ``None``."""
    return float(text) if _DECIMAL.fullmatch(text.strip()) else None


def parse_date(text: str) -> float | None:
    """Seconds since the epoch for an ISO 8601 date/time (UTC unless an offset is given) or epoch text."""
    text = text.strip()
    if "t" not in text.lower() and "-" not in text:
        return parse_number(text)
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("z", "Z")) else text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def parse_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    return True if lowered == "true" else False if lowered == "false" else None


def _decode_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _StringTest:
    literals: frozenset[str]
    templates: tuple[Template, ...]
    fold: bool

    def matches(self, value: str, lookup: ContextLookup) -> bool | None:
        if not self.templates:
            return (value.lower() if self.fold else value) in self.literals
        resolved = []
        for template in self.templates:
            chunks = template.resolve(lookup)
            if chunks is None:
                return None
            resolved.append("".join(text for text, _ in chunks))
        if self.fold:
            value = value.lower()
            resolved = [text.lower() for text in resolved]
        return value in self.literals or value in resolved


@dataclass(frozen=True, slots=True)
class _PatternTest:
    """``StringLike`` (glob) and ``ArnLike``/``ArnEquals`` (segment-wise ARN) matching."""

    static: re.Pattern[str] | None
    templates: tuple[Template, ...]
    to_source: Callable[[Sequence[Chunk]], str]

    def matches(self, value: str, lookup: ContextLookup) -> bool | None:
        hit = self.static is not None and self.static.fullmatch(value) is not None
        for template in self.templates:
            chunks = template.resolve(lookup)
            if chunks is None:
                return None
            hit = hit or compiled(self.to_source(chunks)).fullmatch(value) is not None
        return hit


@dataclass(frozen=True, slots=True)
class _OrderedTest:
    """``Numeric*`` and ``Date*``: the request value converted, then compared with each policy value."""

    values: tuple[float, ...]
    compare: Callable[[float, float], bool]
    convert: Callable[[str], float | None]

    def matches(self, value: str, lookup: ContextLookup) -> bool | None:
        number = self.convert(value)
        return number is not None and any(self.compare(number, limit) for limit in self.values)


@dataclass(frozen=True, slots=True)
class _SetTest:
    """``Bool`` and ``BinaryEquals``: membership of the converted request value."""

    values: frozenset[bool] | frozenset[bytes]
    convert: Callable[[str], bool | bytes | None]

    def matches(self, value: str, lookup: ContextLookup) -> bool | None:
        converted = self.convert(value)
        return converted is not None and converted in self.values


@dataclass(frozen=True, slots=True)
class _IpTest:
    networks: tuple[IpNetwork, ...]

    def matches(self, value: str, lookup: ContextLookup) -> bool | None:
        address = _address(value)
        return address is not None and any(address in network for network in self.networks)


def scalar_text(value: Scalar) -> str:
    """The text a JSON scalar stands for in a string comparison (``true`` → ``"true"``, ``10`` → ``"10"``)."""
    return value if isinstance(value, str) else json.dumps(value)


def _templates(values: Sequence[Scalar], variables: bool) -> list[Template]:
    return [parse_template(scalar_text(value), variables=variables) for value in values]


def _pattern_test(values: Sequence[Scalar], variables: bool, arn: bool) -> _PatternTest:
    to_source = arn_source if arn else glob_source
    templates = _templates(values, variables)
    static = [t.static_chunks for t in templates if t.static_chunks is not None]
    return _PatternTest(
        any_of(to_source(chunks) for chunks in static),
        tuple(t for t in templates if t.static_chunks is None),
        to_source,
    )


def _converted(values: Sequence[Scalar], convert: Callable[[str], _T | None], what: str) -> list[_T]:
    out = []
    for value in values:
        converted = None if isinstance(value, bool) and what != "a boolean" else convert(scalar_text(value))
        if converted is None:
            raise ValueError(f"{json.dumps(value)} is not {what}")
        out.append(converted)
    return out


def build_test(positive: str, values: Sequence[Scalar], *, variables: bool) -> ValueTest:
    """The test for a positive operator name (``Null`` excluded); ``ValueError`` names a bad value."""
    if positive in ("StringEquals", "StringEqualsIgnoreCase"):
        fold = positive.endswith("IgnoreCase")
        templates = _templates(values, variables)
        literals = ["".join(text for text, _ in t.static_chunks) for t in templates if t.static_chunks is not None]
        return _StringTest(
            frozenset(text.lower() if fold else text for text in literals),
            tuple(t for t in templates if t.static_chunks is None),
            fold,
        )
    if positive in ("StringLike", "ArnLike", "ArnEquals"):
        return _pattern_test(values, variables, arn=positive != "StringLike")
    if positive.startswith(("Numeric", "Date")):
        family = "Numeric" if positive.startswith("Numeric") else "Date"
        convert = parse_number if family == "Numeric" else parse_date
        what = "a number" if family == "Numeric" else "an ISO 8601 date or epoch time"
        limits = _converted(values, convert, what)
        return _OrderedTest(tuple(limits), _ORDERINGS[positive[len(family) :]], convert)
    if positive == "Bool":
        return _SetTest(frozenset(_converted(values, parse_bool, "a boolean")), parse_bool)
    if positive == "BinaryEquals":
        return _SetTest(frozenset(_converted(values, _decode_base64, "base64 text")), _decode_base64)
    networks: list[IpNetwork] = _converted(values, _network, "an IP address or CIDR block")
    return _IpTest(tuple(networks))


def _network(text: str) -> IpNetwork | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None

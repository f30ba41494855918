"""The compiled form of a policy document: statements ready to be matched against requests.

A *statement* says that an ``Effect`` (Allow or Deny) applies to some actions (``Action``, or every action
except some with ``NotAction``), on some resources (``Resource``/``NotResource``), for some principals
(``Principal``/``NotPrincipal``, resource-based and trust policies only), when every ``Condition`` holds.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from baryon.policy.conditions import Condition
from baryon.policy.principals import PrincipalMatcher
from baryon.policy.variables import ContextLookup, Template
from baryon.policy.wildcard import arn_source, compiled

_INDEX_LIMIT = 4096


class PolicyKind(enum.Enum):
    """Which grammar a document is validated against."""

    IDENTITY = "identity"
    TRUST = "trust"
    RESOURCE = "resource"
    SCP = "scp"
    RCP = "rcp"


class Effect(enum.Enum):
    """What a matching statement does: allow the request, or deny it whatever else allows it."""

    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the policy text as the IAM simulator reports it: 1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ActionMatcher:
    """``Action`` (or ``NotAction`` when ``negated``): case-insensitive ``service:Name`` wildcards."""

    pattern: re.Pattern[str]
    negated: bool

    def covers(self, action_lower: str) -> bool:
        return (self.pattern.fullmatch(action_lower) is None) == self.negated


@dataclass(frozen=True, slots=True)
class ResourceMatcher:
    """``Resource`` (or ``NotResource``): ARN patterns, some of them with policy variables."""

    everything: bool
    pattern: re.Pattern[str] | None
    templates: tuple[Template, ...]
    negated: bool

    def static_hit(self, resource: str) -> bool:
        """Whether a pattern without variables matches ``resource`` (``NotResource`` not applied)."""
        return self.everything or (self.pattern is not None and self.pattern.fullmatch(resource) is not None)

    def matches(self, resource: str, lookup: ContextLookup) -> bool | None:
        """Whether the statement applies to ``resource``; ``None`` when a variable cannot be resolved."""
        hit = self.static_hit(resource)
        for template in self.templates:
            chunks = template.resolve(lookup)
            if chunks is None:
                return None
            hit = hit or compiled(arn_source(chunks)).fullmatch(resource) is not None
        return hit != self.negated


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    """One compiled statement; ``start``/``end`` locate it in the source text.

    ``resources`` is ``None`` in trust policies (they have no ``Resource``); ``principals`` is ``None`` in
    policies without a principal element. ``unconditional`` says the statement applies to every request
    for the actions it covers (resource ``*``, no principal element, no condition).
    """

    sid: str | None
    effect: Effect
    actions: ActionMatcher
    resources: ResourceMatcher | None
    principals: PrincipalMatcher | None
    conditions: tuple[Condition, ...]
    start: Position
    end: Position
    unconditional: bool


@dataclass(frozen=True)
class Policy:
    """A parsed, validated policy. Two policies are equal when their text and kind are.

    ``statements_for`` is the action index: the statements whose ``Action``/``NotAction`` covers an action,
    computed once per (lower-cased) action and remembered on the policy.
    """

    text: str
    kind: PolicyKind
    version: str = field(compare=False)
    statements: tuple[Statement, ...] = field(compare=False, repr=False)
    _by_action: dict[str, tuple[Statement, ...]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def statements_for(self, action_lower: str) -> tuple[Statement, ...]:
        found = self._by_action.get(action_lower)
        if found is None:
            if len(self._by_action) >= _INDEX_LIMIT:
                self._by_action.clear()
            found = self._by_action[action_lower] = self.scan(action_lower)
        return found

    def scan(self, action_lower: str) -> tuple[Statement, ...]:
        """The statements covering ``action_lower``, computed without the index."""
        return tuple(statement for statement in self.statements if statement.actions.covers(action_lower))

"""One condition: an operator, a context key and the policy values, evaluated against a request.

Operator names are ``[ForAllValues:|ForAnyValue:]<operator>[IfExists]``. Evaluation rules (AWS IAM
"Condition operators" and "Set operators for multivalued context keys"):

* **Missing key** (absent, or a multivalued key with no values): the condition is *false*, except that it is
  *true* for the negated operators (``StringNotEquals``, ``ArnNotLike``, ``NotIpAddress``, ...), for any
  ``...IfExists`` operator, and for ``ForAllValues:`` — "for all values" of an empty set is vacuously true —
  while ``ForAnyValue:`` stays false. ``Null`` tests presence itself: ``"true"`` means "the key is absent".
* **Present key**: ``ForAllValues:`` needs every request value to satisfy the operator, ``ForAnyValue:`` at
  least one. Without a qualifier a multivalued key matches when any of its values does (and a negated
  operator when none does).
* An unresolvable policy variable in a value makes the condition false (the statement is invalid).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from baryon.policy.operators import (
    ALL_OPERATORS,
    NEGATED_TWIN,
    Scalar,
    ValueTest,
    build_test,
    parse_bool,
    scalar_text,
)
from baryon.policy.variables import ContextLookup

_KEY = re.compile(r"[A-Za-z0-9.*?_-]+:.+", re.DOTALL)
_VARIABLE_FAMILIES = ("String", "Arn")


class SetQualifier(enum.Enum):
    """Set operator for multivalued keys (``aws:TagKeys``): every value, or at least one, must match."""

    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled ``"Operator": {"key": values}`` entry."""

    operator: str
    key: str
    key_lower: str
    values: tuple[str, ...]
    qualifier: SetQualifier | None
    if_exists: bool
    negated: bool
    absent_expected: frozenset[bool] | None  # set for Null only: which presence states satisfy it
    test: ValueTest | None

    def holds(self, lookup: ContextLookup) -> bool:
        """Whether the request satisfies this condition."""
        found = lookup.values(self.key, self.key_lower) or None
        if self.absent_expected is not None:
            return (found is None) in self.absent_expected
        if found is None:
            lookup.note_missing(self.key)
            if self.if_exists or self.qualifier is SetQualifier.FOR_ALL_VALUES:
                return True
            return self.negated and self.qualifier is None
        assert self.test is not None  # every operator but Null has a test
        if len(found) == 1:  # one value: the qualifiers agree
            result = self.test.matches(found[0], lookup)
            return result is not None and result != self.negated
        results = [self.test.matches(value, lookup) for value in found]
        if None in results:
            return False
        if self.qualifier is SetQualifier.FOR_ALL_VALUES:
            return all(result != self.negated for result in results)
        if self.qualifier is SetQualifier.FOR_ANY_VALUE:
            return any(result != self.negated for result in results)
        return any(results) != self.negated


def _split_operator(name: str) -> tuple[SetQualifier | None, str, bool]:
    qualifier = None
    for candidate in SetQualifier:
        if name.startswith(candidate.value + ":"):
            qualifier, name = candidate, name[len(candidate.value) + 1 :]
            break
    if_exists = name.endswith("IfExists")
    return qualifier, name.removesuffix("IfExists"), if_exists


def build_condition(operator_name: str, key: str, raw: Sequence[Scalar], *, variables: bool) -> Condition:
    """Compile one condition entry; ``ValueError`` carries the client-facing reason."""
    qualifier, base, if_exists = _split_operator(operator_name)
    if base not in ALL_OPERATORS:
        raise ValueError(
            f'Condition operator "{operator_name}" is not valid. Use an IAM condition operator such as '
            'StringEquals or ArnLike, optionally prefixed by "ForAllValues:" or "ForAnyValue:" and '
            'suffixed by "IfExists".'
        )
    if base == "Null" and (if_exists or qualifier is not None):
        raise ValueError(f'Condition operator "{operator_name}" is not valid: Null takes no modifiers.')
    if not _KEY.fullmatch(key):
        raise ValueError(
            f'Condition key "{key}" is not valid. '
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        )
    absent_expected = None
    test = None
    if base == "Null":
        expected = [parse_bool(scalar_text(value)) for value in raw]
        if None in expected:
            raise ValueError(f'Condition operator Null for key "{key}" takes only "true" or "false".')
        absent_expected = frozenset(value for value in expected if value is not None)
    else:
        positive = NEGATED_TWIN.get(base, base)
        try:
            test = build_test(positive, raw, variables=variables and positive.startswith(_VARIABLE_FAMILIES))
        except ValueError as error:
            raise ValueError(f'Condition operator {operator_name} for key "{key}": {error}.') from None
    return Condition(
        operator=operator_name,
        key=key,
        key_lower=key.lower(),
        values=tuple(scalar_text(value) for value in raw),
        qualifier=qualifier,
        if_exists=if_exists,
        negated=base in NEGATED_TWIN,
        absent_expected=absent_expected,
        test=test,
    )

"""cfn-lint, the CloudFormation linter, behind a narrow typed wrapper (cfn-lint has no type hints).

Building cfn-lint's rule collection takes ~0.3 s, so it is built once per process and reused: a lint then
costs a few to a few tens of milliseconds per template.

cfn-lint's JSON-schema rules also build a new validator *class* (a dataclass, through
``cfnlint.jsonschema.validators.create``) every time a rule extends the validator, for every resource of
every template: about a third of a lint. Those classes depend only on their arguments (the keyword
functions, which are the rules' own methods, the function filter's settings and the resolvers), so the
first lint makes ``create`` remember them by those arguments (:func:`_remember_validator_classes`); a
handful of classes then serve every lint, and the findings are the same.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_rules: Any = None
_lock = threading.Lock()

_MAX_VALIDATOR_CLASSES = 1024
"""More distinct classes than cfn-lint's rules ever ask for (a few tens): past it, the memo starts over."""


@dataclass(frozen=True)
class LintFinding:
    """One cfn-lint match: rule id (``E3002``), severity (``error``, ``warning``, ``informational``)."""

    rule: str
    severity: str
    line: int
    message: str


def _collection() -> Any:
    global _rules
    with _lock:
        if _rules is None:
            from cfnlint.core import get_rules  # type: ignore[import-untyped, unused-ignore]

            _remember_validator_classes()
            _rules = get_rules([], [], [])
        return _rules


def _identities(functions: Mapping[str, Any] | None) -> tuple[tuple[str, int, int], ...]:
    """A mapping of keyword -> function by identity; a bound method by its object and function (``getattr``
    makes a new bound method object each time)."""
    return tuple(
        (name, id(getattr(f, "__self__", None)), id(getattr(f, "__func__", f))) for name, f in (functions or {}).items()
    )


def _filter_settings(function_filter: Any) -> tuple[object, ...] | None:
    """A ``FunctionFilter`` by its settings (a dataclass of settings only; cfn-lint makes equal ones anew)."""
    if function_filter is None:
        return None
    return (
        type(function_filter),
        tuple(function_filter.group_functions),
        function_filter.add_cfn_lint_keyword,
        function_filter.validate_dynamic_references,
    )


def _remember_validator_classes() -> None:
    """Make ``cfnlint.jsonschema.validators.create`` return the class it made before for the same arguments.
    Left alone if this cfn-lint's ``create`` is not the one this was written for."""
    import inspect

    from cfnlint.jsonschema import validators  # type: ignore[import-untyped, unused-ignore]

    create: Callable[..., Any] | None = getattr(validators, "create", None)
    if create is None or getattr(create, "baryon_memo", False):
        return
    try:
        parameters = list(inspect.signature(create).parameters)
    except (TypeError, ValueError):
        return
    if parameters != ["validators", "function_filter", "fn_resolvers"]:
        return
    made: dict[tuple[object, ...], tuple[Any, ...]] = {}

    def remembered(
        validators: Mapping[str, Any] | None = None, function_filter: Any = None, fn_resolvers: Any = None
    ) -> Any:
        try:
            key = (_identities(validators), _filter_settings(function_filter), _identities(fn_resolvers))
        except (AttributeError, TypeError):  # a filter or mapping this was not written for: don't remember
            assert create is not None
            return create(validators, function_filter, fn_resolvers)
        found = made.get(key)
        if found is None:
            if len(made) >= _MAX_VALIDATOR_CLASSES:
                made.clear()
            assert create is not None
            # the arguments stay referenced with the class, so the ids in the key can't be reused meanwhile
            found = (create(validators, function_filter, fn_resolvers), validators, function_filter, fn_resolvers)
            made[key] = found
        return found[0]

    remembered.baryon_memo = True  # type: ignore[attr-defined]
    validators.create = remembered


def prepare() -> None:
    """Import cfn-lint and build its rules now rather than in the first lint (0.5 to 2 s, once per process):
    for a caller that knows lints are coming and would rather not make the first one wait."""
    import cfnlint.api  # type: ignore[import-untyped, unused-ignore]  # noqa: F401

    _collection()


def lint_cloudformation(text: str, region: str = "us-east-1") -> list[LintFinding]:
    """Lint one CloudFormation template (YAML or JSON text)."""
    from cfnlint.api import lint  # type: ignore[import-untyped, unused-ignore]

    matches = lint(text, rules=_collection(), regions=[region])
    findings = []
    for match in matches:
        rule = getattr(match, "rule", None)
        rule_id = str(getattr(rule, "id", "E0000"))
        severity = str(getattr(rule, "severity", "error")).lower()
        findings.append(LintFinding(rule_id, severity, int(getattr(match, "linenumber", 0) or 0), str(match.message)))
    return findings

"""``parse_policy``: read, validate and compile a JSON policy document of a given kind.

What each kind accepts (AWS IAM and Organizations policy grammars):

* **identity** (user/group/role policies, permissions boundaries, session policies): no principal element;
  ``Resource``/``NotResource`` required.
* **trust** (a role's assume-role policy): a principal element required, no ``Resource``, actions limited to
  ``sts:AssumeRole*``, ``sts:TagSession``, ``sts:SetSourceIdentity`` and ``sts:SetContext``.
* **resource** (resource-based policy): ``Principal`` or ``NotPrincipal`` required, ``Resource`` required.
* **scp** (service control policy): version ``2012-10-17``, no principal element, ``Resource`` required.
* **rcp** (resource control policy): version ``2012-10-17``, ``"Principal": "*"``, no ``NotAction``, and
  ``Allow`` only in the AWS-managed ``RCPFullAWSAccess`` form (``*`` on ``*`` for ``*``); custom RCPs deny.

Messages use AWS's wording where AWS has a specific one, and say precisely what is wrong where AWS only
answers "Syntax errors in policy.". Parsed policies are memoised: unchanged text is never parsed twice.
"""

from __future__ import annotations

import functools
import re

from baryon.policy.conditions import Condition, build_condition
from baryon.policy.errors import PolicyError, PolicySizeError
from baryon.policy.jsontext import JsonObject, JsonValue, LineIndex, read_json
from baryon.policy.model import (
    ActionMatcher,
    Effect,
    Policy,
    PolicyKind,
    Position,
    ResourceMatcher,
    Statement,
)
from baryon.policy.principals import PrincipalMatcher, parse_principal
from baryon.policy.statement_rules import check_kind_rules, check_resource, list_of_strings
from baryon.policy.variables import parse_template
from baryon.policy.wildcard import any_of, arn_source, glob_source

_VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_VENDOR = re.compile(r"\*|[A-Za-z0-9.-]+")
_SID = re.compile(r"[0-9A-Za-z]*")
_WHITESPACE = " \t\r\n"


def parse_policy(text: str, kind: PolicyKind, *, max_chars: int | None = None, count_whitespace: bool = True) -> Policy:
    """Parse and validate ``text`` as a ``kind`` policy; raise :class:`PolicyError` when AWS would reject it.

    ``max_chars`` is the caller's size quota; ``count_whitespace=False`` leaves spaces, tabs and line
    breaks out of the count (IAM managed policies), ``True`` counts every character (SCPs).
    """
    return _parse(text, kind, max_chars, count_whitespace)


@functools.lru_cache(maxsize=4096)
def _parse(text: str, kind: PolicyKind, max_chars: int | None, count_whitespace: bool) -> Policy:
    if max_chars is not None:
        size = len(text) if count_whitespace else len(text) - sum(text.count(c) for c in _WHITESPACE)
        if size > max_chars:
            raise PolicySizeError(f"Cannot exceed quota for PolicySize: {max_chars}")
    root = read_json(text)
    if not isinstance(root, JsonObject):
        raise PolicyError("Syntax errors in policy: the document must be a JSON object.")
    for element in root:
        if element not in ("Version", "Id", "Statement"):
            raise PolicyError(f'Syntax errors in policy: unknown top-level element "{element}".')
    version = root.get("Version")
    if version is None or (version == "2008-10-17" and kind in (PolicyKind.SCP, PolicyKind.RCP)):
        raise PolicyError("Policy document must be version 2012-10-17 or greater.")
    if not isinstance(version, str) or version not in _VERSIONS:
        raise PolicyError('Syntax errors in policy: Version must be "2012-10-17" (or the legacy "2008-10-17").')
    if "Id" in root and not isinstance(root["Id"], str):
        raise PolicyError("Syntax errors in policy: Id must be a string.")
    raw = root.get("Statement")
    if raw is None:
        raise PolicyError("Policy document must contain a Statement element.")
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PolicyError("Policy document must contain at least one statement.")
    lines = LineIndex(text)
    statements = []
    for item in items:
        if not isinstance(item, JsonObject):
            raise PolicyError("Syntax errors in policy: each statement must be a JSON object.")
        statements.append(_statement(item, kind, version == "2012-10-17", lines))
    sids = [statement.sid for statement in statements if statement.sid]
    if len(sids) != len(set(sids)):
        raise PolicyError("Statement IDs (SID) in a single policy must be unique.")
    return Policy(text, kind, version, tuple(statements))


def _position(lines: LineIndex, offset: int) -> Position:
    """AWS counts the column just past the brace (CLI example: braces at offsets 36 and 165 → 38, 167)."""
    line, line_start = lines.line_and_offset(offset)
    return Position(line, offset - line_start + 2)


def _statement(obj: JsonObject, kind: PolicyKind, variables: bool, lines: LineIndex) -> Statement:
    for element in obj:
        if element not in _STATEMENT_ELEMENTS:
            raise PolicyError(f'Syntax errors in policy: unknown statement element "{element}".')
    for first, second in (
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
        ("Principal", "NotPrincipal"),
    ):
        if first in obj and second in obj:
            raise PolicyError(f"Syntax errors in policy: a statement cannot have both {first} and {second}.")
    sid = obj.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError("Syntax errors in policy: Sid must be a string.")
    if sid and kind in (PolicyKind.IDENTITY, PolicyKind.TRUST) and not _SID.fullmatch(sid):
        raise PolicyError(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
            "expression [0-9A-Za-z]*"
        )
    effect_text = obj.get("Effect")
    if effect_text not in ("Allow", "Deny"):
        raise PolicyError(
            f'Syntax errors in policy: Effect must be "Allow" or "Deny" (case-sensitive), not {_show(effect_text)}.'
        )
    effect = Effect(effect_text)
    check_kind_rules(obj, kind, effect)
    actions = _actions(obj)
    resources = _resources(obj, variables)
    principals = _principals(obj)
    conditions = _conditions(obj.get("Condition"), variables)
    return Statement(
        sid=sid or None,
        effect=effect,
        actions=actions,
        resources=resources,
        principals=principals,
        conditions=conditions,
        start=_position(lines, obj.start),
        end=_position(lines, obj.end),
        unconditional=principals is None
        and (resources is None or (resources.everything and not resources.negated))
        and not conditions,
    )


def _show(value: JsonValue) -> str:
    return "nothing" if value is None else f'"{value}"' if isinstance(value, str) else "a non-string value"


def _actions(obj: JsonObject) -> ActionMatcher:
    negated = "NotAction" in obj
    actions = list_of_strings(obj.get("NotAction" if negated else "Action"), "Action")
    if not actions:
        raise PolicyError("Policy statement must contain actions.")
    for action in actions:
        if action == "*":
            continue
        vendor, colon, name = action.partition(":")
        if not colon:
            raise PolicyError("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
        if ":" in name:
            raise PolicyError("Actions/Condition can contain only one colon.")
        if not _VENDOR.fullmatch(vendor):
            raise PolicyError(f"Vendor {vendor} is not valid")
        if not name or any(c in name for c in _WHITESPACE):
            raise PolicyError(f'Syntax errors in policy: action "{action}" must name an action after "{vendor}:".')
    pattern = any_of(glob_source(((action.lower(), True),)) for action in actions)
    assert pattern is not None  # at least one action
    return ActionMatcher(pattern, negated)


def _resources(obj: JsonObject, variables: bool) -> ResourceMatcher | None:
    negated = "NotResource" in obj
    if not negated and "Resource" not in obj:
        return None  # trust policies (the kind rules already required resources elsewhere)
    entries = list_of_strings(obj.get("NotResource" if negated else "Resource"), "Resource")
    for entry in entries:
        check_resource(entry)
    templates = [parse_template(entry, variables=variables) for entry in entries]
    static = [template.static_chunks for template in templates if template.static_chunks is not None]
    return ResourceMatcher(
        everything="*" in entries,
        pattern=any_of(arn_source(chunks) for chunks in static if chunks != (("*", True),)),
        templates=tuple(template for template in templates if template.static_chunks is None),
        negated=negated,
    )


def _principals(obj: JsonObject) -> PrincipalMatcher | None:
    negated = "NotPrincipal" in obj
    element = obj.get("NotPrincipal" if negated else "Principal")
    if element is None:
        return None
    try:
        return parse_principal(element, negated=negated)
    except ValueError as error:
        raise PolicyError(str(error)) from None


def _conditions(block: JsonValue, variables: bool) -> tuple[Condition, ...]:
    if block is None:
        return ()
    if not isinstance(block, JsonObject):
        raise PolicyError("Syntax errors in policy: Condition must be an object of condition operators.")
    conditions = []
    for operator_name, entries in block.items():
        if not isinstance(entries, JsonObject):
            raise PolicyError(f"Syntax errors in policy: condition operator {operator_name} must map keys to values.")
        for key, raw in entries.items():
            values = raw if isinstance(raw, list) else [raw]
            scalars = [value for value in values if isinstance(value, str | int | float)]
            if len(scalars) != len(values):
                raise PolicyError(
                    f'Syntax errors in policy: the value of condition key "{key}" under {operator_name} '
                    "must be a string, number, boolean or a list of them."
                )
            try:
                conditions.append(build_condition(operator_name, key, scalars, variables=variables))
            except ValueError as error:
                raise PolicyError(str(error)) from None
    return tuple(conditions)

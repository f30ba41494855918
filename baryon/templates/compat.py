"""Backward compatibility of a new *minor* version's schema with its major's recommended version.

Proton registers a minor version only if existing resources can move to it without changing their specs
("AWS Proton makes a best-effort attempt"); it does not publish its rules. Baryon's rules, applied to each
input type the old schema names (environment, service instance, pipeline) and recursively to object
properties and array items:

1. an input type may not disappear (nor be renamed to a type with different properties: types are compared
   by content, not name);
2. an input (property) may not be removed;
3. an input's ``type`` may not change (``integer`` -> ``number`` widens and is allowed);
4. a new input may not be required without a default, and an optional input may not become required without
   a default; a required input may not lose its default;
5. constraints may not narrow: removed ``enum`` values (or a new ``enum``), a new or changed ``pattern``,
   a higher ``minimum``/``minLength``/``minItems``, a lower ``maximum``/``maxLength``/``maxItems``, a bound
   becoming exclusive, a new ``multipleOf`` or ``uniqueItems``, losing ``nullable``.

Widening changes (new optional inputs, new defaults, looser bounds, extra enum values) are compatible.
"""

from __future__ import annotations

from baryon.templates.schema import InputSchema, TemplateSchema
from baryon.templates.values import same_value


def _lower_bound_raised(old: float | None, new: float | None) -> bool:
    return new is not None and (old is None or new > old)


def _upper_bound_lowered(old: float | None, new: float | None) -> bool:
    return new is not None and (old is None or new < old)


def _narrowing(old: InputSchema, new: InputSchema, where: str) -> list[str]:
    reasons: list[str] = []
    if old.type != new.type and not (old.type == "integer" and new.type == "number"):
        reasons.append(f"{where}: type changed from {old.type} to {new.type}")
        return reasons
    if new.enum is not None:
        if old.enum is None:
            reasons.append(f"{where}: an enum was added")
        else:
            removed = [v for v in old.enum if not any(same_value(v, w) for w in new.enum)]
            if removed:
                reasons.append(f"{where}: enum values removed: {', '.join(map(str, removed))}")
    if new.pattern is not None and new.pattern != old.pattern:
        reasons.append(f"{where}: pattern added or changed")
    for label, lo_old, lo_new in (
        ("minimum", old.minimum, new.minimum),
        ("minLength", old.min_length, new.min_length),
        ("minItems", old.min_items, new.min_items),
    ):
        if _lower_bound_raised(lo_old, lo_new):
            reasons.append(f"{where}: {label} raised to {lo_new}")
    for label, hi_old, hi_new in (
        ("maximum", old.maximum, new.maximum),
        ("maxLength", old.max_length, new.max_length),
        ("maxItems", old.max_items, new.max_items),
    ):
        if _upper_bound_lowered(hi_old, hi_new):
            reasons.append(f"{where}: {label} lowered to {hi_new}")
    for label, was, now in (
        ("exclusiveMinimum", old.exclusive_minimum, new.exclusive_minimum),
        ("exclusiveMaximum", old.exclusive_maximum, new.exclusive_maximum),
        ("uniqueItems", old.unique_items, new.unique_items),
    ):
        if now and not was:
            reasons.append(f"{where}: {label} added")
    if new.multiple_of is not None and new.multiple_of != old.multiple_of:
        reasons.append(f"{where}: multipleOf added or changed")
    if old.nullable and not new.nullable:
        reasons.append(f"{where}: no longer nullable")
    if old.items is not None and new.items is not None:
        reasons += _narrowing(old.items, new.items, f"{where}.items")
    if old.type == "object" or old.properties or new.properties:
        reasons += _object(old, new, where)
    return reasons


def _object(old: InputSchema, new: InputSchema, where: str) -> list[str]:
    reasons: list[str] = []
    old_required, new_required = set(old.required), set(new.required)
    for name, prop in old.properties.items():
        if name not in new.properties:
            reasons.append(f"{where}.{name}: input removed")
            continue
        now = new.properties[name]
        reasons += _narrowing(prop, now, f"{where}.{name}")
        if name in new_required and not now.has_default:
            if name not in old_required:
                reasons.append(f"{where}.{name}: became required without a default")
            elif prop.has_default:
                reasons.append(f"{where}.{name}: required input lost its default")
    for name, prop in new.properties.items():
        if name not in old.properties and name in new_required and not prop.has_default:
            reasons.append(f"{where}.{name}: new required input without a default")
    return reasons


def incompatibilities(old: TemplateSchema, new: TemplateSchema) -> list[str]:
    """Reasons ``new`` (a candidate minor version's schema) is not backward compatible with ``old`` (the
    major's recommended version); an empty list means compatible."""
    reasons: list[str] = []
    for key, old_type, new_type, old_name in (
        ("environment_input_type", old.environment_inputs, new.environment_inputs, old.environment_input_type),
        ("service_input_type", old.service_inputs, new.service_inputs, old.service_input_type),
        ("pipeline_input_type", old.pipeline_inputs, new.pipeline_inputs, old.pipeline_input_type),
    ):
        if old_type is None:
            continue
        if new_type is None:
            reasons.append(f"schema.{key}: {old_name} removed")
            continue
        reasons += _narrowing(old_type, new_type, key.removesuffix("_type"))
    return reasons

"""Sample values for a schema's inputs: each input's default, else a generated value of the right type
(the first ``enum`` value, a string meeting the length bounds and, when one of a few candidates fits, the
pattern; a number within the bounds). Used to render a template for linting at registration, and by tests."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from baryon.templates.errors import BundleError
from baryon.templates.schema import InputSchema
from baryon.templates.values import check_value

_STRING_CANDIDATES = (
    "sample",
    "sample-value",
    "10.0.0.0/16",
    "10.0.0.0/24",
    "1",
    "a",
    "arn:aws:iam::123456789012:role/sample",
)


def sample_value(schema: InputSchema, name: str = "sample") -> Any:
    """A value for one input (without looking at its default)."""
    if schema.enum:
        return schema.enum[0]
    kind = schema.type
    if kind in ("number", "integer"):
        return _sample_number(schema)
    if kind == "boolean":
        return False
    if kind == "array":
        count = max(schema.min_items or 0, 1)
        item = sample_value(schema.items, name) if schema.items else "sample"
        return [item] * count if not schema.unique_items else [item]
    if kind == "object":
        return sample_inputs(schema)
    return _sample_string(schema, name)


def _sample_number(schema: InputSchema) -> float:
    value: float = 1
    if schema.minimum is not None:
        value = schema.minimum + (1 if schema.exclusive_minimum else 0)
    elif schema.maximum is not None and schema.maximum < 1:
        value = schema.maximum - (1 if schema.exclusive_maximum else 0)
    if schema.multiple_of:
        value = schema.multiple_of * max(1, round(value / schema.multiple_of))
    return int(value) if float(value).is_integer() else value


def _sample_string(schema: InputSchema, name: str) -> str:
    lo, hi = schema.min_length or 0, schema.max_length
    for candidate in (name, *_STRING_CANDIDATES):
        text = candidate.ljust(lo, "x")
        if hi is not None:
            text = text[:hi]
        try:
            check_value(text, schema, name)
        except Exception:  # try the next candidate
            continue
        return text
    text = "sample".ljust(lo, "x")
    return text[:hi] if hi is not None else text


def _valid(value: Any, schema: InputSchema) -> bool:
    try:
        check_value(value, schema, "default")
    except BundleError:
        return False
    return True


def sample_inputs(schema: InputSchema | None) -> dict[str, Any]:
    """Every property of an object input type: its default if it has a valid one, else a generated value."""
    if schema is None:
        return {}
    out: dict[str, Any] = {}
    for name, prop in schema.properties.items():
        out[name] = prop.default if prop.has_default and _valid(prop.default, prop) else sample_value(prop, name)
    return out


_OUTPUT_GUESSES = (
    ("cidr", "10.0.0.0/16"),
    ("subnet", "subnet-{hex}"),
    ("securitygroup", "sg-{hex}"),
    ("vpc", "vpc-{hex}"),
    ("topicarn", "arn:aws:sns:us-east-1:123456789012:sample-topic"),
    ("queuearn", "arn:aws:sqs:us-east-1:123456789012:sample-queue"),
    ("role", "arn:aws:iam::123456789012:role/sample-role"),
    ("arn", "arn:aws:iam::123456789012:role/sample-role"),
)


class SampleOutputs(dict[str, str]):
    """Outputs of a resource that is not deployed yet: any output name reads as a plausible value guessed
    from its name (``...Subnet...`` -> a subnet id, ``...Arn`` -> an ARN, ``...CIDR`` -> a CIDR block),
    else ``sample-<name>``."""

    def __missing__(self, key: str) -> str:
        lowered = key.lower().replace("_", "").replace("-", "")
        for hint, value in _OUTPUT_GUESSES:
            if hint in lowered:
                return value.format(hex=hashlib.sha256(key.encode()).hexdigest()[:17])
        return f"sample-{key}"


def sample_outputs(given: Mapping[str, str] | None = None) -> SampleOutputs:
    return SampleOutputs(given or {})

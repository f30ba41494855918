"""``schema/schema.yaml``: the *input types* of a template, written as OpenAPI 3.0 schema objects.

An environment template names its ``environment_input_type``; a service template names its
``service_input_type`` (the inputs of each service instance) and, when it has a pipeline, its
``pipeline_input_type``. Each names an entry of ``types``: an object whose ``properties`` are the inputs a spec
may set, with ``type``, ``default``, ``enum``, ``pattern``, ``minimum``/``maximum``, ``minLength``/``maxLength``,
``items``... Proton validates specs against them and fills in defaults.

Baryon accepts the OpenAPI 3.0 schema-object keywords it can enforce; composition keywords (``allOf``,
``oneOf``, ``anyOf``, ``not``) and ``$ref`` are refused with a message naming them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from baryon.templates.errors import BundleError
from baryon.templates.yamlio import load_mapping, type_name

SCHEMA_FILE = "schema/schema.yaml"
TYPES = ("string", "number", "integer", "boolean", "array", "object")
_NUMERIC = ("minimum", "maximum", "multipleOf")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_FLAGS = ("exclusiveMinimum", "exclusiveMaximum", "uniqueItems", "nullable", "readOnly", "writeOnly", "deprecated")
_TEXT = ("title", "description", "format", "pattern")
_ANY = ("default", "example", "externalDocs", "xml", "additionalProperties", "discriminator")
_STRUCT = ("type", "enum", "items", "properties", "required")
KNOWN_KEYWORDS = frozenset(_NUMERIC + _COUNTS + _FLAGS + _TEXT + _ANY + _STRUCT)
UNSUPPORTED = frozenset({"allOf", "oneOf", "anyOf", "not", "$ref"})
_NO_DEFAULT: Any = object()


@dataclass(frozen=True)
class InputSchema:
    """One OpenAPI schema object: an input type, one of its properties, or an array's ``items``."""

    type: str | None
    title: str | None = None
    description: str | None = None
    default: Any = _NO_DEFAULT
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    multiple_of: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    nullable: bool = False
    items: InputSchema | None = None
    properties: Mapping[str, InputSchema] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT

    @property
    def compiled_pattern(self) -> re.Pattern[str] | None:
        return _compile(self.pattern) if self.pattern is not None else None


@dataclass(frozen=True)
class TemplateSchema:
    """The parsed ``schema/schema.yaml``. ``source`` is the file text (Proton returns it as a template
    version's ``schema``); the three input types are None when the schema does not name them."""

    source: str
    environment_input_type: str | None = None
    service_input_type: str | None = None
    pipeline_input_type: str | None = None
    environment_inputs: InputSchema | None = None
    service_inputs: InputSchema | None = None
    pipeline_inputs: InputSchema | None = None
    types: Mapping[str, InputSchema] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @classmethod
    def parse(cls, source: str) -> TemplateSchema:
        return parse_schema(source)


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BundleError(f"{where}: must be a number, not {type_name(value)}")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BundleError(f"{where}: must be a non-negative integer")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise BundleError(f"{where}: must be true or false")
    return value


def parse_input_schema(node: Any, where: str, warnings: list[str]) -> InputSchema:
    """Parse one schema object; ``where`` (``schema/schema.yaml: types.X.properties.port``) prefixes errors.
    A ``default`` that breaks its own schema is only a warning: AWS's published samples contain one
    (``type: boolean`` with ``default: public``) and Proton registered them."""
    if not isinstance(node, dict):
        raise BundleError(f"{where}: must be a mapping (an OpenAPI schema object), not {type_name(node)}")
    for key in node:
        if key in UNSUPPORTED:
            raise BundleError(f"{where}.{key}: '{key}' is not supported in Proton schemas")
        if key not in KNOWN_KEYWORDS and not str(key).startswith("x-"):
            raise BundleError(f"{where}.{key}: unknown OpenAPI schema keyword '{key}'")
    kind = node.get("type")
    if kind is None and "properties" in node:
        kind = "object"
    if kind is not None and kind not in TYPES:
        raise BundleError(f"{where}.type: '{kind}' is not one of {', '.join(TYPES)}")
    args: dict[str, Any] = {"type": kind}
    for key in _TEXT:
        if key in node and not isinstance(node[key], str):
            raise BundleError(f"{where}.{key}: must be a string")
    args["title"], args["description"] = node.get("title"), node.get("description")
    if "pattern" in node:
        try:
            _compile(node["pattern"])
        except re.error as exc:
            raise BundleError(f"{where}.pattern: not a valid regular expression: {exc}") from None
        args["pattern"] = node["pattern"]
    for key, attr in (("minimum", "minimum"), ("maximum", "maximum"), ("multipleOf", "multiple_of")):
        if key in node:
            args[attr] = _number(node[key], f"{where}.{key}")
    for key, attr in (("minLength", "min_length"), ("maxLength", "max_length")):
        if key in node:
            args[attr] = _count(node[key], f"{where}.{key}")
    for key, attr in (("minItems", "min_items"), ("maxItems", "max_items")):
        if key in node:
            args[attr] = _count(node[key], f"{where}.{key}")
    for key, attr in (
        ("exclusiveMinimum", "exclusive_minimum"),
        ("exclusiveMaximum", "exclusive_maximum"),
        ("uniqueItems", "unique_items"),
        ("nullable", "nullable"),
    ):
        if key in node:
            args[attr] = _flag(node[key], f"{where}.{key}")
    if "enum" in node:
        if not isinstance(node["enum"], list) or not node["enum"]:
            raise BundleError(f"{where}.enum: must be a non-empty list")
        args["enum"] = tuple(node["enum"])
    if "items" in node:
        args["items"] = parse_input_schema(node["items"], f"{where}.items", warnings)
    elif kind == "array":
        raise BundleError(f"{where}.items: an array input must say the type of its items")
    if "properties" in node:
        props = node["properties"] or {}
        if not isinstance(props, dict):
            raise BundleError(f"{where}.properties: must be a mapping of input names to schema objects")
        args["properties"] = {
            str(name): parse_input_schema(sub, f"{where}.properties.{name}", warnings) for name, sub in props.items()
        }
    if "required" in node:
        required = node["required"]
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise BundleError(f"{where}.required: must be a list of property names")
        for name in required:
            if name not in args.get("properties", {}):
                raise BundleError(f"{where}.required: '{name}' is not one of the properties")
        args["required"] = tuple(required)
    if "default" in node:
        args["default"] = node["default"]
    schema = InputSchema(**args)
    if schema.has_default:
        from baryon.templates.values import check_value  # values imports this module

        try:
            check_value(schema.default, schema, f"{where}.default")
        except BundleError as exc:
            warnings.append(exc.message)
    return schema


def parse_schema(source: str) -> TemplateSchema:
    """Parse and check ``schema/schema.yaml``; BundleError naming the field that is wrong."""
    doc = load_mapping(source, SCHEMA_FILE)
    root = doc.get("schema")
    if not isinstance(root, dict):
        raise BundleError(f"{SCHEMA_FILE}: the top-level key must be 'schema' (an OpenAPI 3 schema document)")
    fmt = root.get("format")
    if not isinstance(fmt, dict) or "openapi" not in fmt:
        raise BundleError(f'{SCHEMA_FILE}: schema.format.openapi is required (for example openapi: "3.0.0")')
    if not str(fmt["openapi"]).startswith("3."):
        raise BundleError(f"{SCHEMA_FILE}: schema.format.openapi must be a 3.x version, not {fmt['openapi']!r}")
    raw_types = root.get("types")
    if not isinstance(raw_types, dict) or not raw_types:
        raise BundleError(f"{SCHEMA_FILE}: schema.types is required (a mapping of type names to schema objects)")
    known = {"format", "types", "environment_input_type", "service_input_type", "pipeline_input_type"}
    for key in root:
        if key not in known:
            raise BundleError(f"{SCHEMA_FILE}: unknown key schema.{key}")
    warnings: list[str] = []
    types = {str(n): parse_input_schema(t, f"{SCHEMA_FILE}: schema.types.{n}", warnings) for n, t in raw_types.items()}
    chosen: dict[str, Any] = {}
    for key, attr in (
        ("environment_input_type", "environment_inputs"),
        ("service_input_type", "service_inputs"),
        ("pipeline_input_type", "pipeline_inputs"),
    ):
        if key not in root:
            continue
        name = root[key]
        if not isinstance(name, str) or name not in types:
            raise BundleError(f"{SCHEMA_FILE}: schema.{key} names '{name}', which is not defined in schema.types")
        if types[name].type != "object":
            raise BundleError(f"{SCHEMA_FILE}: schema.types.{name} must be 'type: object' (it is the {key})")
        chosen[key] = name
        chosen[attr] = types[name]
    return TemplateSchema(source=source, types=types, warnings=tuple(warnings), **chosen)

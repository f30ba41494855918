"""*Specs*: the YAML a user passes as ``spec`` when creating or updating a resource.

An environment spec::

    proton: EnvironmentSpec
    spec: {vpc_cidr: 10.0.0.0/16}

A service spec (``pipeline`` only when the template has a pipeline; each instance's ``spec`` optional)::

    proton: ServiceSpec
    pipeline: {dockerfile: Dockerfile}
    instances:
      - name: frontend-dev
        environment: dev-env
        spec: {port: 80}

Inputs are checked against the schema's input types and missing ones take their defaults. Inputs the schema
does not define are dropped and listed in ``ParsedSpec.ignored_fields`` (AWS's own sample specs carry such
leftovers, so they are not an error). Errors name the field: ``spec.instances[0].spec.port: must be a number``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baryon.templates.errors import BundleError, TemplateKind
from baryon.templates.schema import InputSchema, TemplateSchema
from baryon.templates.values import check_object, copy_value
from baryon.templates.yamlio import load_yaml, type_name

_HEADERS = {TemplateKind.ENVIRONMENT: "EnvironmentSpec", TemplateKind.SERVICE: "ServiceSpec"}
_ENV_KEYS = {"proton", "spec"}
_SVC_KEYS = {"proton", "pipeline", "instances"}
_INSTANCE_KEYS = {"name", "environment", "spec"}


@dataclass(frozen=True)
class InstanceSpec:
    """One ``instances`` entry: the instance name, its environment's name (None if the entry omits it) and its
    checked inputs with defaults applied."""

    name: str
    environment: str | None
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class ParsedSpec:
    """A checked spec. Environment specs fill ``inputs``; service specs fill ``instances`` and, with a
    pipeline, ``pipeline_inputs``."""

    kind: TemplateKind
    inputs: Mapping[str, Any] = field(default_factory=dict)
    pipeline_inputs: Mapping[str, Any] | None = None
    instances: tuple[InstanceSpec, ...] = ()
    ignored_fields: tuple[str, ...] = ()

    def instance(self, name: str) -> InstanceSpec:
        for instance in self.instances:
            if instance.name == name:
                return instance
        raise BundleError(f"spec.instances: no instance named '{name}'")


def validate_inputs(
    values: Any, input_type: InputSchema, where: str, ignored: list[str] | None = None
) -> dict[str, Any]:
    """Check one resource's inputs (a mapping or None) against an input type; defaults applied."""
    if values is not None and not isinstance(values, dict):
        raise BundleError(f"{where}: must be a mapping of inputs, not {type_name(values)}")
    checked, unknown = check_object(values, input_type, where, keep_unknown=False)
    if ignored is not None:
        ignored.extend(f"{where}.{name}" for name in unknown)
    return checked


def _unexpected(doc: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in doc:
        if key not in allowed:
            raise BundleError(f"{where}.{key}: unexpected field (expected {', '.join(sorted(allowed))})")


def _instances(raw: Any, schema: InputSchema, ignored: list[str]) -> tuple[InstanceSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BundleError(f"spec.instances: must be a list, not {type_name(raw)}")
    out: list[InstanceSpec] = []
    for i, entry in enumerate(raw):
        where = f"spec.instances[{i}]"
        if not isinstance(entry, dict):
            raise BundleError(f"{where}: must be a mapping with name, environment and spec")
        _unexpected(entry, _INSTANCE_KEYS, where)
        name, env = entry.get("name"), entry.get("environment")
        if not isinstance(name, str) or not name:
            raise BundleError(f"{where}.name: is required (a string)")
        if env is not None and not isinstance(env, str):
            raise BundleError(f"{where}.environment: must be a string")
        if any(o.name == name for o in out):
            raise BundleError(f"{where}.name: duplicate instance name '{name}'")
        inputs = validate_inputs(entry.get("spec"), schema, f"{where}.spec", ignored)
        out.append(InstanceSpec(name, env, inputs))
    return tuple(out)


def validate_spec(spec_text: str, schema: TemplateSchema, kind: TemplateKind, *, pipeline: bool = True) -> ParsedSpec:
    """Parse and check a spec against ``schema``; BundleError naming the field that is wrong.

    Memoised on (spec text, schema text, kind, pipeline): the same spec is validated again at every
    deployment, and YAML parsing is most of the cost. A spec is memoised the second time it is seen, so that
    one-off specs neither pay for the memo nor push out the specs that repeat. Each call returns its own
    copies of the inputs."""
    key = (spec_text, schema.source, kind, pipeline)
    memoised = _cache.get(key)
    if memoised is not None:
        return _fresh(memoised)
    parsed = _validate(spec_text, schema, kind, pipeline=pipeline)
    if not _seen_before(hash(key)):
        return parsed
    _put(_cache, key, parsed, _CACHE_SIZE)
    return _fresh(parsed)


def _fresh(parsed: ParsedSpec) -> ParsedSpec:
    """A copy of a memoised spec whose inputs the caller may change (they are dicts: see :func:`_validate`)."""
    instances = tuple(InstanceSpec(i.name, i.environment, copy_value(i.inputs)) for i in parsed.instances)
    return ParsedSpec(
        parsed.kind,
        inputs=copy_value(parsed.inputs),
        pipeline_inputs=copy_value(parsed.pipeline_inputs),
        instances=instances,
        ignored_fields=parsed.ignored_fields,
    )


_CACHE_SIZE = 256
_cache: dict[tuple[str, str, TemplateKind, bool], ParsedSpec] = {}
_seen: dict[int, bool] = {}
"""Key hashes of the specs validated once and not memoised (yet), oldest first."""


def _seen_before(key_hash: int) -> bool:
    """Whether a spec with this key hash was validated before (and not memoised); remembers it if not."""
    if _seen.pop(key_hash, False):
        return True
    _put(_seen, key_hash, True, 4 * _CACHE_SIZE)
    return False


def _put(table: dict[Any, Any], key: Any, value: Any, size: int) -> None:
    """Add to a table that forgets its oldest entry beyond ``size``."""
    if len(table) >= size:
        table.pop(next(iter(table)), None)
    table[key] = value


def _validate(spec_text: str, schema: TemplateSchema, kind: TemplateKind, *, pipeline: bool) -> ParsedSpec:
    doc = load_yaml(spec_text, "spec")
    if not isinstance(doc, dict):
        raise BundleError(f"spec: must be a YAML mapping starting with 'proton: {_HEADERS[kind]}'")
    if doc.get("proton") != _HEADERS[kind]:
        raise BundleError(f"spec.proton: must be {_HEADERS[kind]}, not {doc.get('proton')!r}")
    ignored: list[str] = []
    if kind is TemplateKind.ENVIRONMENT:
        _unexpected(doc, _ENV_KEYS, "spec")
        if schema.environment_inputs is None:
            raise BundleError("spec: the template's schema defines no environment_input_type")
        inputs = validate_inputs(doc.get("spec"), schema.environment_inputs, "spec.spec", ignored)
        return ParsedSpec(kind, inputs=inputs, ignored_fields=tuple(ignored))
    _unexpected(doc, _SVC_KEYS, "spec")
    if schema.service_inputs is None:
        raise BundleError("spec: the template's schema defines no service_input_type")
    instances = _instances(doc.get("instances"), schema.service_inputs, ignored)
    pipeline_inputs = None
    if pipeline and schema.pipeline_inputs is not None:
        pipeline_inputs = validate_inputs(doc.get("pipeline"), schema.pipeline_inputs, "spec.pipeline", ignored)
    elif doc.get("pipeline") is not None:
        ignored.append("spec.pipeline")
    return ParsedSpec(kind, instances=instances, pipeline_inputs=pipeline_inputs, ignored_fields=tuple(ignored))

"""What an environment deployment provisions: its template version's bundle rendered with its spec.

Bundles and schemas are parsed once per version (the stored tarball's digest keys the cache); specs are
validated with the template core's memo. Raises `BundleError` with the field or line that is wrong.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from baryon.templates import (
    Bundle,
    BundleError,
    TemplateKind,
    TemplateSchema,
    parse_schema,
    read_tarball,
    validate_spec,
)
from baryon.templates import render_environment as render_infrastructure
from baryon.templates.manifest import Engine
from baryon.templates.render import manifest_of

_bundles: dict[str, Bundle] = {}
MAX_BUNDLES = 128


def _bundle(data: bytes) -> Bundle:
    """The version's bundle, read once per process (keyed by the tarball's digest)."""
    digest = hashlib.sha256(data).hexdigest()
    found = _bundles.get(digest)
    if found is None:
        if len(_bundles) >= MAX_BUNDLES:
            _bundles.clear()
        found = _bundles[digest] = read_tarball(data)
    return found


@lru_cache(maxsize=128)
def _schema(text: str) -> TemplateSchema:
    return parse_schema(text)


def check_environment_spec(schema_text: str, spec_text: str) -> None:
    """Raise BundleError when `spec_text` is not a valid EnvironmentSpec for the schema."""
    validate_spec(spec_text, _schema(schema_text), TemplateKind.ENVIRONMENT)


def environment_template(bundle_data: bytes, schema_text: str, spec_text: str, environment_name: str) -> str:
    """The CloudFormation template an environment deploys: the version's `infrastructure/` rendered with the
    spec's inputs (defaults applied)."""
    bundle = _bundle(bundle_data)
    manifest = manifest_of(bundle, "infrastructure")
    if manifest.engine is not Engine.CLOUDFORMATION:
        raise BundleError(
            f"infrastructure/manifest.yaml: Baryon provisions CloudFormation templates; this bundle uses "
            f"{manifest.engine.value}"
        )
    parsed = validate_spec(spec_text, _schema(schema_text), TemplateKind.ENVIRONMENT)
    rendered = render_infrastructure(bundle, environment_name=environment_name, inputs=parsed.inputs)
    return rendered[manifest.files[0]]

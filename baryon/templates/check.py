"""Registration checks: everything Proton verifies when a template version is created, before it becomes
``DRAFT`` (or ``REGISTRATION_FAILED`` with the reason as ``statusMessage``).

* ``schema/schema.yaml`` parses and names the input types the template kind needs;
* the infrastructure directories are the right ones: ``infrastructure/`` for environments (none at all for
  customer-managed environments, whose schema lists the outputs of infrastructure provisioned elsewhere, as
  strings); ``instance_infrastructure/`` and, when the service template has a pipeline,
  ``pipeline_infrastructure/`` for services;
* every manifest is valid and names files that exist (at most 10 IaC files per bundle);
* Jinja files parse and refer only to inputs the schema defines;
* CloudFormation files, rendered with sample inputs, pass cfn-lint's structural rules (errors); other
  findings, and sample renderings that cannot be completed, are returned as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from baryon.templates.bundle import SCHEMA_PATH, Bundle
from baryon.templates.errors import BundleError, TemplateKind
from baryon.templates.jinja import parse, render_text
from baryon.templates.lintcheck import lint_rendered
from baryon.templates.manifest import Engine, Manifest, parse_manifest
from baryon.templates.references import input_references
from baryon.templates.registration import read_registration
from baryon.templates.render import environment_context, instance_context, pipeline_context
from baryon.templates.samples import sample_inputs, sample_outputs
from baryon.templates.schema import InputSchema, TemplateSchema, parse_schema

MAX_TEMPLATE_FILES = 10
INFRA_DIRS = ("infrastructure", "instance_infrastructure", "pipeline_infrastructure")


@dataclass(frozen=True)
class CheckedBundle:
    """A bundle that registers. ``warnings`` are lint findings and anything else non-fatal."""

    bundle: Bundle
    schema: TemplateSchema
    warnings: tuple[str, ...] = ()
    compatible_environments: tuple[tuple[str, str], ...] = ()
    supported_component_sources: tuple[str, ...] = ()
    manifests: tuple[Manifest, ...] = field(default=())


def _directories(
    bundle: Bundle, schema: TemplateSchema, kind: TemplateKind, customer_managed: bool, pipeline: bool
) -> list[str]:
    present = [d for d in INFRA_DIRS if bundle.has_dir(d)]
    if kind is TemplateKind.ENVIRONMENT:
        if schema.environment_inputs is None:
            raise BundleError(f"{SCHEMA_PATH}: schema.environment_input_type is required for an environment template")
        wrong = [d for d in present if d != "infrastructure"]
        if wrong:
            raise BundleError(f"{wrong[0]}/: not allowed in an environment template bundle")
        if customer_managed:
            if present:
                raise BundleError(
                    "infrastructure/: a customer-managed environment template bundle holds only the schema"
                )
            for name, prop in schema.environment_inputs.properties.items():
                if prop.type not in (None, "string"):
                    raise BundleError(
                        f"{SCHEMA_PATH}: {schema.environment_input_type}.{name}: outputs of customer-managed "
                        "infrastructure must be strings"
                    )
            return []
        return ["infrastructure"]
    if schema.service_inputs is None:
        raise BundleError(f"{SCHEMA_PATH}: schema.service_input_type is required for a service template")
    if "infrastructure" in present:
        raise BundleError("infrastructure/: not allowed in a service template bundle (use instance_infrastructure/)")
    dirs = ["instance_infrastructure"]
    if pipeline:
        if schema.pipeline_inputs is None:
            raise BundleError(
                f"{SCHEMA_PATH}: schema.pipeline_input_type is required for a service template with a pipeline"
            )
        dirs.append("pipeline_infrastructure")
    elif "pipeline_infrastructure" in present:
        raise BundleError(
            "pipeline_infrastructure/: not allowed when the service template has no pipeline "
            "(pipelineProvisioning CUSTOMER_MANAGED)"
        )
    return dirs


def _check_references(path: str, source: str, directory: str, schema: TemplateSchema) -> None:
    types: dict[str, tuple[str | None, InputSchema | None]] = {
        "environment": (schema.environment_input_type, schema.environment_inputs),
        "service_instance": (schema.service_input_type, schema.service_inputs),
        "pipeline": (schema.pipeline_input_type, schema.pipeline_inputs),
    }
    allowed = {"infrastructure": {"environment"}}.get(directory, {"service_instance", "pipeline"})
    for ref in input_references(parse(source, path)):
        if ref.namespace not in allowed:
            continue
        type_name, input_type = types[ref.namespace]
        if input_type is None:
            kind_key = {"service_instance": "service", "environment": "environment"}.get(ref.namespace, ref.namespace)
            raise BundleError(
                f"{path} line {ref.line}: {ref.expression} is used but {SCHEMA_PATH} has no {kind_key}_input_type"
            )
        if ref.name not in input_type.properties:
            raise BundleError(
                f"{path} line {ref.line}: {ref.expression} is not defined in {SCHEMA_PATH} "
                f"(type {type_name} has no property '{ref.name}')"
            )


def _sample_context(directory: str, schema: TemplateSchema) -> dict[str, Any]:
    environment = {"name": "sample-env", "account_id": "123456789012", "outputs": sample_outputs()}
    service = {
        "name": "sample-service",
        "branch_name": "main",
        "repository_connection_arn": "arn:aws:codestar-connections:us-east-1:123456789012:connection/sample",
        "repository_id": "sample-org/sample-repo",
    }
    instance_inputs = sample_inputs(schema.service_inputs)
    if directory == "infrastructure":
        return environment_context("sample-env", sample_inputs(schema.environment_inputs))
    if directory == "instance_infrastructure":
        return instance_context(
            environment=environment, service=service, instance_name="sample-instance", inputs=instance_inputs
        )
    instance = {
        "name": "sample-instance",
        "inputs": instance_inputs,
        "outputs": sample_outputs(),
        "environment": environment,
    }
    return pipeline_context(
        service=service, pipeline_inputs=sample_inputs(schema.pipeline_inputs), instances=[instance]
    )


def check_bundle(
    bundle: Bundle, kind: TemplateKind, *, customer_managed: bool = False, pipeline: bool = True
) -> CheckedBundle:
    """Validate a bundle as Proton does when registering a template version; BundleError if it is refused.

    ``customer_managed``: an environment template with ``provisioning: CUSTOMER_MANAGED`` (schema only);
    ``pipeline``: a service template with a pipeline (``pipelineProvisioning`` not CUSTOMER_MANAGED)."""
    if SCHEMA_PATH not in bundle.files:
        raise BundleError(f"{SCHEMA_PATH}: missing (every template bundle needs a schema file)")
    schema = parse_schema(bundle.text(SCHEMA_PATH))
    warnings = list(schema.warnings)
    directories = _directories(bundle, schema, kind, customer_managed, pipeline)
    manifests = [parse_manifest(bundle, d) for d in directories]
    count = sum(len(m.files) for m in manifests)
    if count > MAX_TEMPLATE_FILES:
        raise BundleError(f"template bundle has {count} template files; the quota is {MAX_TEMPLATE_FILES}")
    for manifest in manifests:
        jinja_files = manifest.files if manifest.engine is Engine.CLOUDFORMATION else ()
        if manifest.engine is Engine.CODEBUILD:
            jinja_files = (manifest.path,)
        for path in jinja_files:
            _check_references(path, bundle.text(path), manifest.directory, schema)
        if manifest.engine is Engine.CLOUDFORMATION:
            context = _sample_context(manifest.directory, schema)
            for path in manifest.files:
                try:
                    rendered = render_text(bundle.digest(), path, bundle.text(path), context)
                except BundleError as exc:
                    warnings.append(f"not linted: rendering with sample inputs failed: {exc.message}")
                    continue
                warnings.extend(lint_rendered(path, rendered))
    registration = read_registration(bundle) if kind is TemplateKind.SERVICE else None
    if registration is not None:
        warnings.extend(registration.warnings)
    return CheckedBundle(
        bundle=bundle,
        schema=schema,
        warnings=tuple(warnings),
        compatible_environments=registration.compatible_environments if registration else (),
        supported_component_sources=registration.supported_component_sources if registration else (),
        manifests=tuple(manifests),
    )

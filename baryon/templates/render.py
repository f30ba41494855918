"""Rendering a bundle's infrastructure for one resource, with Proton's parameter namespaces:

* environment (``infrastructure/``): ``environment.name``, ``environment.inputs.<k>``;
* service instance (``instance_infrastructure/``): ``environment.{name,account_id,outputs}``,
  ``service.{name,branch_name,repository_connection_arn,repository_id}``,
  ``service_instance.{name,inputs}`` and ``service_instance.components.default.outputs`` (an empty mapping
  when no component is attached, so ``| length`` and ``| default`` work as on Proton);
* pipeline (``pipeline_infrastructure/``): ``service.*``, ``pipeline.inputs``, and the list
  ``service_instances`` whose items have ``name``, ``inputs``, ``outputs`` and ``environment.{name,
  account_id,outputs}``.

CloudFormation files are rendered with Jinja; Terraform files are returned as written (Proton does not render
them; the provisioning engine adds its variables files); for CodeBuild the manifest is rendered (its
commands and ``project_properties`` may hold ``{{ ... }}``) and the input file ``proton-inputs.json`` (or
``proton-inputs.tfvars`` with ``input_type: HCL``) is produced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from baryon.templates.bundle import Bundle
from baryon.templates.errors import BundleError
from baryon.templates.jinja import render_file
from baryon.templates.manifest import Engine, Manifest, parse_manifest

_manifests: dict[tuple[str, str], Manifest] = {}


def manifest_of(bundle: Bundle, directory: str) -> Manifest:
    """The parsed manifest of ``directory``, cached per bundle digest."""
    key = (bundle.digest(), directory)
    manifest = _manifests.get(key)
    if manifest is None:
        if len(_manifests) > 1024:
            _manifests.clear()
        manifest = _manifests[key] = parse_manifest(bundle, directory)
    return manifest


def _manifest_to_render(bundle: Bundle, directory: str) -> Manifest:
    """:func:`manifest_of`, or BundleError naming ``directory`` when the bundle has none (looked for only when
    the manifest is not cached yet: a cached one proves the directory is there)."""
    manifest = _manifests.get((bundle.digest(), directory))
    if manifest is not None:
        return manifest
    if not bundle.has_dir(directory):
        raise BundleError(f"{directory}/: the template bundle has no {directory} directory")
    return manifest_of(bundle, directory)


def _hcl(value: Any) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(str(k))} = {_hcl(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return json.dumps(value)


def codebuild_input_file(manifest: Manifest, values: Mapping[str, Any]) -> tuple[str, str]:
    """CodeBuild's input file: (bundle path, text)."""
    if manifest.input_type == "HCL":
        body = "".join(f"{key} = {_hcl(value)}\n" for key, value in values.items())
        return f"{manifest.directory}/proton-inputs.tfvars", body
    return f"{manifest.directory}/proton-inputs.json", json.dumps(values, indent=2, default=str)


def render_directory(
    bundle: Bundle, directory: str, context: Mapping[str, Any], codebuild_values: Mapping[str, Any]
) -> dict[str, str]:
    """Render every IaC file of one infrastructure directory with ``context``."""
    manifest = _manifest_to_render(bundle, directory)
    if manifest.engine is Engine.CLOUDFORMATION:
        return {path: render_file(bundle, path, context) for path in manifest.files}
    if manifest.engine is Engine.TERRAFORM:
        return {path: bundle.text(path) for path in manifest.files}
    rendered = {manifest.path: render_file(bundle, manifest.path, context)}
    path, text = codebuild_input_file(manifest, codebuild_values)
    rendered[path] = text
    return rendered


def environment_context(environment_name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"environment": {"name": environment_name, "inputs": dict(inputs)}}


def render_environment(bundle: Bundle, *, environment_name: str, inputs: Mapping[str, Any]) -> dict[str, str]:
    """Render ``infrastructure/`` for an environment. ``inputs`` are the validated spec inputs
    (:func:`~baryon.templates.spec.validate_spec` fills in defaults). Returns bundle path -> text."""
    context = environment_context(environment_name, inputs)
    return render_directory(bundle, "infrastructure", context, context)


def instance_context(
    *,
    environment: Mapping[str, Any],
    service: Mapping[str, Any],
    instance_name: str,
    inputs: Mapping[str, Any],
    components: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    slots = {name: {"outputs": dict(outputs)} for name, outputs in (components or {}).items()}
    slots.setdefault("default", {"outputs": {}})
    return {
        "environment": dict(environment),
        "service": dict(service),
        "service_instance": {"name": instance_name, "inputs": dict(inputs), "components": slots},
    }


def render_service_instance(
    bundle: Bundle,
    *,
    environment: Mapping[str, Any],
    service: Mapping[str, Any],
    instance_name: str,
    inputs: Mapping[str, Any],
    components: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, str]:
    """Render ``instance_infrastructure/`` for one service instance.

    ``environment``: ``name``, ``account_id``, ``outputs`` (the deployed environment's outputs);
    ``service``: ``name`` and, for services with a repository, ``branch_name``, ``repository_connection_arn``,
    ``repository_id``; ``components``: component slot (``"default"``, the directly defined component attached
    to the instance) -> that component's outputs."""
    context = instance_context(
        environment=environment, service=service, instance_name=instance_name, inputs=inputs, components=components
    )
    codebuild = {
        "service_instance": {"name": instance_name, "inputs": dict(inputs)},
        "service": {"name": service.get("name")},
        "environment": dict(environment),
    }
    return render_directory(bundle, "instance_infrastructure", context, codebuild)


def pipeline_context(
    *, service: Mapping[str, Any], pipeline_inputs: Mapping[str, Any], instances: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    items = []
    for instance in instances:
        item = {"outputs": {}, **dict(instance)}
        item["environment"] = dict(instance.get("environment") or {})
        items.append(item)
    return {"service": dict(service), "pipeline": {"inputs": dict(pipeline_inputs)}, "service_instances": items}


def render_pipeline(
    bundle: Bundle,
    *,
    service: Mapping[str, Any],
    pipeline_inputs: Mapping[str, Any],
    instances: Sequence[Mapping[str, Any]],
) -> dict[str, str]:
    """Render ``pipeline_infrastructure/``. Each of ``instances`` is a mapping with ``name``, ``inputs``,
    ``outputs`` (that instance's deployed outputs, may be empty) and ``environment`` (``name``,
    ``account_id``, ``outputs``)."""
    context = pipeline_context(service=service, pipeline_inputs=pipeline_inputs, instances=instances)
    return render_directory(bundle, "pipeline_infrastructure", context, context)

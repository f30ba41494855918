"""Every public sample bundle registers (from its directory and from a tarball) and renders."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from baryon.templates import (
    BundleError,
    CheckedBundle,
    TemplateKind,
    check_bundle,
    read_tarball,
    render_environment,
    render_pipeline,
    render_service_instance,
    sample_inputs,
    validate_spec,
)
from baryon.templates.manifest import Engine
from baryon.templates.samples import sample_outputs
from baryon.templates.yamlio import load_cloudformation
from tests.templates.fixtures import (
    CHECKER,
    REFUSED,
    ReferenceCloudFormationLoader,
    bundle_dirs,
    bundle_id,
    files_of,
    kind_of,
    load_dir,
    need_samples,
    spec_files,
    tarball,
)

DIRS = bundle_dirs()
SERVICE = {
    "name": "sample-service",
    "branch_name": "main",
    "repository_connection_arn": "arn:aws:codestar-connections:us-east-1:111111111111:connection/x",
    "repository_id": "org/repo",
}


def _environment() -> dict[str, Any]:
    return {"name": "env", "account_id": "111111111111", "outputs": sample_outputs()}


def test_samples_are_present() -> None:
    need_samples()
    assert len(DIRS) >= 55


@pytest.mark.parametrize("directory", DIRS, ids=[bundle_id(d) for d in DIRS])
def test_bundle_registers_from_directory_and_tarball(directory: Path) -> None:
    for bundle in (load_dir(directory), read_tarball(tarball(files_of(directory), prefix="v1/"))):
        pipeline = bundle.has_dir("pipeline_infrastructure")
        expected = REFUSED.get(bundle_id(directory))
        if expected:
            with pytest.raises(BundleError, match=expected.replace("(", r"\(")):
                check_bundle(bundle, kind_of(bundle), pipeline=pipeline)
            continue
        checked = check_bundle(bundle, kind_of(bundle), pipeline=pipeline)
        assert checked.schema.source.startswith(("schema", "#", "\n")) or "schema:" in checked.schema.source
        if kind_of(bundle) is TemplateKind.SERVICE and any(
            name in bundle.files for name in (".compatible-envs", ".template-registration.yaml")
        ):
            assert checked.compatible_environments


@functools.cache
def _checked(directory: Path) -> CheckedBundle:
    bundle = load_dir(directory)
    return check_bundle(bundle, kind_of(bundle), pipeline=bundle.has_dir("pipeline_infrastructure"))


def _render(directory: Path, spec_text: str | None) -> dict[str, str]:
    checked = _checked(directory)
    bundle = checked.bundle
    kind, pipeline = kind_of(bundle), bundle.has_dir("pipeline_infrastructure")
    schema = checked.schema
    if kind is TemplateKind.ENVIRONMENT:
        text = spec_text or yaml.safe_dump(
            {"proton": "EnvironmentSpec", "spec": sample_inputs(schema.environment_inputs)}
        )
        spec = validate_spec(text, schema, kind)
        return render_environment(bundle, environment_name="env", inputs=spec.inputs)
    if spec_text is None:
        doc: dict[str, Any] = {"proton": "ServiceSpec", "instances": [{"name": "one", "environment": "env"}]}
        doc["instances"][0]["spec"] = sample_inputs(schema.service_inputs)
        if pipeline:
            doc["pipeline"] = sample_inputs(schema.pipeline_inputs)
        spec_text = yaml.safe_dump(doc)
    spec = validate_spec(spec_text, schema, kind, pipeline=pipeline)
    out: dict[str, str] = {}
    for instance in spec.instances:
        out |= render_service_instance(
            bundle, environment=_environment(), service=SERVICE, instance_name=instance.name, inputs=instance.inputs
        )
    if pipeline:
        runtime = spec.instances[0].inputs.get("lambda_runtime", "nodejs12.x")
        instances = [
            {
                "name": i.name,
                "inputs": i.inputs,
                "outputs": sample_outputs({"LambdaRuntime": runtime}),
                "environment": _environment(),
            }
            for i in spec.instances
        ]
        assert spec.pipeline_inputs is not None
        out |= render_pipeline(bundle, service=SERVICE, pipeline_inputs=spec.pipeline_inputs, instances=instances)
    return out


RENDERABLE = [d for d in DIRS if bundle_id(d) not in REFUSED]


@pytest.mark.parametrize("directory", RENDERABLE, ids=[bundle_id(d) for d in RENDERABLE])
def test_bundle_renders_with_generated_spec(directory: Path) -> None:
    out = _render(directory, None)
    assert out
    for path, text in out.items():
        if path.endswith("cloudformation.yaml"):
            assert "{{" not in text.replace("{{resolve", "")
            assert load_cloudformation(text, path) == yaml.load(text, Loader=ReferenceCloudFormationLoader)


@pytest.mark.parametrize("directory", RENDERABLE, ids=[bundle_id(d) for d in RENDERABLE])
def test_bundle_renders_with_its_own_spec(directory: Path) -> None:
    specs = spec_files(directory)
    if not specs:
        pytest.skip("no spec shipped with this bundle")
    for spec in specs:
        assert _render(directory, spec.read_text())


def test_engines_seen() -> None:
    need_samples()
    engines = set()
    for directory in RENDERABLE:
        engines |= {m.engine for m in _checked(directory).manifests}
    assert engines == {Engine.CLOUDFORMATION, Engine.TERRAFORM, Engine.CODEBUILD}


GOLDEN_SERVICE = {
    "name": "sample-service",
    "repository_connection_arn": "arn:connection:dummy",
    "repository_id": "github/sample-repo",
    "branch_name": "main",
}


def test_golden_environment() -> None:
    need_samples()
    directory = CHECKER / "valid_env_template"
    bundle = load_dir(directory)
    checked = check_bundle(bundle, TemplateKind.ENVIRONMENT)
    spec = validate_spec((directory / "spec/spec.yaml").read_text(), checked.schema, TemplateKind.ENVIRONMENT)
    out = render_environment(bundle, environment_name="sample-env", inputs=spec.inputs)
    assert out["infrastructure/cloudformation.yaml"] == (directory / "expected_rendered_output.yaml").read_text()


@pytest.mark.parametrize("name", ["valid_svc_template", "valid_svc_pipeline_template"])
def test_golden_service(name: str) -> None:
    need_samples()
    directory = CHECKER / name
    bundle = load_dir(directory)
    pipeline = bundle.has_dir("pipeline_infrastructure")
    checked = check_bundle(bundle, TemplateKind.SERVICE, pipeline=pipeline)
    spec = validate_spec(
        (directory / "spec/spec.yaml").read_text(), checked.schema, TemplateKind.SERVICE, pipeline=pipeline
    )
    outputs = yaml.safe_load((directory / "spec/sample-outputs.yaml").read_text())
    instance = spec.instances[0]
    env = {"name": instance.environment, "account_id": "11111111", "outputs": outputs["environment"]}
    rendered = render_service_instance(
        bundle, environment=env, service=GOLDEN_SERVICE, instance_name=instance.name, inputs=instance.inputs
    )
    golden = directory / "expected_rendered_output.yaml"
    if golden.exists():
        assert rendered["instance_infrastructure/cloudformation.yaml"] == golden.read_text()
    if pipeline:
        assert spec.pipeline_inputs is not None
        item = {"name": instance.name, "inputs": instance.inputs, "outputs": outputs["service"], "environment": env}
        out = render_pipeline(bundle, service=GOLDEN_SERVICE, pipeline_inputs=spec.pipeline_inputs, instances=[item])
        expected = (directory / "expected_pipeline_rendered_output.yaml").read_text()
        assert out["pipeline_infrastructure/cloudformation.yaml"] == expected

"""Registration checks: each malformed bundle fails with a message naming the file and field."""

from __future__ import annotations

import pytest

from baryon.templates import BundleError, TemplateKind, bundle_from_files, check_bundle, parse_schema
from tests.templates.builders import CFN, ENV_SCHEMA, MANIFEST, env_bundle, schema_text

ENV = TemplateKind.ENVIRONMENT
SVC = TemplateKind.SERVICE


def test_minimal_environment_registers() -> None:
    checked = check_bundle(env_bundle(), ENV)
    assert checked.schema.environment_input_type == "EnvInput"
    assert checked.compatible_environments == ()


def test_bad_yaml_schema() -> None:
    with pytest.raises(BundleError, match=r"schema/schema.yaml: invalid YAML \(line 3"):
        check_bundle(env_bundle(schema="schema:\n  format: [unclosed\n"), ENV)


def test_bad_yaml_manifest() -> None:
    with pytest.raises(BundleError, match=r"infrastructure/manifest.yaml: invalid YAML"):
        check_bundle(env_bundle(manifest="infrastructure: {templates: [\n"), ENV)


def test_no_manifest() -> None:
    bundle = bundle_from_files(
        {"schema/schema.yaml": ENV_SCHEMA.encode(), "infrastructure/cloudformation.yaml": CFN.encode()}
    )
    with pytest.raises(BundleError, match=r"infrastructure/manifest.yaml: missing"):
        check_bundle(bundle, ENV)


def test_no_schema() -> None:
    bundle = bundle_from_files({"infrastructure/manifest.yaml": MANIFEST.encode()})
    with pytest.raises(BundleError, match=r"schema/schema.yaml: missing"):
        check_bundle(bundle, ENV)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.0.0\ninfo: {title: x}\n", "top-level key must be 'schema'"),
        ("schema:\n  types: {}\n", "schema.format.openapi is required"),
        ("schema:\n  format: {openapi: '2.0'}\n  types: {A: {type: object}}\n", "must be a 3.x version"),
        ("schema:\n  format: {openapi: 3.0.0}\n", "schema.types is required"),
        (
            "schema:\n  format: {openapi: 3.0.0}\n  environment_input_type: Nope\n  types: {A: {type: object}}\n",
            "names 'Nope', which is not defined",
        ),
        (
            "schema:\n  format: {openapi: 3.0.0}\n  types: {A: {type: object, properties: {x: {type: strin}}}}\n",
            r"types.A.properties.x.type: 'strin' is not one of",
        ),
        (
            "schema:\n  format: {openapi: 3.0.0}\n  types: {A: {type: object, properties: {x: {typo: 1}}}}\n",
            "unknown OpenAPI schema keyword 'typo'",
        ),
        (
            "schema:\n  format: {openapi: 3.0.0}\n"
            "  types: {A: {type: object, properties: {x: {type: string, pattern: '('}}}}\n",
            "pattern: not a valid regular expression",
        ),
        (
            "schema:\n  format: {openapi: 3.0.0}\n  types: {A: {type: object, properties: {x: {allOf: []}}}}\n",
            "'allOf' is not supported",
        ),
    ],
)
def test_schema_not_openapi(text: str, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        parse_schema(text)


def test_undefined_input_reference_names_it() -> None:
    cfn = CFN + "  Extra:\n    Value: '{{ environment.inputs.subnet_cidr }}'\n"
    with pytest.raises(BundleError) as info:
        check_bundle(env_bundle(cfn=cfn), ENV)
    assert (
        "infrastructure/cloudformation.yaml line 10: environment.inputs.subnet_cidr is not defined"
        in info.value.message
    )


def test_guarded_reference_is_allowed() -> None:
    cfn = CFN + "  Extra:\n    Value: '{{ environment.inputs.subnet_cidr | default(\"x\") }}'\n"
    check_bundle(env_bundle(cfn=cfn), ENV)


def test_jinja_syntax_error() -> None:
    with pytest.raises(BundleError, match=r"cloudformation.yaml line 1: Jinja syntax error"):
        check_bundle(env_bundle(cfn="{% if %}\n"), ENV)


def test_lint_error_refuses_and_warnings_are_kept() -> None:
    broken = CFN.replace("AWS::EC2::VPC", "AWS::EC2::VPCC")
    with pytest.raises(BundleError, match=r"cfn-lint: .*E3006"):
        check_bundle(env_bundle(cfn=broken), ENV)
    unused = "Parameters:\n  Unused:\n    Type: String\n" + CFN
    checked = check_bundle(env_bundle(cfn=unused), ENV)
    assert any("W2001" in w for w in checked.warnings)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("infrastructure: {templates: []}\n", "must be a non-empty list"),
        ("infrastructure:\n  templates:\n    - file: cloudformation.yaml\n", "rendering_engine: is required"),
        (MANIFEST.replace("jinja", "mustache"), "'mustache' is not one of"),
        (
            MANIFEST.replace("template_language: cloudformation", "template_language: terraform"),
            "must be 'cloudformation'",
        ),
        (MANIFEST.replace("file: cloudformation.yaml", "file: other.yaml"), "infrastructure/other.yaml is not in the"),
        (MANIFEST.replace("file: cloudformation.yaml", "file: ../schema/schema.yaml"), "is outside infrastructure/"),
        ("infrastructure:\n  templates:\n    - rendering_engine: codebuild\n", "settings: is required"),
    ],
)
def test_bad_manifest(manifest: str, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        check_bundle(env_bundle(manifest=manifest), ENV)


def test_customer_managed_environment() -> None:
    schema = schema_text(env={"VpcId": {"type": "string"}})
    bundle = bundle_from_files({"schema/schema.yaml": schema.encode()})
    assert check_bundle(bundle, ENV, customer_managed=True).manifests == ()
    with pytest.raises(BundleError, match="holds only the schema"):
        check_bundle(env_bundle(schema=schema), ENV, customer_managed=True)
    numbers = bundle_from_files({"schema/schema.yaml": schema_text(env={"Port": {"type": "number"}}).encode()})
    with pytest.raises(BundleError, match="must be strings"):
        check_bundle(numbers, ENV, customer_managed=True)


SVC_CFN = (
    "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
    "      QueueName: '{{ service_instance.inputs.name }}'\n"
)
PIPE_CFN = (
    "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: '{{ pipeline.inputs.bucket }}'\n"
    "{% for service_instance in service_instances %}\n  Q{{ loop.index }}:\n    Type: AWS::SQS::Queue\n"
    "    Properties:\n      QueueName: '{{ service_instance.inputs.name }}'\n{% endfor %}\n"
)


def _service(pipeline: bool = True, **extra: str) -> dict[str, bytes]:
    schema = schema_text(
        svc={"name": {"type": "string", "default": "q"}},
        pipe={"bucket": {"type": "string", "default": "b"}} if pipeline else None,
    )
    files = {
        "schema/schema.yaml": schema,
        "instance_infrastructure/manifest.yaml": MANIFEST,
        "instance_infrastructure/cloudformation.yaml": SVC_CFN,
        ".template-registration.yaml": "compatible_environments:\n  - env-a:1\n  - env-b:12\n"
        "supported_component_sources: [DIRECTLY_DEFINED]\n",
    }
    if pipeline:
        files["pipeline_infrastructure/manifest.yaml"] = MANIFEST
        files["pipeline_infrastructure/cloudformation.yaml"] = PIPE_CFN
    files.update(extra)
    return {k: v.encode() for k, v in files.items()}


def test_service_with_pipeline_registers() -> None:
    checked = check_bundle(bundle_from_files(_service()), SVC)
    assert checked.compatible_environments == (("env-a", "1"), ("env-b", "12"))
    assert checked.supported_component_sources == ("DIRECTLY_DEFINED",)


def test_service_directory_rules() -> None:
    without_pipeline_dir = {k: v for k, v in _service().items() if not k.startswith("pipeline_infrastructure")}
    with pytest.raises(BundleError, match=r"pipeline_infrastructure/manifest.yaml: missing"):
        check_bundle(bundle_from_files(without_pipeline_dir), SVC)
    with pytest.raises(BundleError, match="pipeline_infrastructure/: not allowed"):
        check_bundle(bundle_from_files(_service()), SVC, pipeline=False)
    check_bundle(bundle_from_files(_service(pipeline=False)), SVC, pipeline=False)
    with pytest.raises(BundleError, match="service_input_type is required"):
        check_bundle(env_bundle(), SVC)
    with pytest.raises(BundleError, match="instance_infrastructure/: not allowed in an environment"):
        check_bundle(bundle_from_files(_service(**{"schema/schema.yaml": ENV_SCHEMA})), ENV)


def test_legacy_compatible_envs_and_bad_entries() -> None:
    files = {k: v for k, v in _service().items() if k != ".template-registration.yaml"}
    files[".compatible-envs"] = b"fargate-env:1\n\nvpc-env:2"
    assert check_bundle(bundle_from_files(files), SVC).compatible_environments == (
        ("fargate-env", "1"),
        ("vpc-env", "2"),
    )
    files[".compatible-envs"] = b"fargate-env"
    with pytest.raises(BundleError, match="not 'template-name:major-version'"):
        check_bundle(bundle_from_files(files), SVC)


def test_pipeline_reference_to_undefined_input() -> None:
    files = _service(
        **{
            "pipeline_infrastructure/cloudformation.yaml": PIPE_CFN.replace(
                "pipeline.inputs.bucket", "pipeline.inputs.nope"
            )
        }
    )
    with pytest.raises(BundleError, match=r"pipeline.inputs.nope is not defined.*PipeInput"):
        check_bundle(bundle_from_files(files), SVC)


def test_template_file_quota() -> None:
    tf = "infrastructure:\n  templates:\n    - file: '*'\n      rendering_engine: hcl\n"
    tf += "      template_language: terraform\n"
    files = {f"infrastructure/f{i}.tf": "" for i in range(11)}
    with pytest.raises(BundleError, match="11 template files; the quota is 10"):
        check_bundle(env_bundle(manifest=tf, **files), ENV)

"""Rendering: namespaces, strict undefined, Proton's filters, error messages."""

from __future__ import annotations

import pytest
import yaml

from baryon.templates import BundleError, bundle_from_files, render_environment, render_service_instance
from tests.templates.builders import ENV_SCHEMA, MANIFEST, env_bundle

ENV = {"name": "dev", "account_id": "111111111111", "outputs": {"Vpc": "vpc-1"}}
SVC = {"name": "api"}


def _instance(cfn: str, components: dict[str, dict[str, str]] | None = None) -> str:
    bundle = bundle_from_files(
        {
            "schema/schema.yaml": ENV_SCHEMA.encode(),
            "instance_infrastructure/manifest.yaml": MANIFEST.encode(),
            "instance_infrastructure/cloudformation.yaml": cfn.encode(),
        }
    )
    out = render_service_instance(
        bundle, environment=ENV, service=SVC, instance_name="one", inputs={"port": 80}, components=components
    )
    return out["instance_infrastructure/cloudformation.yaml"]


def test_environment_namespace() -> None:
    out = render_environment(env_bundle(), environment_name="dev", inputs={"vpc_cidr": "10.1.0.0/16"})
    assert "CidrBlock: '10.1.0.0/16'" in out["infrastructure/cloudformation.yaml"]


def test_undefined_reference_fails_with_file_and_line() -> None:
    with pytest.raises(BundleError, match=r"instance_infrastructure/cloudformation.yaml line 2: .*'nope'"):
        _instance("a: 1\nb: {{ environment.outputs.nope }}\n")


def test_attribute_lookup_on_dicts_is_jinjas() -> None:
    """``a.b`` on a dict is the dict's attribute when it has one (``items``), else the key, as in Jinja."""
    text = _instance("{{ service_instance.inputs.port }} {{ service_instance.inputs.items is callable }}")
    assert text == "80 True"
    with pytest.raises(BundleError, match=r"'dict object' has no attribute 'nope'"):
        _instance("{{ service_instance.inputs.nope }}")


def test_instance_namespaces_and_default_filter() -> None:
    text = _instance(
        "{{ environment.name }} {{ environment.account_id }} {{ service.name }} {{ service_instance.name }} "
        "{{ service_instance.inputs.port }} {{ environment.outputs.Vpc }} "
        "{{ environment.outputs.x | default('d') }}"
    )
    assert text == "dev 111111111111 api one 80 vpc-1 d"


def test_component_filters_indent_and_format() -> None:
    outs = "service_instance.components.default.outputs"
    cfn = (
        f"Env:\n  Environment:\n    {{{{ {outs} | proton_cfn_ecs_task_definition_formatted_env_vars }}}}\n"
        f"Lambda:\n  Variables:\n    {{{{ {outs} | proton_cfn_lambda_function_formatted_env_vars }}}}\n"
        f"Role:\n  ManagedPolicyArns:\n    - base\n    {{{{ {outs} | proton_cfn_iam_policy_arns }}}}\n"
    )
    outputs = {"Output1": "hello", "Odd": "a: b", "PolicyArn1": "arn:aws:iam::123456789012:policy/p1"}
    doc = yaml.safe_load(_instance(cfn, {"default": outputs}))
    assert doc["Env"]["Environment"] == [{"Name": k, "Value": v} for k, v in outputs.items()]
    assert doc["Lambda"]["Variables"] == outputs
    assert doc["Role"]["ManagedPolicyArns"] == ["base", "arn:aws:iam::123456789012:policy/p1"]


def test_no_component_gives_empty_outputs() -> None:
    cfn = "{% if service_instance.components.default.outputs | length > 0 %}yes{% else %}no{% endif %}"
    assert _instance(cfn) == "no"


def test_sanitize_exact_message() -> None:
    cfn = "a: {{ service_instance.components.default.outputs.Output2 | proton_cfn_sanitize }}"
    with pytest.raises(BundleError) as info:
        _instance(cfn, {"default": {"Output2": "this::is::incorrect"}})
    assert info.value.message.endswith(
        'Illegal character(s) detected in "this::is::incorrect". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN'
    )
    ok = _instance(
        cfn.replace("Output2", "A"), {"default": {"A": "arn:aws:some-service::123456789012:some-resource/x"}}
    )
    assert ok == "a: arn:aws:some-service::123456789012:some-resource/x"


def test_raw_false_validates() -> None:
    cfn = "{{ service_instance.components.default.outputs | proton_cfn_lambda_function_formatted_env_vars(raw=False) }}"
    with pytest.raises(BundleError, match="Illegal character"):
        _instance(cfn, {"default": {"A": "x y"}})

"""Spec validation: headers, types, constraints, defaults, error messages naming the field."""

from __future__ import annotations

from typing import Any, cast

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from baryon.templates import BundleError, TemplateKind, parse_schema, validate_spec
from baryon.templates.values import check_value
from tests.templates.builders import schema_text

SVC_PROPS: dict[str, Any] = {
    "port": {"type": "number", "default": 80, "minimum": 0, "maximum": 65535},
    "size": {"type": "string", "enum": ["small", "large"], "default": "small"},
    "image": {"type": "string", "minLength": 3, "maxLength": 10, "pattern": "^[a-z]+$"},
    "count": {"type": "integer", "default": 1},
    "public": {"type": "boolean", "default": False},
    "env_vars": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
}
SCHEMA = parse_schema(
    schema_text(
        svc={"properties": SVC_PROPS, "required": ["image"]},
        pipe={"dockerfile": {"type": "string", "default": "Dockerfile"}},
    )
)
SVC = TemplateKind.SERVICE


def _spec(instance_spec: Any, pipeline: Any = None) -> str:
    doc: dict[str, Any] = {
        "proton": "ServiceSpec",
        "instances": [{"name": "one", "environment": "env", "spec": instance_spec}],
    }
    if pipeline is not None:
        doc["pipeline"] = pipeline
    return yaml.safe_dump(doc)


def test_defaults_applied_and_unknown_fields_ignored() -> None:
    parsed = validate_spec(_spec({"image": "nginx", "leftover": 1}), SCHEMA, SVC)
    assert dict(parsed.instances[0].inputs) == {
        "image": "nginx",
        "port": 80,
        "size": "small",
        "count": 1,
        "public": False,
    }
    assert parsed.pipeline_inputs == {"dockerfile": "Dockerfile"}
    assert parsed.ignored_fields == ("spec.instances[0].spec.leftover",)
    assert parsed.instance("one").environment == "env"


@pytest.mark.parametrize(
    ("instance_spec", "message"),
    [
        ({"image": "nginx", "port": "80"}, "spec.instances[0].spec.port: must be a number, not a string"),
        ({"image": "nginx", "port": 70000}, "spec.instances[0].spec.port: must be at most 65535"),
        ({"image": "nginx", "port": True}, "spec.instances[0].spec.port: must be a number, not a boolean"),
        ({"image": "nginx", "size": "huge"}, r"spec.instances\[0\].spec.size: must be one of \[small, large\]"),
        ({"image": "NGINX"}, "spec.instances[0].spec.image: must match the pattern"),
        ({"image": "ab"}, "spec.instances[0].spec.image: must be at least 3 characters"),
        ({"image": "nginx", "count": 1.5}, "spec.instances[0].spec.count: must be an integer"),
        ({"image": "nginx", "env_vars": ["a", "b", "c"]}, "spec.instances[0].spec.env_vars: must have at most 2"),
        ({"image": "nginx", "env_vars": [1]}, r"spec.instances\[0\].spec.env_vars\[0\]: must be a string"),
        ({}, "spec.instances[0].spec.image: is required"),
        ("text", "spec.instances[0].spec: must be a mapping"),
    ],
)
def test_invalid_inputs_name_the_field(instance_spec: Any, message: str) -> None:
    with pytest.raises(BundleError) as info:
        validate_spec(_spec(instance_spec), SCHEMA, SVC)
    assert message.replace("\\", "") in info.value.message or __import__("re").search(message, info.value.message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("proton: EnvironmentSpec\nspec: {}\n", "spec.proton: must be ServiceSpec"),
        ("- a list\n", "spec: must be a YAML mapping"),
        ("proton: ServiceSpec\ninstances: [{spec: {}}]\n", "spec.instances[0].name: is required"),
        ("proton: ServiceSpec\ninstances: {a: 1}\n", "spec.instances: must be a list"),
        ("proton: ServiceSpec\nbogus: 1\n", "spec.bogus: unexpected field"),
        (
            "proton: ServiceSpec\ninstances: [{name: a, spec: {image: abc}}, {name: a, spec: {image: abc}}]\n",
            "duplicate instance name",
        ),
        ("proton: [unclosed\n", "spec: invalid YAML"),
    ],
)
def test_bad_spec_documents(text: str, message: str) -> None:
    with pytest.raises(BundleError) as info:
        validate_spec(text, SCHEMA, SVC)
    assert message in info.value.message


def test_environment_spec_and_pipeline_flag() -> None:
    env_schema = parse_schema(schema_text(env={"cidr": {"type": "string", "default": "10.0.0.0/16"}}))
    parsed = validate_spec("proton: EnvironmentSpec\n", env_schema, TemplateKind.ENVIRONMENT)
    assert parsed.inputs == {"cidr": "10.0.0.0/16"}
    no_pipeline = validate_spec(_spec({"image": "abc"}, {"dockerfile": "x"}), SCHEMA, SVC, pipeline=False)
    assert no_pipeline.pipeline_inputs is None and "spec.pipeline" in no_pipeline.ignored_fields


def test_a_spec_validated_again_gives_fresh_inputs() -> None:
    """Repeated specs come from the memo (from the second time on); changing a result changes no other."""
    text = _spec({"image": "abc", "env_vars": ["a"]}, {"dockerfile": "x"})
    results = [validate_spec(text, SCHEMA, SVC) for _ in range(4)]
    assert all(result == results[0] for result in results)
    for result in results:
        inputs = cast(dict[str, Any], result.instances[0].inputs)
        inputs["image"] = "changed"
        inputs["env_vars"].append("b")
        cast(dict[str, Any], result.pipeline_inputs)["dockerfile"] = "changed"
    again = validate_spec(text, SCHEMA, SVC)
    assert again.instances[0].inputs["image"] == "abc" and again.instances[0].inputs["env_vars"] == ["a"]
    assert again.pipeline_inputs == {"dockerfile": "x"}


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 70000), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.lists(st.one_of(st.text(max_size=3), st.integers()), max_size=4),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*SVC_PROPS, "other"]), VALUES, max_size=6))
def test_accepted_specs_satisfy_the_schema(inputs: dict[str, Any]) -> None:
    """Whatever is accepted has every default applied and every value valid; whatever is refused names a field."""
    try:
        parsed = validate_spec(_spec(inputs), SCHEMA, SVC)
    except BundleError as exc:
        assert exc.message.startswith("spec.instances[0].spec")
        return
    result = parsed.instances[0].inputs
    for name, prop in SCHEMA.service_inputs.properties.items():  # type: ignore[union-attr]
        if prop.has_default and inputs.get(name) is None:
            assert result[name] == prop.default
        if name in result:
            check_value(result[name], prop, name)
    assert "image" in result and "other" not in result

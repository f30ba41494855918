"""The action map covers every operation Baryon serves, and Proton's matches AWS's authorization reference."""

from __future__ import annotations

import ast
import re
import tempfile
from pathlib import Path

import pytest

from baryon.authz import action_map
from baryon.authz.action_map import proton
from baryon.authz.facts import Facts
from baryon.edge.protocols.spec import load_service
from baryon.identity.caller import Caller
from baryon.providers import operation_tables
from baryon.store.db import Store
from baryon.store.generation import GenerationWatch

REFERENCE = Path(__file__).parents[3] / "shared" / "reference" / "proton-action-map.txt"


def _facts() -> Facts:
    """Facts over an empty, migrated store (no organization yet: Organizations ARNs fall back to `*`)."""
    store = Store(f"sqlite:///{tempfile.mkdtemp()}/facts.db")
    store.migrate()
    return Facts.of(store, GenerationWatch(store))


FACTS = _facts()
CALLER = Caller(
    arn="arn:aws:iam::111122223333:user/alice",
    account_id="111122223333",
    kind="user",
    user_id="AIDAEXAMPLE",
    principal_id="AIDAEXAMPLE",
    access_key_id="AKIAEXAMPLE",
    name="alice",
)


def _sample(member: str, shape_name: str) -> object:
    if member.endswith("Arn") or member.endswith("ARN"):
        return "arn:aws:iam::111122223333:role/x1"
    return {"string": "x1", "integer": 1, "long": 1, "boolean": True}.get(shape_name, "x1")


def test_every_served_operation_has_an_action_and_resources() -> None:
    for service, table in operation_tables().items():
        assert service in action_map.SERVICES, service
        model = load_service(service).model
        for operation in table.handlers:
            shape = model.operation_model(operation).input_shape
            params = {
                name: _sample(name, member.type_name)
                for name, member in (shape.members.items() if shape else [])
                if member.type_name in ("string", "integer", "long", "boolean")
            }
            described = action_map.describe(service, operation, params, CALLER, "us-east-1", FACTS)
            assert described.action == f"{service}:{operation}"
            assert described.resources and all(r == "*" or r.startswith("arn:aws:") for r in described.resources)


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference material not present")
def test_proton_resource_types_match_the_authorization_reference() -> None:
    line = re.compile(r"^(\w+) -> proton:\1\s+resources=(\[.*?\])\s+conditionKeys=")
    checked = 0
    for text in REFERENCE.read_text().splitlines():
        match = line.match(text)
        if not match or match.group(1) in proton.BY_ARN:
            continue
        listed = [r.lstrip("*") for r in ast.literal_eval(match.group(2)) if "no resource-level" not in r]
        assert proton.RESOURCE_TYPES.get(match.group(1), ()) == tuple(listed), match.group(1)
        checked += 1
    assert checked == len(load_service("proton").model.operation_names) - len(proton.BY_ARN)


def test_proton_arns_follow_protons_shapes() -> None:
    def arns(operation: str, **params: object) -> tuple[str, ...]:
        return proton.resources(operation, params, CALLER, "eu-west-1", FACTS)

    prefix = "arn:aws:proton:eu-west-1:111122223333:"
    assert arns("CreateEnvironmentTemplate", name="web") == (prefix + "environment-template/web",)
    assert arns("GetEnvironmentTemplateVersion", templateName="web", majorVersion="1", minorVersion="0") == (
        prefix + "environment-template/web",
    )
    assert arns("GetServiceInstance", serviceName="api", name="i1") == (prefix + "service/api/service-instance/i1",)
    assert arns("GetRepository", provider="GITHUB", name="org/repo") == (prefix + "repository/github:org/repo",)
    assert arns("ListEnvironmentOutputs", environmentName="dev") == (prefix + "environment/dev",)
    assert arns("ListEnvironmentOutputs", environmentName="dev", deploymentId="d1") == (
        prefix + "environment/dev",
        prefix + "deployment/d1",
    )
    assert arns("ListEnvironments") == ("*",)
    assert arns("GetTemplateSyncConfig", templateName="web", templateType="ENVIRONMENT") == ("*",)
    assert arns("TagResource", resourceArn=prefix + "environment/dev") == (prefix + "environment/dev",)


def test_tags_and_template_become_condition_keys() -> None:
    context = proton.context(
        "CreateEnvironment", {"templateName": "vpc", "tags": [{"key": "team", "value": "a"}]}, FACTS
    )
    assert context == {
        "aws:RequestTag/team": "a",
        "aws:TagKeys": ("team",),
        "proton:EnvironmentTemplate": "vpc",
    }

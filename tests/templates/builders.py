"""Small in-memory bundles for the negative tests."""

from __future__ import annotations

from typing import Any

import yaml

from baryon.templates import Bundle, bundle_from_files

MANIFEST = (
    "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n"
    "      rendering_engine: jinja\n      template_language: cloudformation\n"
)
CFN = """Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: '{{ environment.inputs.vpc_cidr }}'
Outputs:
  VpcId:
    Value: !Ref Vpc
"""


def schema_text(
    env: dict[str, Any] | None = None, svc: dict[str, Any] | None = None, pipe: dict[str, Any] | None = None
) -> str:
    root: dict[str, Any] = {"format": {"openapi": "3.0.0"}, "types": {}}
    for key, name, props in (
        ("environment_input_type", "EnvInput", env),
        ("service_input_type", "SvcInput", svc),
        ("pipeline_input_type", "PipeInput", pipe),
    ):
        if props is not None:
            root[key] = name
            root["types"][name] = {"type": "object", "properties": props.get("properties", props)}
            if "required" in props:
                root["types"][name]["required"] = props["required"]
                root["types"][name]["properties"] = props["properties"]
    return yaml.safe_dump({"schema": root}, sort_keys=False)


ENV_SCHEMA = schema_text(env={"vpc_cidr": {"type": "string", "default": "10.0.0.0/16"}})


def env_bundle(schema: str = ENV_SCHEMA, cfn: str = CFN, manifest: str = MANIFEST, **extra: str) -> Bundle:
    files = {
        "schema/schema.yaml": schema,
        "infrastructure/manifest.yaml": manifest,
        "infrastructure/cloudformation.yaml": cfn,
        **extra,
    }
    return bundle_from_files({k: v.encode() for k, v in files.items()})

"""STS: AssumeRole acts on the role it names; the other operations have no resource type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baryon.authz.facts import Facts
from baryon.identity.caller import Caller


def resources(operation: str, params: Mapping[str, Any], caller: Caller, region: str, facts: Facts) -> tuple[str, ...]:
    if "RoleArn" in params:
        return (params["RoleArn"],)
    return ("*",)

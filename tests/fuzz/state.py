""" "A rejected request changes nothing", checked for create operations.

A `CreateCheck` knows the minimal valid input of one create operation and how to see, through boto3 (not
through the fuzz encoders), whether a resource of a given name exists. `run_create_check` first proves the
check can see a creation (the unmutated input must succeed and show up), then sends every model-breaking
mutation of that input, each under a fresh name, and requires that none of them leaves anything behind:
neither under its own name nor anywhere in the listing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from baryon.edge.protocols.spec import load_service
from tests.fuzz.encode import operation_request
from tests.fuzz.generate import Case, InputGenerator, seed_for
from tests.fuzz.runner import Fuzzer

PLACEHOLDER = "baryon-fuzz-name"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


@dataclass(frozen=True)
class CreateCheck:
    """One create operation; the callables take a boto3 client of the service."""

    service: str
    operation: str
    name_member: str
    base: Callable[[Any], dict[str, Any]]
    """The minimal valid input, with PLACEHOLDER as the name."""
    names: Callable[[Any], set[str]]
    """The names of every resource of this kind."""
    exists: Callable[[Any, str], bool]


def _get_exists(method: str, member: str) -> Callable[[Any, str], bool]:
    def exists(client: Any, name: str) -> bool:
        try:
            getattr(client, method)(**{member: name})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
                return False
            raise
        return True

    return exists


def _names(client: Any, method: str, key: str, field: str, **params: Any) -> set[str]:
    return {item[field] for page in client.get_paginator(method).paginate(**params) for item in page[key]}


def _root(client: Any) -> str:
    return str(client.list_roots()["Roots"][0]["Id"])


def _ou_names(client: Any) -> set[str]:
    method = "list_organizational_units_for_parent"
    return _names(client, method, "OrganizationalUnits", "Name", ParentId=_root(client))


CHECKS: tuple[CreateCheck, ...] = (
    CreateCheck(
        "iam",
        "CreateUser",
        "UserName",
        base=lambda client: {"UserName": PLACEHOLDER},
        names=lambda client: _names(client, "list_users", "Users", "UserName"),
        exists=_get_exists("get_user", "UserName"),
    ),
    CreateCheck(
        "iam",
        "CreateRole",
        "RoleName",
        base=lambda client: {"RoleName": PLACEHOLDER, "AssumeRolePolicyDocument": TRUST},
        names=lambda client: _names(client, "list_roles", "Roles", "RoleName"),
        exists=_get_exists("get_role", "RoleName"),
    ),
    CreateCheck(
        "organizations",
        "CreateOrganizationalUnit",
        "Name",
        base=lambda client: {"ParentId": _root(client), "Name": PLACEHOLDER},
        names=_ou_names,
        exists=lambda client, name: name in _ou_names(client),
    ),
)


def _fresh() -> str:
    return f"fuzz-{secrets.token_hex(6)}"


def run_create_check(fuzzer: Fuzzer, check: CreateCheck) -> list[str]:
    """The failures of one create check (see the module docstring)."""
    client = fuzzer.server.client(check.service)
    spec = load_service(check.service)
    operation = spec.model.operation_model(check.operation)
    base = check.base(client)
    probe = _fresh()
    probe_case = Case("create-probe", {**base, check.name_member: probe}, False)
    answer = fuzzer.send(operation_request(spec, operation, probe_case), "state")
    fuzzer.remember(probe_case.params)
    if answer.status != 200 or not check.exists(client, probe):
        return [
            f"{check.operation} with a valid input answered {answer.status} without creating {probe}, so "
            f"the check cannot see creations: {answer.body[:300]!r}"
        ]
    failures: list[str] = []
    before = check.names(client)
    accepted: set[str] = set()
    generator = InputGenerator(operation, spec.protocol, seed_for(check.service, check.operation, "state"))
    for case in generator.mutations(base):
        if not case.expect_reject:
            continue
        name = _fresh() if case.params.get(check.name_member) == PLACEHOLDER else None
        params = {**case.params, check.name_member: name} if name else case.params
        response = fuzzer.send(operation_request(spec, operation, Case(case.label, params, True)), "state")
        if response.status < 300 and name:
            accepted.add(name)
        elif name and check.exists(client, name):
            failures.append(f"{check.operation} [{case.label}] answered {response.status} but created {name}")
    left = check.names(client) - before - accepted
    if left:
        shown = [name[:40] for name in sorted(left)[:10]]
        failures.append(f"{check.operation}: rejected inputs left {len(left)} resources behind: {shown}")
    return failures

"""The harness itself, without a server: generated inputs against the edge's own decoders, for every modeled
operation (served or not), so generator mistakes and decoder crashes show up before any provider exists."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import parse_qsl

import pytest
from botocore.model import OperationModel

from baryon.edge.errors import ServiceError
from baryon.edge.protocols import json_codec, query_codec
from baryon.edge.protocols.spec import ServiceSpec, load_service, served_services
from tests.fuzz.encode import flatten, operation_request
from tests.fuzz.generate import InputGenerator, seed_for
from tests.fuzz.patterns import accepts, matching


def decode(spec: ServiceSpec, operation: OperationModel, body: bytes) -> dict[str, Any]:
    """What the edge makes of a request body (raises ServiceError for input that does not fit)."""
    if spec.protocol == "json":
        return json_codec.decode_request(operation, body)
    form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    assert form.pop("Action") == operation.name
    assert form.pop("Version") == spec.api_version
    return query_codec.decode_request(operation, form)


@pytest.mark.parametrize("service", served_services())
def test_valid_inputs_fit_the_model_and_breaking_mutations_do_not(service: str) -> None:
    spec = load_service(service)
    unfit, accepted, crashed = [], [], []
    for name in sorted(spec.model.operation_names):
        operation = spec.model.operation_model(name)
        generator = InputGenerator(operation, spec.protocol, seed_for(service, name))
        valid = generator.valid(3)
        for case in valid:
            try:
                decode(spec, operation, operation_request(spec, operation, case).body)
            except ServiceError as error:
                unfit.append(f"{name} [{case.label}]: {error.message[:200]}")
        for case in generator.mutations(valid[1].params, limit=30):
            try:
                decode(spec, operation, operation_request(spec, operation, case).body)
            except ServiceError:
                continue
            except Exception as exc:
                crashed.append(f"{name} [{case.label}]: {type(exc).__name__}: {exc}"[:300])
                continue
            if case.expect_reject:
                accepted.append(f"{name} [{case.label}]")
    assert not unfit, f"valid inputs the edge refuses: {unfit[:20]}"
    assert not accepted, f"model-breaking inputs the edge accepts: {accepted[:20]}"
    assert not crashed, f"inputs that crash the edge's decoder: {crashed[:20]}"


@pytest.mark.parametrize(
    ("pattern", "low", "high"),
    [
        (r"[\w+=,.@-]+", 1, 64),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", 0, 256),
        (r"^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", 0, 100),
        (r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", 3, 63),
        (r"[^\s@]+@[^\s@]+\.[^\s@]+", 6, 64),
        (r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)", 1, 512),
        (r"^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}", 0, 200),
    ],
    ids=["iam-name", "tag-value", "org-target", "dns-label", "email", "iam-path", "ou-arn"],
)
def test_pattern_strings_match_with_the_servers_engine(pattern: str, low: int, high: int) -> None:
    rng = random.Random(7)
    for _ in range(20):
        text = matching(pattern, rng, low, high)
        assert text is not None
        assert low <= len(text) <= high
        assert accepts(pattern, text)


def test_impossible_length_gives_none() -> None:
    assert matching(r"\d{12}", random.Random(1), 1, 5) is None


def test_generation_is_deterministic_per_seed() -> None:
    operation = load_service("iam").model.operation_model("CreateRole")
    first = InputGenerator(operation, "query", 42)
    second = InputGenerator(operation, "query", 42)
    assert first.valid(3) == second.valid(3)
    # compared as text: NaN, one of the mutations, is not equal to itself
    mutated = [repr(g.mutations(g.valid(2)[1].params, 20)) for g in (first, second)]
    assert mutated[0] == mutated[1]
    assert InputGenerator(operation, "query", 43).valid(3) != first.valid(3)


def test_query_flattening_follows_the_model() -> None:
    shape = load_service("iam").model.operation_model("CreateUser").input_shape
    pairs = flatten({"UserName": "u", "Tags": [{"Key": "k", "Value": "v"}], "Junk": {"A": "1"}}, shape, "")
    assert pairs == [
        ("UserName", "u"),
        ("Tags.member.1.Key", "k"),
        ("Tags.member.1.Value", "v"),
        ("Junk.A", "1"),
    ]

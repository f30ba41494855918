"""Services Baryon does not serve natively (ec2, ecs, s3, cloudformation, ...), read from botocore's models.

A *foreign* request names its service in the SigV4 credential scope (the signing name: `ec2`, `s3`,
`elasticloadbalancing`) and its operation in whatever wire protocol the client chose from the model's list:
the form's `Action` (query, ec2), `X-Amz-Target` (awsJson), the `/service/../operation/..` path (RPC v2 CBOR),
or the HTTP method and path matched against the operations' `requestUri` templates, most specific first
(rest-json, rest-xml). The IAM action is `<prefix>:<operation>`, the prefix usually the signing name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.loaders import Loader, create_loader
from botocore.model import OperationModel, ServiceModel

from baryon.edge.protocols import cbor_codec
from baryon.edge.protocols.spec import ServiceSpec
from baryon.edge.request import RawRequest

SIGNING_ALIASES: dict[str, tuple[str, ...]] = {
    "elasticloadbalancing": ("elbv2", "elb"),
    "monitoring": ("cloudwatch",),
    "states": ("stepfunctions",),
    "ses": ("sesv2", "ses"),
    "es": ("opensearch", "es"),
}
"""botocore service names of a signing name, where they differ (the first whose operation matches wins)."""

IAM_PREFIXES = {"monitoring": "cloudwatch"}
"""IAM action prefixes that differ from the signing name."""

IAM_ACTIONS: dict[tuple[str, str], str] = {
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "CopyObject"): "PutObject",
    ("s3", "CreateMultipartUpload"): "PutObject",
    ("s3", "UploadPart"): "PutObject",
    ("s3", "UploadPartCopy"): "PutObject",
    ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "ListMultipartUploads"): "ListBucketMultipartUploads",
    ("s3", "ListParts"): "ListMultipartUploadParts",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "PutLifecycleConfiguration",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "PutBucketPublicAccessBlock",
    ("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification",
    ("s3", "PutBucketNotificationConfiguration"): "PutBucketNotification",
    ("s3", "GetBucketCors"): "GetBucketCORS",
    ("s3", "PutBucketCors"): "PutBucketCORS",
    ("lambda", "Invoke"): "InvokeFunction",
    ("lambda", "InvokeWithResponseStream"): "InvokeFunction",
}
"""Operations whose IAM action is not named after them (the common ones; others fall back to the name)."""

REST = ("rest-json", "rest-xml")
_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


@dataclass(frozen=True)
class Route:
    """What a foreign request is: its service (`spec.protocol` is the wire protocol this request used), its
    operation, and what Baryon authorizes it as."""

    spec: ServiceSpec
    operation: OperationModel
    action: str
    resources: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return self.action.partition(":")[0]


def scope_service(raw: RawRequest) -> str | None:
    """The service of the request's SigV4 credential scope, read cheaply (None when unsigned or malformed)."""
    authorization = raw.header("authorization")
    if authorization is not None:
        credential = authorization.partition("Credential=")[2].partition(",")[0]
    elif "X-Amz-Credential" in raw.query_string:
        credential = dict(raw.query).get("X-Amz-Credential", "")
    else:
        return None
    parts = credential.strip().split("/")
    return parts[3] if len(parts) == 5 else None


def identify(raw: RawRequest, signing_name: str) -> Route | None:
    """The route of a request signed for `signing_name`, or None if no model of that service has its operation."""
    for spec in _specs(signing_name):
        found = _json(spec, raw) or _cbor(spec, raw) or _query(spec, raw) or _rest(spec, raw)
        if found is not None:
            protocol, name, labels = found
            wire = ServiceSpec(
                spec.name, spec.model, protocol, spec.target_prefix, spec.api_version, spec.xml_namespace
            )
            prefix = IAM_PREFIXES.get(signing_name, signing_name)
            action = f"{prefix}:{IAM_ACTIONS.get((prefix, name), name)}"
            return Route(wire, spec.model.operation_model(name), action, _resources(prefix, labels))
    return None


def _resources(prefix: str, labels: dict[str, str]) -> tuple[str, ...]:
    """S3's bucket and object ARNs from a path-style request; `*` elsewhere (resource-level ARNs of other
    services are not built yet: their policies match `*`)."""
    if prefix == "s3" and "Bucket" in labels:
        bucket = unquote(labels["Bucket"])
        key = labels.get("Key")
        return (f"arn:aws:s3:::{bucket}/{unquote(key)}" if key else f"arn:aws:s3:::{bucket}",)
    return ("*",)


# -- the models -----------------------------------------------------------------------------------------------


@cache
def _loader() -> Loader:
    return create_loader()


@cache
def _available() -> frozenset[str]:
    return frozenset(_loader().list_available_services("service-2"))


@cache
def _specs(signing_name: str) -> tuple[ServiceSpec, ...]:
    """The models signed as `signing_name` (usually one, named after it)."""
    specs = []
    for name in SIGNING_ALIASES.get(signing_name, (signing_name,)):
        if name not in _available():
            continue
        model = _model(name)
        meta = model.metadata
        if meta.get("signingName", meta.get("endpointPrefix")) != signing_name:
            continue
        specs.append(
            ServiceSpec(
                name=signing_name,
                model=model,
                protocol=meta["protocol"],
                target_prefix=meta.get("targetPrefix"),
                api_version=meta["apiVersion"],
                xml_namespace=meta.get("xmlNamespace"),
            )
        )
    return tuple(specs)


def _protocols(spec: ServiceSpec) -> list[str]:
    meta = spec.model.metadata
    return list(meta.get("protocols") or [meta["protocol"]])


Found = tuple[str, str, dict[str, str]]
"""(wire protocol, operation name, path labels)."""


def _json(spec: ServiceSpec, raw: RawRequest) -> Found | None:
    target = raw.header("x-amz-target")
    if target is None or spec.target_prefix is None or "json" not in _protocols(spec):
        return None
    prefix, _, name = target.rpartition(".")
    return ("json", name, {}) if prefix == spec.target_prefix and _has(spec, name) else None


def _cbor(spec: ServiceSpec, raw: RawRequest) -> Found | None:
    if "smithy-rpc-v2-cbor" not in _protocols(spec):
        return None
    route = cbor_codec.route(raw.method, raw.raw_path, raw.header("smithy-protocol"))
    if route is None or not _has(spec, route[1]):
        return None
    return "smithy-rpc-v2-cbor", route[1], {}


def _query(spec: ServiceSpec, raw: RawRequest) -> Found | None:
    protocol = next((p for p in _protocols(spec) if p in ("query", "ec2")), None)
    if protocol is None:
        return None
    form = dict(raw.query)
    content_type = (raw.header("content-type") or "").lower()
    if raw.method == "POST" and raw.body and "x-www-form-urlencoded" in content_type:
        form.update(parse_qsl(raw.body.decode("utf-8", errors="replace"), keep_blank_values=True))
    name, version = form.get("Action", ""), form.get("Version")
    if not _has(spec, name) or (version is not None and version != spec.api_version):
        return None
    return protocol, name, {}


def _rest(spec: ServiceSpec, raw: RawRequest) -> Found | None:
    protocol = next((p for p in _protocols(spec) if p in REST), None)
    if protocol is None:
        return None
    path = raw.raw_path.split("?", 1)[0]
    query = {key: value for key, value in raw.query}
    for template in _templates(spec.model.service_name):
        labels = template.match(raw.method, path, query, raw.header_map)
        if labels is not None:
            return protocol, template.operation, labels
    return None


def _has(spec: ServiceSpec, name: str) -> bool:
    return name in _operation_names(spec.model.service_name)


@cache
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(_model(service).operation_names)


@cache
def _model(service: str) -> ServiceModel:
    return ServiceModel(_loader().load_service_model(service, "service-2"), service_name=service)


# -- rest routes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One operation's `requestUri`, compiled: method, path pattern, the query keys it names (`?uploads`,
    `?list-type=2`), and the query parameters and headers its input requires (UploadPart needs `uploadId`)."""

    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    literals: tuple[tuple[str, str | None], ...]
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    specificity: tuple[int, int, int]
    """Query keys named, parameters and headers required, literal path characters: more wins."""

    def match(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> dict[str, str] | None:
        if method != self.method:
            return None
        found = self.pattern.match(path)
        if found is None:
            return None
        for key, value in self.literals:
            if key not in query or (value is not None and query[key] != value):
                return None
        if any(key not in query for key in self.required_query):
            return None
        if any(header not in headers for header in self.required_headers):
            return None
        return dict(zip(self.labels, found.groups(), strict=True))


@cache
def _templates(service: str) -> tuple[Template, ...]:
    model = _model(service)
    templates = [_compile(model.operation_model(name)) for name in model.operation_names]
    return tuple(sorted(templates, key=lambda template: template.specificity, reverse=True))


def _compile(operation: OperationModel) -> Template:
    http: dict[str, Any] = operation.http
    path, _, query = http.get("requestUri", "/").partition("?")
    labels: list[str] = []
    pattern = ""
    last = 0
    for found in _LABEL.finditer(path):
        pattern += re.escape(path[last : found.start()])
        pattern += "(.+)" if found.group(2) else "([^/]+)"
        labels.append(found.group(1))
        last = found.end()
    pattern += re.escape(path[last:])
    if not path.endswith("/") and not path.endswith("+}"):
        pattern += "/?"
    literals = tuple(
        (key, value or None)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if key != "x-id"  # botocore's operation hint: some clients send it, older ones don't
    )
    required_query: list[str] = []
    required_headers: list[str] = []
    shape = operation.input_shape
    if shape is not None:
        for member in shape.required_members:
            serialization = shape.members[member].serialization
            where, wire = serialization.get("location"), serialization.get("name", member)
            if where == "querystring":
                required_query.append(wire)
            elif where == "header":
                required_headers.append(wire.lower())
    return Template(
        operation=operation.name,
        method=http.get("method", "POST"),
        pattern=re.compile(pattern + "$"),
        labels=tuple(labels),
        literals=literals,
        required_query=tuple(required_query),
        required_headers=tuple(required_headers),
        specificity=(len(literals), len(required_query) + len(required_headers), len(_LABEL.sub("", path))),
    )

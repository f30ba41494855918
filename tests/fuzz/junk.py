"""Raw junk no model describes: broken bodies and forms, bad headers, bad or missing signatures.

`operation_junk` derives a few requests from one operation's valid request (a truncated body, a junk body
with the operation's target). `service_junk` builds the per-service set from a sample valid request: every
junk JSON body or junk form, unknown and foreign `X-Amz-Target`s, missing and wrong `Content-Type`, non-ASCII
header values, a 9 MB body (over the 8 MiB limit: 413), and the signature failures.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from baryon.edge.protocols.spec import ServiceSpec, load_service, served_services
from tests.fuzz.sender import Request, Signing

BODY_LIMIT = 8 * 1024 * 1024
HUGE_BODY = 9 * 1024 * 1024

# (label, body, must be refused): a BOM before the object is tolerated by some JSON readers, so either way
JUNK_JSON: tuple[tuple[str, bytes, bool], ...] = (
    ("not-json", b"this is not json", True),
    ("json-array", b"[1, 2, 3]", True),
    ("json-string", b'"text"', True),
    ("json-number", b"42", True),
    ("json-null", b"null", True),
    ("json-true", b"true", True),
    ("trailing-garbage", b'{"a": 1}}', True),
    ("single-quotes", b"{'a': 1}", True),
    ("duplicate-keys", b'{"BaryonFuzz": 1, "BaryonFuzz": 2}', True),
    ("non-utf8", b"\xff\xfe{\x00}", True),
    ("bom", b"\xef\xbb\xbf{}", False),
    ("nul-bytes", b"{\x00}", True),
    ("deep-arrays", b"[" * 100_000, True),
    ("deep-objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, True),
    ("huge-number", b'{"BaryonFuzz": 1' + b"0" * 5000 + b"}", True),
    ("nan", b'{"BaryonFuzz": NaN}', True),
    ("escape-junk", b'{"\\ud800": "\\udfff\\u0000"}', True),
    ("truncated-escape", b'{"a": "\\u12', True),
)


def junk_forms(spec: ServiceSpec, operation: str) -> tuple[tuple[str, bytes], ...]:
    action = f"Action={operation}&Version={spec.api_version}".encode()
    return (
        ("bad-percent", b"%zz"),
        ("repeated-key", b"a=1&a=2"),
        ("empty-pairs", b"=&&"),
        ("only-ampersands", b"&&&&"),
        ("repeated-action", action + b"&Action=" + operation.encode()),
        ("wrong-version", f"Action={operation}&Version=1999-01-01".encode()),
        ("empty-action", b"Action=&Version=" + spec.api_version.encode()),
        ("unknown-action", b"Action=NoSuchOperation&Version=" + spec.api_version.encode()),
        ("non-utf8", action + b"&Junk=\xff\xfe"),
        ("percent-non-utf8", action + b"&Junk=%ff%fe"),
        ("too-many-fields", action + b"".join(b"&f%d=1" % i for i in range(6000))),
        ("list-index-zero", action + b"&Junk.member.0=x"),
        ("list-index-past-limit", action + b"&Junk.member.1001=x"),
        ("list-index-negative", action + b"&Junk.member.-1=x"),
        ("huge-key", action + b"&" + b"k" * 100_000 + b"=1"),
        ("json-in-form", b'{"Action": "' + operation.encode() + b'"}'),
        ("nul-in-value", action + b"&Junk=%00"),
    )


def _with(request: Request, label: str, **changes: object) -> Request:
    return dataclasses.replace(request, label=label, **changes)  # type: ignore[arg-type]


def _headers(request: Request, **replace: str | bytes | None) -> tuple[tuple[str, str | bytes], ...]:
    """The request's headers with some replaced (by lower-case-insensitive name) or removed (None)."""
    wanted = {name.lower().replace("_", "-"): value for name, value in replace.items()}
    kept = [(k, v) for k, v in request.headers if k.lower() not in wanted]
    return tuple(kept + [(k, v) for k, v in wanted.items() if v is not None])


def operation_junk(spec: ServiceSpec, valid: Request, index: int) -> list[Request]:
    """A truncated body and one junk body (rotating through the list) for one operation."""
    truncated = valid.body[: max(1, len(valid.body) // 2)]
    if spec.protocol == "json":
        label, body, refused = JUNK_JSON[index % len(JUNK_JSON)]
        return [
            _with(valid, "truncated-body", body=truncated, expect_reject=True),
            _with(valid, f"junk-json:{label}", body=body, expect_reject=refused),
        ]
    forms = junk_forms(spec, valid.operation or "")
    label, body = forms[index % len(forms)]
    return [
        _with(valid, "truncated-body", body=truncated, expect_reject=False),
        _with(valid, f"junk-form:{label}", body=body, expect_reject=True),
    ]


def _foreign_target(spec: ServiceSpec) -> str:
    """The `X-Amz-Target` of a real operation of another awsJson service (one that needs no input)."""
    for name in served_services():
        other = load_service(name)
        if other.target_prefix and other.name != spec.name:
            for operation in sorted(other.model.operation_names):
                shape = other.model.operation_model(operation).input_shape
                if shape is None or not shape.required_members:
                    return f"{other.target_prefix}.{operation}"
    raise LookupError("no other awsJson service is modeled")


def service_junk(spec: ServiceSpec, sample: Request, access_key: str, region: str) -> list[Request]:
    """Junk for one service, built around a valid `sample` request of a read-only operation."""
    out = _json_junk(spec, sample) if spec.protocol == "json" else _query_junk(spec, sample)
    out.append(_with(sample, "huge-body", body=b" " * HUGE_BODY, expect_reject=True, expect_status=413))
    out += _auth_junk(spec, sample, access_key, region)
    return out


def _json_junk(spec: ServiceSpec, sample: Request) -> list[Request]:
    prefix = spec.target_prefix or ""
    out = [_with(sample, f"junk-json:{label}", body=body, expect_reject=refused) for label, body, refused in JUNK_JSON]
    for label, target in (
        ("unknown-operation", f"{prefix}.NoSuchOperation"),
        ("unknown-prefix", "Bogus20200101.ListThings"),
        ("empty-target", ""),
        ("target-without-operation", f"{prefix}."),
        ("foreign-target", _foreign_target(spec)),
        ("non-ascii-target", f"{prefix}.L\u00efst"),
        ("huge-target", f"{prefix}." + "A" * 4000),
    ):
        headers = _headers(sample, x_amz_target=target)
        out.append(_with(sample, f"target:{label}", headers=headers, expect_reject=True))
    raw_target = f"{prefix}.\u2603".encode()
    out.append(
        _with(sample, "target:utf8-bytes", headers=_headers(sample, x_amz_target=raw_target), expect_reject=True)
    )
    content_types = (
        ("missing", None),
        ("text-plain", "text/plain"),
        ("form", "application/x-www-form-urlencoded"),
        ("non-ascii", "application/x-amz-json-1.1; charset=\u00fc"),
    )
    for label, content_type in content_types:
        headers = _headers(sample, content_type=content_type)
        out.append(_with(sample, f"content-type:{label}", headers=headers))
    out.append(_with(sample, "method:GET", method="GET"))
    out.append(_with(sample, "header:non-ascii-extra", headers=(*sample.headers, ("X-Fuzz", "caf\u00e9"))))
    return out


def _query_junk(spec: ServiceSpec, sample: Request) -> list[Request]:
    operation = sample.operation or ""
    out = [
        _with(sample, f"junk-form:{label}", body=body, expect_reject=True)
        for label, body in junk_forms(spec, operation)
    ]
    for label, query in (("bad-percent", "%zz"), ("repeated-key", "a=1&a=2"), ("empty-pairs", "=&&")):
        out.append(_with(sample, f"url-query:{label}", path=f"/?{query}", expect_reject=True))
    action = f"Action={operation}&Version={spec.api_version}"
    out.append(_with(sample, "method:GET-query", method="GET", path=f"/?{action}", body=b"", headers=()))
    out.append(
        _with(
            sample, "content-type:json", headers=_headers(sample, content_type="application/json"), expect_reject=True
        )
    )
    out.append(_with(sample, "content-type:missing", headers=_headers(sample, content_type=None)))
    out.append(
        _with(
            sample,
            "content-type:non-ascii",
            headers=_headers(sample, content_type="application/x-www-form-urlencoded; charset=\u00fc"),
        )
    )
    out.append(
        _with(
            sample,
            "target:on-query-service",
            headers=_headers(sample, x_amz_target="Foo.Bar"),
            expect_reject=True,
            protocol=None,
        )
    )
    out.append(
        _with(
            sample, "action:non-ascii", body=f"Action=L\u00efst&Version={spec.api_version}".encode(), expect_reject=True
        )
    )
    out.append(_with(sample, "header:non-ascii-extra", headers=(*sample.headers, ("X-Fuzz", "caf\u00e9"))))
    return out


def _auth_junk(spec: ServiceSpec, sample: Request, access_key: str, region: str) -> list[Request]:
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{access_key}/{stamp[:8]}/{region}/{spec.name}/aws4_request"
    listed = "content-type;host;x-amz-date" + (";x-amz-target" if spec.protocol == "json" else "")
    zeros = "0" * 64

    def sig(credential: str = scope, headers: str = listed, signature: str = zeros) -> str:
        return f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={headers}, Signature={signature}"

    def header(label: str, authorization: str | bytes, **extra: str) -> Request:
        """Signed now, then the Authorization header (and `extra` headers) replaced."""
        after: tuple[tuple[str, str | bytes | None], ...] = (("Authorization", authorization),)
        after += tuple((name.replace("_", "-"), value) for name, value in extra.items())
        return _with(sample, f"auth:{label}", signing=Signing(when=now, after=after), expect_reject=True)

    def signing(label: str, **how: Any) -> Request:
        return _with(sample, f"auth:{label}", signing=Signing(**how), expect_reject=True)

    def presigned(label: str, expires: str) -> Request:
        query = (
            f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={scope.replace('/', '%2F')}"
            f"&X-Amz-Date={stamp}&X-Amz-SignedHeaders=host&X-Amz-Signature={zeros}&X-Amz-Expires={expires}"
        )
        return _with(
            sample, f"auth:{label}", signing=Signing(mode="none"), path=f"/?{query}", expect_reject=True, protocol=None
        )

    out = [
        signing("unsigned", mode="none"),
        signing("wrong-secret", secret="not-the-secret"),
        signing("unknown-key", access_key="AKIAFUZZFUZZFUZZFUZZ"),
        signing("non-ascii-key", access_key="AKIA\u00e9\u00e9"),
        signing("signed-an-hour-ago", when=now - timedelta(hours=1)),
        signing("signed-in-2100", when=datetime(2100, 1, 1, tzinfo=UTC)),
        signing("session-token-on-long-term-key", session_token="FwoFUZZ"),
        signing("unserved-scope", service="s3"),
        signing("foreign-scope", service="sts" if spec.name != "sts" else "iam"),
        _with(sample, "auth:non-ascii-region", signing=Signing(region="eu-fuzz-\u00e9")),
        header("algorithm-only", "AWS4-HMAC-SHA256"),
        header("bearer", "Bearer abc"),
        header("many-commas", "AWS4-HMAC-SHA256 " + "," * 5000),
        header("non-ascii-signature", sig(signature=chr(0xE9) * 64)),
        header("utf8-bytes-signature", sig(signature="0" * 61).encode() + "\u2603".encode()),
        header("four-part-credential", sig(credential=f"{access_key}/{stamp[:8]}/{region}/aws4_request")),
        header("empty-credential-parts", sig(credential="////")),
        header("host-not-signed", sig(headers="x-amz-date")),
        header("scope-date-mismatch", sig(credential=scope.replace(f"/{stamp[:8]}/", "/20000101/"))),
        header("garbage-date", sig(), X_Amz_Date="yesterday"),
        header("impossible-date", sig(), X_Amz_Date="20241301T250000Z"),
        presigned("presigned-expires-zero", "0"),
        presigned("presigned-expires-text", "abc"),
        presigned("presigned-bad-signature", "300"),
    ]
    if spec.protocol == "query":
        action = f"Action={sample.operation}&Version={spec.api_version}"
        out.append(
            _with(
                sample,
                "auth:presigned-valid",
                method="GET",
                path=f"/?{action}",
                body=b"",
                headers=(),
                signing=Signing(mode="query"),
            )
        )
    else:
        out.append(_with(sample, "auth:presigned-empty-body", body=b"", signing=Signing(mode="query")))
    return out

"""SigV4 verification against requests signed by botocore's own signer (header and presigned forms)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from baryon.edge import sigv4

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEY = "AKIAIOSFODNN7EXAMPLE"
SKEW = timedelta(minutes=15)


def _signed(body: bytes = b'{"name":"t1"}', token: str | None = None) -> AWSRequest:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:4570/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AwsProton20200720.GetEnvironment",
        },
    )
    SigV4Auth(Credentials(KEY, SECRET, token), "proton", "us-east-1").add_auth(request)
    return request


def _lower_headers(request: AWSRequest) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {"host": ["127.0.0.1:4570"]}
    for name, value in request.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return headers


def _verify(request: AWSRequest, secret: str = SECRET, body: bytes | None = None, now: datetime | None = None) -> None:
    headers = _lower_headers(request)
    flat = {name: ",".join(values) for name, values in headers.items()}
    parts = urlsplit(request.url)
    from urllib.parse import parse_qsl

    query = parse_qsl(parts.query, keep_blank_values=True)
    signature = sigv4.read_signature(flat, query)
    assert signature is not None
    sigv4.check_time(signature, now or datetime.now(UTC), SKEW)
    sigv4.verify(
        signature,
        secret,
        request.method,
        parts.path or "/",
        query,
        lambda n: headers.get(n, []),
        (request.body or b"") if body is None else body,
    )


def test_botocore_header_signature_verifies() -> None:
    _verify(_signed())


def test_session_token_is_part_of_the_signature() -> None:
    request = _signed(token="token-value")
    _verify(request)
    request.headers.replace_header("X-Amz-Security-Token", "other-token")
    with pytest.raises(sigv4.AuthenticationFailed) as raised:
        _verify(request)
    assert raised.value.failure is sigv4.Failure.MISMATCH


def test_tampered_body_is_refused() -> None:
    with pytest.raises(sigv4.AuthenticationFailed) as raised:
        _verify(_signed(), body=b'{"name":"t2"}')
    assert raised.value.failure is sigv4.Failure.MISMATCH


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(sigv4.AuthenticationFailed) as raised:
        _verify(_signed(), secret=SECRET[:-1] + "X")
    assert raised.value.failure is sigv4.Failure.MISMATCH


def test_clock_skew_beyond_fifteen_minutes_is_refused_within_is_accepted() -> None:
    request = _signed()
    _verify(request, now=datetime.now(UTC) + timedelta(minutes=14))
    with pytest.raises(sigv4.AuthenticationFailed) as raised:
        _verify(request, now=datetime.now(UTC) + timedelta(minutes=16))
    assert raised.value.failure is sigv4.Failure.SKEWED
    assert raised.value.message.startswith("Signature expired: ")


def test_presigned_url_verifies_and_expires() -> None:
    request = AWSRequest(method="GET", url="http://127.0.0.1:4570/?Action=GetCallerIdentity&Version=2011-06-15")
    SigV4QueryAuth(Credentials(KEY, SECRET), "sts", "us-east-1", expires=60).add_auth(request)
    _verify(request)
    with pytest.raises(sigv4.AuthenticationFailed) as raised:
        _verify(request, now=datetime.now(UTC) + timedelta(seconds=120))
    assert raised.value.failure is sigv4.Failure.REQUEST_EXPIRED
    assert raised.value.message == "Request has expired."


def test_authorization_without_signature_is_incomplete() -> None:
    headers = {
        "authorization": f"AWS4-HMAC-SHA256 Credential={KEY}/20261128/us-east-1/sts/aws4_request",
        "x-amz-date": "20261128T120000Z",
    }
    with pytest.raises(sigv4.AuthenticationFailed) as raised:
        sigv4.read_signature(headers, [])
    assert raised.value.failure is sigv4.Failure.INCOMPLETE
    assert "'SignedHeaders'" in raised.value.message and "'Signature'" in raised.value.message


def test_unsigned_request_has_no_signature() -> None:
    assert sigv4.read_signature({"host": "x"}, [("Action", "GetCallerIdentity")]) is None


def test_host_must_be_signed() -> None:
    request = _signed()
    headers = _lower_headers(request)
    flat = {name: ",".join(values) for name, values in headers.items()}
    flat["authorization"] = flat["authorization"].replace("host;", "")
    signature = sigv4.read_signature(flat, [])
    assert signature is not None and "host" not in signature.signed_headers
    with pytest.raises(sigv4.AuthenticationFailed) as raised:
        sigv4.verify(signature, SECRET, "POST", "/", [], lambda n: headers.get(n, []), request.body)
    assert "'Host' must be a 'SignedHeader'" in raised.value.message

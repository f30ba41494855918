"""Verifying AWS Signature Version 4, in the Authorization header and in presigned query strings.

The server recomputes the signature the client should have made from the parts of the request the client
signed (method, path, query, the listed headers, the body's SHA-256) and compares in constant time.
Requests are accepted within a 15-minute clock skew; presigned URLs until `X-Amz-Date + X-Amz-Expires`.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
_SPACES = re.compile(r"\s+")


class Failure(enum.Enum):
    """Why a request was not authenticated; the edge turns each into the protocol's AWS error."""

    MISSING = "missing"
    INCOMPLETE = "incomplete"
    UNKNOWN_KEY = "unknown-key"
    MISMATCH = "mismatch"
    EXPIRED_TOKEN = "expired-token"
    REQUEST_EXPIRED = "request-expired"
    SKEWED = "skewed"
    WRONG_SERVICE = "wrong-service"


class AuthenticationFailed(Exception):
    def __init__(self, failure: Failure, message: str) -> None:
        super().__init__(message)
        self.failure = failure
        self.message = message


@dataclass(frozen=True)
class Signature:
    """What a request claims: who signed it, when, for which scope, and over which headers."""

    access_key_id: str
    amz_date: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    session_token: str | None
    presigned: bool
    expires_seconds: int | None

    @property
    def scope(self) -> str:
        return f"{self.scope_date}/{self.region}/{self.service}/aws4_request"

    @property
    def signed_at(self) -> datetime:
        """`X-Amz-Date` (ISO 8601 basic: `20261128T120000Z`) as an aware datetime; ValueError if malformed."""
        text = self.amz_date
        if len(text) != 16 or text[8] != "T" or text[15] != "Z" or not (text[:8] + text[9:15]).isdigit():
            raise ValueError(text)
        return datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[9:11]),
            int(text[11:13]),
            int(text[13:15]),
            tzinfo=UTC,
        )


def _parse_credential(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise AuthenticationFailed(
            Failure.INCOMPLETE,
            f"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            f"got '{credential}'",
        )
    return parts[0], parts[1], parts[2], parts[3]


def read_signature(headers: Mapping[str, str], query: Sequence[tuple[str, str]]) -> Signature | None:
    """The signature a request carries, or None for an unsigned request. `headers` keys are lower-case."""
    authorization = headers.get("authorization")
    params = dict(query)
    if authorization is not None:
        return _from_header(authorization, headers)
    if "X-Amz-Signature" in params or "X-Amz-Credential" in params or "X-Amz-Algorithm" in params:
        return _from_query(params)
    return None


def _from_header(authorization: str, headers: Mapping[str, str]) -> Signature:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AuthenticationFailed(Failure.INCOMPLETE, f"Unsupported AWS 'algorithm': '{algorithm}'")
    fields: dict[str, str] = {}
    for piece in rest.split(","):
        name, sep, value = piece.partition("=")
        name = name.strip()
        if sep and name in ("Credential", "SignedHeaders", "Signature"):
            fields[name] = value.strip()
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not fields.get(name)]
    if missing:
        raise AuthenticationFailed(
            Failure.INCOMPLETE,
            " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
            + f" Authorization={ALGORITHM}",
        )
    amz_date = headers.get("x-amz-date")
    if not amz_date:
        raise AuthenticationFailed(
            Failure.INCOMPLETE,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    key, scope_date, region, service = _parse_credential(fields["Credential"])
    return Signature(
        access_key_id=key,
        amz_date=amz_date,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=tuple(fields["SignedHeaders"].lower().split(";")),
        signature=fields["Signature"],
        session_token=headers.get("x-amz-security-token"),
        presigned=False,
        expires_seconds=None,
    )


def _from_query(params: Mapping[str, str]) -> Signature:
    required = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature")
    missing = [name for name in required if not params.get(name)]
    if missing:
        raise AuthenticationFailed(
            Failure.INCOMPLETE,
            "AWS query-string parameters must include " + ", ".join(f"'{name}'" for name in missing) + ".",
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise AuthenticationFailed(Failure.INCOMPLETE, f"Unsupported AWS 'algorithm': '{params['X-Amz-Algorithm']}'")
    expires_text = params.get("X-Amz-Expires", "")
    if not expires_text.isdigit() or not 1 <= int(expires_text) <= MAX_PRESIGN_SECONDS:
        raise AuthenticationFailed(
            Failure.INCOMPLETE, "X-Amz-Expires must be a number of seconds between 1 and 604800."
        )
    key, scope_date, region, service = _parse_credential(params["X-Amz-Credential"])
    return Signature(
        access_key_id=key,
        amz_date=params["X-Amz-Date"],
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=tuple(params["X-Amz-SignedHeaders"].lower().split(";")),
        signature=params["X-Amz-Signature"],
        session_token=params.get("X-Amz-Security-Token"),
        presigned=True,
        expires_seconds=int(expires_text),
    )


def check_time(signature: Signature, now: datetime, max_skew: timedelta) -> None:
    """Refuse requests outside the clock-skew window, and presigned URLs past their expiry."""
    try:
        signed_at = signature.signed_at
    except ValueError as exc:
        raise AuthenticationFailed(
            Failure.INCOMPLETE, f"Date must be in ISO-8601 'basic format'. Got '{signature.amz_date}'."
        ) from exc
    if signature.scope_date != signature.amz_date[:8]:
        raise AuthenticationFailed(
            Failure.MISMATCH,
            f"Credential should be scoped to a valid region and date. Date '{signature.scope_date}' does not "
            f"match the request date '{signature.amz_date[:8]}'.",
        )
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    if signature.presigned:
        assert signature.expires_seconds is not None
        if signed_at > now + max_skew:
            raise AuthenticationFailed(Failure.REQUEST_EXPIRED, "Request is not yet valid.")
        if now > signed_at + timedelta(seconds=signature.expires_seconds):
            raise AuthenticationFailed(Failure.REQUEST_EXPIRED, "Request has expired.")
        return
    minutes = int(max_skew.total_seconds() // 60)
    if signed_at < now - max_skew:
        earliest = (now - max_skew).strftime("%Y%m%dT%H%M%SZ")
        raise AuthenticationFailed(
            Failure.SKEWED,
            f"Signature expired: {signature.amz_date} is now earlier than {earliest} ({stamp} - {minutes} min.)",
        )
    if signed_at > now + max_skew:
        latest = (now + max_skew).strftime("%Y%m%dT%H%M%SZ")
        raise AuthenticationFailed(
            Failure.SKEWED,
            f"Signature not yet current: {signature.amz_date} is still later than {latest} ({stamp} + {minutes} min.)",
        )


def _canonical_query(query: Sequence[tuple[str, str]], presigned: bool) -> str:
    if not query:
        return ""
    pairs = sorted(
        (quote(key, safe="-_.~"), quote(value, safe="-_.~"))
        for key, value in query
        if not (presigned and key == "X-Amz-Signature")
    )
    return "&".join(f"{key}={value}" for key, value in pairs)


def _canonical_path(raw_path: str) -> str:
    if raw_path in ("", "/"):
        return "/"
    path = raw_path
    normalized = posixpath.normpath(path)
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    if normalized.startswith("//"):
        normalized = "/" + normalized.lstrip("/")
    return quote(normalized, safe="/~")


@lru_cache(maxsize=4096)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def expected_signature(
    signature: Signature,
    secret: str,
    method: str,
    raw_path: str,
    query: Sequence[tuple[str, str]],
    header_values: Callable[[str], list[str]],
    body: bytes,
) -> str:
    """The signature the holder of `secret` computes for this request (hex)."""
    if "host" not in signature.signed_headers:
        raise AuthenticationFailed(Failure.MISMATCH, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    lines = []
    for name in sorted(set(signature.signed_headers)):
        values = header_values(name)
        lines.append(f"{name}:" + ",".join(_SPACES.sub(" ", value.strip()) for value in values))
    payload_hash = (header_values("x-amz-content-sha256") or [""])[0] or hashlib.sha256(body).hexdigest()
    canonical = "\n".join(
        [
            method.upper(),
            _canonical_path(raw_path),
            _canonical_query(query, signature.presigned),
            "\n".join(lines) + "\n",
            ";".join(signature.signed_headers),
            payload_hash,
        ]
    )
    string_to_sign = "\n".join(
        [ALGORITHM, signature.amz_date, signature.scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _signing_key(secret, signature.scope_date, signature.region, signature.service)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(
    signature: Signature,
    secret: str,
    method: str,
    raw_path: str,
    query: Sequence[tuple[str, str]],
    header_values: Callable[[str], list[str]],
    body: bytes,
) -> None:
    expected = expected_signature(signature, secret, method, raw_path, query, header_values, body)
    if not hmac.compare_digest(expected.encode(), signature.signature.lower().encode()):  # str: ASCII only
        raise AuthenticationFailed(
            Failure.MISMATCH,
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.",
        )

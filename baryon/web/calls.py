"""AWS API calls made in-process on behalf of the signed-in principal.

A call is built exactly as botocore builds it (its serializer, over the service model Baryon keeps), signed
with the principal's own credentials (SigV4), and handed to the edge pipeline as a `RawRequest`: the same
parse → authenticate → authorize → dispatch → audit chain a network request takes. The answer is parsed by
botocore's parser, so a page gets the operation's output as a dict, or a `CallFailed` carrying AWS's error
code and message (an `AccessDenied...` when the principal's policies or the SCPs refuse).

Run calls on a worker thread: the pipeline may wait on the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.credentials import Credentials as BotoCredentials
from botocore.parsers import DEFAULT_TIMESTAMP_PARSER, ResponseParserFactory
from botocore.serialize import create_serializer

from baryon.edge.pipeline import Pipeline
from baryon.edge.protocols.spec import load_service
from baryon.edge.request import RawRequest

USER_AGENT = "baryon-dashboard"
DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
SIGNED_OUT = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "ExpiredToken",
        "ExpiredTokenException",
    }
)
"""Authentication failures: the credentials behind the session no longer work (deleted key, expired token)."""


def _utc(value: Any) -> datetime:
    """A timestamp of an answer, in UTC. botocore's default parser converts each one to the local time zone
    through dateutil's `tzlocal`, which costs more than parsing the rest of a page of 50 environments."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    parsed: datetime = DEFAULT_TIMESTAMP_PARSER(value)  # ISO 8601, RFC 822
    return parsed.astimezone(UTC)


_PARSERS = ResponseParserFactory()
_PARSERS.set_parser_defaults(timestamp_parser=_utc)


@dataclass(frozen=True)
class Credentials:
    """An access key pair, with the session token of temporary credentials. Never printed."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)


class CallFailed(Exception):
    """An AWS error answer, as a `botocore.exceptions.ClientError` would carry it."""

    def __init__(self, code: str, message: str, status: int, operation: str) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.operation = operation

    @property
    def denied(self) -> bool:
        return self.code in DENIED


class SignedOut(Exception):
    """The session's credentials were refused by authentication (a deleted or deactivated key, an expired
    token): the session is over. Not a `CallFailed`, so that no page shows it as a panel."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AwsCalls:
    """One principal's API client inside the server. `calls("organizations", "ListRoots")` → output dict."""

    def __init__(
        self, pipeline: Pipeline, credentials: Credentials, region: str, client_ip: str, endpoint: str
    ) -> None:
        self._pipeline = pipeline
        self._credentials = BotoCredentials(
            credentials.access_key_id, credentials.secret_access_key, credentials.session_token
        )
        self.region = region
        self._client_ip = client_ip
        self._endpoint = endpoint
        """The URL the browser used (`http://host:port`): the signed Host, and https for aws:SecureTransport."""

    def __call__(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        spec = load_service(service)
        model = spec.model.operation_model(operation)
        request_dict = create_serializer(spec.protocol, include_validation=False).serialize_to_request(params, model)
        prepare_request_dict(request_dict, self._endpoint, user_agent=USER_AGENT)
        request = create_request_object(request_dict)
        request.headers["Host"] = urlsplit(self._endpoint).netloc
        SigV4Auth(self._credentials, spec.name, self.region).add_auth(request)
        prepared = request.prepare()
        url = urlsplit(prepared.url)
        body = prepared.body or b""
        raw = RawRequest(
            method=prepared.method,
            raw_path=url.path or "/",
            query_string=url.query,
            headers=tuple((name.lower(), str(value)) for name, value in prepared.headers.items()),
            body=body.encode() if isinstance(body, str) else bytes(body),
            client_ip=self._client_ip,
            scheme=url.scheme,
        )
        response = self._pipeline.handle(raw)
        parsed: dict[str, Any] = _PARSERS.create_parser(spec.protocol).parse(
            {"status_code": response.status, "headers": response.headers, "body": response.body},
            model.output_shape,
        )
        if response.status >= 300:
            error = parsed.get("Error", {})
            code = error.get("Code", "Unknown")
            if code in SIGNED_OUT:
                raise SignedOut(code)
            raise CallFailed(code, error.get("Message", ""), response.status, operation)
        parsed.pop("ResponseMetadata", None)
        return parsed

    def pages(self, service: str, operation: str, member: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list (`NextToken` / `Marker`), page after page."""
        while True:
            output = self(service, operation, **params)
            yield from output.get(member, [])
            if output.get("NextToken"):
                params["NextToken"] = output["NextToken"]
            elif output.get("IsTruncated") and output.get("Marker"):
                params["Marker"] = output["Marker"]
            else:
                return

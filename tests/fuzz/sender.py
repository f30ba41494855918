"""Sending fuzz requests over one keep-alive `http.client` connection, signed with botocore's SigV4.

A `Request` says how to sign it (`Signing`): in the Authorization header (the default, with the server's
admin keys), presigned in the query string, or not at all; with another key, secret, date or scope; and with
headers changed after signing (`after`) to build badly signed requests. Header values may be `bytes` to send
raw non-ASCII octets.
"""

from __future__ import annotations

import contextlib
import http.client
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from unittest import mock
from urllib.parse import urlsplit

import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HeaderValue = str | bytes


@dataclass(frozen=True)
class Signing:
    mode: str = "header"
    """`header`, `query` (presigned URL) or `none`."""
    service: str | None = None
    """The credential scope's service; None means the request's service."""
    region: str | None = None
    access_key: str | None = None
    secret: str | None = None
    session_token: str | None = None
    when: datetime | None = None
    """The signing time; None means now."""
    expires: int = 300
    after: tuple[tuple[str, HeaderValue | None], ...] = ()
    """Headers set (None: removed) after signing."""


@dataclass(frozen=True)
class Request:
    label: str
    service: str
    operation: str | None = None
    method: str = "POST"
    path: str = "/"
    headers: tuple[tuple[str, HeaderValue], ...] = ()
    body: bytes = b""
    protocol: str | None = None
    """The protocol whose error shape a 4xx must have; None accepts either."""
    expect_reject: bool = False
    expect_status: int | None = None
    signing: Signing = field(default_factory=Signing)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    error: str | None = None
    """Set when no HTTP response arrived (status 0)."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _DatedSigV4(SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    def __init__(self, credentials: Credentials, service: str, region: str, when: datetime | None) -> None:
        super().__init__(credentials, service, region)
        self.when = when

    def add_auth(self, request: AWSRequest) -> None:
        if self.when is None:
            super().add_auth(request)
            return
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=self.when):
            super().add_auth(request)


class Sender:
    """Signs and sends requests to one server; reconnects when the server closes the connection."""

    def __init__(self, endpoint: str, credentials: Mapping[str, str], region: str, timeout: float = 60) -> None:
        parts = urlsplit(endpoint)
        self.endpoint = endpoint.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.credentials = dict(credentials)
        self.region = region
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def prepare(self, request: Request) -> tuple[str, list[tuple[str, HeaderValue]]]:
        """The path (with query) and the final headers, signature included."""
        signing = request.signing
        text_headers = {k: v for k, v in request.headers if isinstance(v, str)}
        raw_headers = [(k, v) for k, v in request.headers if isinstance(v, bytes)]
        if signing.mode == "none":
            headers: list[tuple[str, HeaderValue]] = list(text_headers.items())
            path = request.path
        else:
            aws = AWSRequest(
                method=request.method, url=self.endpoint + request.path, data=request.body, headers=text_headers
            )
            credentials = Credentials(
                signing.access_key or self.credentials["AccessKeyId"],
                signing.secret or self.credentials["SecretAccessKey"],
                signing.session_token or self.credentials.get("SessionToken"),
            )
            service = signing.service or request.service
            region = signing.region or self.region
            if signing.mode == "query":
                SigV4QueryAuth(credentials, service, region, expires=signing.expires).add_auth(aws)
            else:
                _DatedSigV4(credentials, service, region, signing.when).add_auth(aws)
            headers = [(k, v) for k, v in aws.headers.items()]
            split = urlsplit(aws.url)
            path = split.path + (f"?{split.query}" if split.query else "")
        headers += raw_headers
        for name, value in signing.after:
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
            if value is not None:
                headers.append((name, value))
        return path, headers

    def send(self, request: Request) -> Response:
        path, headers = self.prepare(request)
        for attempt in range(2):
            connection = self._connect()
            try:
                connection.putrequest(request.method, path, skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.putheader("Content-Length", str(len(request.body)))
                # the server may answer (413) before reading the whole body; read that answer
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    connection.endheaders(request.body or None)
                answer = connection.getresponse()
                body = answer.read()
                response = Response(answer.status, _header_map(answer.getheaders()), body)
                if answer.will_close:
                    self.close()
                return response
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine) as exc:
                self.close()
                if attempt == 1 or len(request.body) > 1_000_000:
                    return Response(0, {}, b"", error=f"{type(exc).__name__}: {exc}")
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Response:
        connection = self._connect()
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            return Response(answer.status, _header_map(answer.getheaders()), answer.read())
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return Response(0, {}, b"", error=f"{type(exc).__name__}: {exc}")

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._connection


def _header_map(pairs: list[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    return merged

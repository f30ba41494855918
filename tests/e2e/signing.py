"""Hand-made signed requests, for cases a well-behaved client never sends (tampered, skewed, presigned)."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed_request(
    endpoint: str,
    credentials: dict[str, str],
    service: str,
    body: bytes,
    headers: dict[str, str],
    region: str = "us-east-1",
) -> AWSRequest:
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    creds = Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials.get("SessionToken"))
    SigV4Auth(creds, service, region).add_auth(request)
    return request


def send(
    endpoint: str, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def send_signed(endpoint: str, request: AWSRequest, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in request.headers.items()}
    return send(endpoint, "POST", "/", request.body if body is None else body, headers)


STS_FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
GET_CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"

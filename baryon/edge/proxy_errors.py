"""Errors of proxied calls in the foreign service's own protocol, the way AWS words them there.

Query and awsJson services reuse the native codecs. EC2 wraps errors in `<Response><Errors>` and names a
denial `UnauthorizedOperation` ("You are not authorized to perform this operation. User: ..."); S3 answers a
bare `<Error>` document with its own authentication codes; rest-json services put the code in the
`x-amzn-ErrorType` header.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from baryon.edge import auth_errors
from baryon.edge.errors import AccessDenied, ServiceError
from baryon.edge.protocols import cbor_codec, json_codec, query_codec
from baryon.edge.protocols.spec import ServiceSpec
from baryon.edge.request import RawResponse
from baryon.edge.sigv4 import AuthenticationFailed, Failure

XML = "text/xml"
EC2_DENIAL = "You are not authorized to perform this operation. "

_EC2_AUTH: dict[Failure, tuple[str, str, int]] = {
    Failure.UNKNOWN_KEY: ("AuthFailure", "AWS was not able to validate the provided access credentials", 401),
    Failure.MISMATCH: ("AuthFailure", "AWS was not able to validate the provided access credentials", 401),
    Failure.EXPIRED_TOKEN: ("RequestExpired", "Request has expired.", 400),
    Failure.REQUEST_EXPIRED: ("RequestExpired", "Request has expired.", 400),
    Failure.SKEWED: ("RequestExpired", "Request has expired.", 400),
}
_S3_AUTH: dict[Failure, tuple[str, str, int]] = {
    Failure.MISSING: ("AccessDenied", "Access Denied", 403),
    Failure.INCOMPLETE: ("AuthorizationHeaderMalformed", "", 400),
    Failure.UNKNOWN_KEY: (
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        403,
    ),
    Failure.MISMATCH: (
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
        403,
    ),
    Failure.SKEWED: (
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
        403,
    ),
    Failure.EXPIRED_TOKEN: ("ExpiredToken", "The provided token has expired.", 400),
    Failure.REQUEST_EXPIRED: ("AccessDenied", "Request has expired", 403),
    Failure.WRONG_SERVICE: ("AuthorizationHeaderMalformed", "", 400),
}


def authentication(failure: AuthenticationFailed, spec: ServiceSpec) -> ServiceError:
    """The service's own error for a request Baryon could not authenticate."""
    table = _EC2_AUTH if spec.protocol == "ec2" else _S3_AUTH if spec.name == "s3" else {}
    if failure.failure in table:
        code, message, status = table[failure.failure]
        return ServiceError(code, message or failure.message, status=status)
    return auth_errors.as_service_error(failure, "query" if spec.protocol in ("query", "ec2", "rest-xml") else "json")


def render(spec: ServiceSpec, error: ServiceError, request_id: str) -> RawResponse:
    """The error response of `spec`'s wire protocol."""
    protocol = spec.protocol
    if protocol == "ec2":
        return _ec2(error, request_id)
    if protocol == "query":
        status, body = query_codec.encode_error(spec, error, request_id)
        return RawResponse(status, body, XML)
    if protocol == "json":
        status, body = json_codec.encode_error(spec, error)
        return RawResponse(status, body, spec.json_content_type)
    if protocol == "smithy-rpc-v2-cbor":
        status, body = cbor_codec.encode_error(spec, error)
        return RawResponse(status, body, cbor_codec.CONTENT_TYPE, dict(cbor_codec.HEADERS))
    if protocol == "rest-json":
        code = "AccessDeniedException" if isinstance(error, AccessDenied) else error.code
        body = json.dumps({"message": error.message}).encode()
        return RawResponse(error.status or 400, body, "application/json", {"x-amzn-ErrorType": code})
    return _rest_xml(spec, error, request_id)


def _ec2(error: ServiceError, request_id: str) -> RawResponse:
    code, message = error.code, error.message
    if isinstance(error, AccessDenied):
        code, message = "UnauthorizedOperation", EC2_DENIAL + message
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
    )
    return RawResponse(error.status or 400, body.encode(), XML)


def _rest_xml(spec: ServiceSpec, error: ServiceError, request_id: str) -> RawResponse:
    """S3's bare `<Error>`; other rest-xml services (Route 53, CloudFront) use `<ErrorResponse>`."""
    details = f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
    if spec.name == "s3":
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{details}<RequestId>{request_id}</RequestId></Error>'
    else:
        fault = "Sender" if error.sender_fault else "Receiver"
        body = (
            f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{spec.xml_namespace or ""}"><Error><Type>{fault}</Type>'
            f"{details}</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return RawResponse(error.status or 400, body.encode(), "application/xml")

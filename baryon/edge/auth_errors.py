"""Authentication failures in each protocol's AWS wording.

Query services (IAM, STS) and awsJson services (Proton, Organizations) name the same failure differently:
`InvalidClientTokenId` vs `UnrecognizedClientException`, `SignatureDoesNotMatch` vs `InvalidSignatureException`.
"""

from __future__ import annotations

from baryon.edge.errors import ServiceError
from baryon.edge.sigv4 import AuthenticationFailed, Failure

# failure -> (query code, json code, status)
_CODES: dict[Failure, tuple[str, str, int]] = {
    Failure.MISSING: ("MissingAuthenticationToken", "MissingAuthenticationTokenException", 403),
    Failure.INCOMPLETE: ("IncompleteSignature", "IncompleteSignatureException", 400),
    Failure.UNKNOWN_KEY: ("InvalidClientTokenId", "UnrecognizedClientException", 403),
    Failure.MISMATCH: ("SignatureDoesNotMatch", "InvalidSignatureException", 403),
    Failure.SKEWED: ("SignatureDoesNotMatch", "InvalidSignatureException", 403),
    Failure.WRONG_SERVICE: ("SignatureDoesNotMatch", "InvalidSignatureException", 403),
    Failure.EXPIRED_TOKEN: ("ExpiredToken", "ExpiredTokenException", 403),
    Failure.REQUEST_EXPIRED: ("RequestExpired", "RequestExpired", 400),
}

MISSING_MESSAGE = {
    "query": "Request is missing Authentication Token",
    "json": "Missing Authentication Token",
}


def as_service_error(failure: AuthenticationFailed, protocol: str) -> ServiceError:
    query_code, json_code, status = _CODES[failure.failure]
    code = query_code if protocol == "query" else json_code
    message = failure.message
    if failure.failure is Failure.MISSING:
        message = MISSING_MESSAGE[protocol]
    return ServiceError(code, message, status=status)

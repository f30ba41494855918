"""Errors raised while parsing and validating policy documents."""

from __future__ import annotations


class PolicyError(Exception):
    """A policy document was rejected; ``message`` is the text the API returns to the client.

    IAM answers such documents with ``MalformedPolicyDocument`` and Organizations with
    ``MalformedPolicyDocumentException``; the wire layer picks the error shape, this message is its text.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PolicySizeError(PolicyError):
    """The document is larger than the caller's quota (IAM ``LimitExceeded``, Organizations
    ``ConstraintViolationException`` reason ``POLICY_CONTENT_LIMIT_EXCEEDED``)."""

"""Opaque, tamper-evident pagination tokens (IAM's `Marker`, the `NextToken` of other services).

A token carries the sort key of the last item a page returned (keyset pagination: stable while items are
added or deleted between pages) and an HMAC over that key and the *scope* it was issued for: the
operation, the account and every filter of the listing. A token that was altered, made up, or replayed
against another listing is refused with the protocol's validation error.

    tokens = PageTokens(runtime.secrets.mac)
    marker = tokens.issue(scope, ["alice", "AIDA..."])
    tokens.read(scope, marker)  # -> ["alice", "AIDA..."]

Tokens are URL-safe base64 (`payload.tag`), well inside the 320 characters IAM's `markerType` allows for the
positions the providers store (an ASCII name of at most 128 characters plus an id).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable, Sequence

from baryon.edge.errors import ValidationFailed

Position = list[str | int | None]

_DOMAIN = b"baryon/page-token/v1\x00"
_TAG_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokens:
    """Issues and checks pagination tokens with a keyed MAC (e.g. `SecretBox.mac`)."""

    def __init__(self, mac: Callable[[bytes], bytes]) -> None:
        self._mac = mac

    def _tag(self, scope: str, payload: bytes) -> bytes:
        return self._mac(_DOMAIN + scope.encode() + b"\x00" + payload)[:_TAG_BYTES]

    def issue(self, scope: str, position: Sequence[str | int | None]) -> str:
        payload = json.dumps(list(position), separators=(",", ":"), ensure_ascii=False).encode()
        return f"{_b64(payload)}.{_b64(self._tag(scope, payload))}"

    def read(self, scope: str, token: str, member: str = "marker") -> Position:
        """The position a token stands for; `ValidationFailed` unless this service issued it for `scope`."""
        payload_text, dot, tag_text = token.rpartition(".")
        try:
            if not dot:
                raise ValueError("no tag")
            payload, tag = _unb64(payload_text), _unb64(tag_text)
        except (ValueError, binascii.Error):
            raise _invalid(member) from None
        if not hmac.compare_digest(tag, self._tag(scope, payload)):
            raise _invalid(member)
        try:
            position = json.loads(payload.decode())
        except (UnicodeDecodeError, ValueError):
            raise _invalid(member) from None
        if not isinstance(position, list) or not all(item is None or isinstance(item, (str, int)) for item in position):
            raise _invalid(member)
        return position


def _invalid(member: str) -> ValidationFailed:
    return ValidationFailed([f"Invalid {member}: not returned by an earlier call with these parameters"])

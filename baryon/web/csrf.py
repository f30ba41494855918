"""Cross-site request forgery: every POST must carry a token only the dashboard's own pages know.

The token is an HMAC of the session id under a key derived from the server's sealing key, so it needs no
storage and differs per session. Forms send it as the hidden field `csrf_token`; `fetch()` calls send it in
the `X-CSRF-Token` header (pages expose it in `<meta name="csrf-token">`). Before sign-in the sign-in form is
bound the same way to a random pre-session cookie. The session cookie's SameSite=Strict is a second line.
"""

from __future__ import annotations

import base64
import hmac

from baryon.crypto import SecretBox

FIELD = "csrf_token"
HEADER = "x-csrf-token"
PRE_SESSION_COOKIE = "baryon_signin"


def token(box: SecretBox, binding: str) -> str:
    """The CSRF token of a session (or pre-session) id."""
    return base64.urlsafe_b64encode(box.mac(b"baryon/csrf/v1\x00" + binding.encode())).decode().rstrip("=")


def valid(box: SecretBox, binding: str | None, presented: str | None) -> bool:
    if not binding or not presented:
        return False
    return hmac.compare_digest(token(box, binding).encode(), presented.encode())

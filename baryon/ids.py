"""Identifiers in the shapes AWS uses: account ids, access key ids, unique ids, request ids."""

from __future__ import annotations

import random
import secrets
import string
import uuid

_UPPER_DIGITS = string.ascii_uppercase + "234567"
_ALNUM = string.ascii_letters + string.digits


def account_id() -> str:
    """A 12-digit AWS account id that does not start with 0."""
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def unique_id(prefix: str) -> str:
    """An IAM unique id such as `AIDA…` (user), `AROA…` (role), `AGPA…` (group), `ANPA…` (policy)."""
    return prefix + "".join(secrets.choice(_UPPER_DIGITS) for _ in range(17))


def access_key_id(temporary: bool = False) -> str:
    """`AKIA…` for long-term keys, `ASIA…` for STS session keys: 20 characters."""
    return ("ASIA" if temporary else "AKIA") + "".join(secrets.choice(_UPPER_DIGITS) for _ in range(16))


def secret_access_key() -> str:
    return "".join(secrets.choice(_ALNUM + "+/") for _ in range(40))


def session_token() -> str:
    return "IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(96)


_request_ids = random.Random(secrets.randbits(128))


def request_id() -> str:
    """A request id in UUID-4 form. Not a secret, so a seeded PRNG is enough (and avoids a syscall)."""
    return str(uuid.UUID(int=_request_ids.getrandbits(128), version=4))

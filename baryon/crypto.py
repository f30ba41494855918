"""Secrets at rest: access keys and tokens are stored encrypted with one symmetric key.

The key comes from `BARYON_SECRET_KEY` or from `secret.key` in the data directory (created with mode 0600 on
first start). SigV4 needs the raw secret on the server, so secrets are encrypted, not hashed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Encrypts and decrypts short secrets with Fernet (AES-128-CBC + HMAC-SHA256)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._mac_key = hashlib.sha256(b"baryon/mac/v1\x00" + key).digest()

    @classmethod
    def from_settings(cls, data_dir: Path, configured_key: str | None) -> SecretBox:
        if configured_key:
            return cls(configured_key.encode())
        key_file = data_dir / "secret.key"
        if not key_file.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
        return cls(key_file.read_bytes().strip())

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("secret cannot be decrypted with the configured key") from exc

    def mac(self, data: bytes) -> bytes:
        """HMAC-SHA256 of `data` under a key derived from the sealing key (never the sealing key itself), so
        every replica sharing the key computes the same tags (pagination tokens, for one)."""
        return hmac.new(self._mac_key, data, hashlib.sha256).digest()


def fingerprint(value: str) -> str:
    """A one-way digest for looking up a secret (a session token) without storing it in the clear."""
    return hashlib.sha256(value.encode()).hexdigest()

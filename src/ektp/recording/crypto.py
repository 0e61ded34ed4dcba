"""Encryption at rest of biometric templates and images: AES-256-GCM with a random nonce.

A sealed value is ``version (1 byte) | nonce (12 bytes) | ciphertext and tag``. The
associated data binds each value to its place (recording, modality, attempt, field), so a
value copied into another row or column fails to decrypt instead of passing for another
person's finger.

The key comes from ``settings.biometric_key`` (32 bytes, urlsafe base64); without it a key
is created once in ``settings.biometric_key_file`` with mode 0600 and reused. Losing that
file loses every template: back it up with the database, but never beside it.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from ektp.settings import Settings

KEY_BYTES = 32
NONCE_BYTES = 12
_VERSION = b"\x01"
_HEADER = len(_VERSION) + NONCE_BYTES


class BiometricKeyError(RuntimeError):
    """Raised when the biometric key is malformed, unreadable or exposed to other users."""


class DecryptionError(ValueError):
    """Raised when a sealed value was tampered with, moved, or sealed under another key."""


def new_key() -> str:
    """Return a fresh key as urlsafe base64 text, the form settings and key files hold."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_key(text: str) -> bytes:
    """Return the 32 key bytes of urlsafe base64 ``text``, or raise BiometricKeyError."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise BiometricKeyError("the biometric key is not urlsafe base64") from None
    if len(raw) != KEY_BYTES:
        raise BiometricKeyError(
            f"the biometric key has {len(raw)} bytes; AES-256 needs {KEY_BYTES}"
        )
    return raw


class BiometricCipher:
    """Seals and opens biometric values with one AES-256-GCM key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise BiometricKeyError(f"an AES-256 key has {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        # Never show the key, even in a traceback's locals.
        return "BiometricCipher(<key hidden>)"

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """Return ``plaintext`` sealed under a fresh random nonce, bound to ``associated_data``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def decrypt(self, sealed: bytes, associated_data: bytes) -> bytes:
        """Return the plaintext of ``sealed``, or raise DecryptionError."""
        if len(sealed) < _HEADER + 16 or sealed[:1] != _VERSION:
            raise DecryptionError("not a sealed biometric value")
        nonce = sealed[1:_HEADER]
        try:
            return self._aead.decrypt(nonce, sealed[_HEADER:], associated_data)
        except InvalidTag:
            raise DecryptionError(
                "the value does not open: another key, another place, or tampered with"
            ) from None


def capture_context(recording_id: int, modality: str, attempt: int, field: str) -> bytes:
    """Return the associated data that binds a capture's ``field`` to its row."""
    return f"ektp/capture/{recording_id}/{modality}/{attempt}/{field}".encode()


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if os.name == "posix" and mode & 0o077:
        raise BiometricKeyError(
            f"{path} can be read by other users (mode {mode & 0o777:o}); run: chmod 600 {path}"
        )
    return parse_key(path.read_text(encoding="ascii"))


def key_from_file(path: Path) -> bytes:
    """Return the key stored at ``path``, creating it (mode 0600) when the file is missing."""
    if path.exists():
        return _read_key_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_key()
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    handle = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        # A hard link appears whole or not at all and fails if the name exists: two
        # processes starting at once agree on one key, and none reads a half-written file.
        os.link(draft, path)
    except FileExistsError:
        return _read_key_file(path)
    finally:
        draft.unlink(missing_ok=True)
    return parse_key(text)


def cipher_from_settings(settings: Settings) -> BiometricCipher:
    """Return the cipher of the configured key (the key file's, created on first use)."""
    if settings.biometric_key:
        return BiometricCipher(parse_key(settings.biometric_key))
    return BiometricCipher(key_from_file(Path(settings.biometric_key_file)))

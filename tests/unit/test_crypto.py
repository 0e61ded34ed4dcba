"""Biometric data at rest: AES-GCM, random nonces, each value bound to its place, the key file."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from ektp.recording import crypto
from ektp.recording.crypto import BiometricCipher, BiometricKeyError, DecryptionError
from ektp.settings import Settings

TEMPLATE = bytes(range(256)) * 2
HERE = crypto.capture_context(7, "r_thumb", 1, "template")


@pytest.fixture
def cipher() -> BiometricCipher:
    return BiometricCipher(b"k" * 32)


def test_a_sealed_template_opens_to_the_same_bytes(cipher: BiometricCipher) -> None:
    assert cipher.decrypt(cipher.encrypt(TEMPLATE, HERE), HERE) == TEMPLATE


def test_the_sealed_value_does_not_contain_the_plaintext(cipher: BiometricCipher) -> None:
    sealed = cipher.encrypt(TEMPLATE, HERE)
    assert TEMPLATE[:32] not in sealed
    assert len(sealed) == len(TEMPLATE) + 1 + 12 + 16


def test_sealing_twice_gives_different_values_with_different_nonces(
    cipher: BiometricCipher,
) -> None:
    first, second = cipher.encrypt(TEMPLATE, HERE), cipher.encrypt(TEMPLATE, HERE)
    assert first != second
    assert first[1:13] != second[1:13]


def test_a_value_moved_to_another_capture_does_not_open(cipher: BiometricCipher) -> None:
    sealed = cipher.encrypt(TEMPLATE, HERE)
    elsewhere = crypto.capture_context(8, "r_thumb", 1, "template")
    with pytest.raises(DecryptionError, match="another place"):
        cipher.decrypt(sealed, elsewhere)


def test_a_tampered_value_does_not_open(cipher: BiometricCipher) -> None:
    sealed = bytearray(cipher.encrypt(TEMPLATE, HERE))
    sealed[20] ^= 1
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(sealed), HERE)


def test_a_value_sealed_under_another_key_does_not_open(cipher: BiometricCipher) -> None:
    sealed = BiometricCipher(b"x" * 32).encrypt(TEMPLATE, HERE)
    with pytest.raises(DecryptionError):
        cipher.decrypt(sealed, HERE)


def test_the_cipher_never_shows_its_key(cipher: BiometricCipher) -> None:
    assert "kkkk" not in repr(cipher)


def test_a_key_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(BiometricKeyError, match="has 16 bytes; AES-256 needs 32"):
        crypto.parse_key(base64.urlsafe_b64encode(b"s" * 16).decode())
    with pytest.raises(BiometricKeyError, match="not urlsafe base64"):
        crypto.parse_key("not base64 at all!")


def test_the_key_from_settings_is_used_when_given(tmp_path: Path) -> None:
    key = crypto.new_key()
    settings = Settings(biometric_key=key, biometric_key_file=tmp_path / "unused.key")
    sealed = crypto.cipher_from_settings(settings).encrypt(TEMPLATE, HERE)
    assert BiometricCipher(crypto.parse_key(key)).decrypt(sealed, HERE) == TEMPLATE
    assert not (tmp_path / "unused.key").exists()


def test_without_a_key_one_is_created_with_mode_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "biometric.key"
    settings = Settings(biometric_key=None, biometric_key_file=path)
    sealed = crypto.cipher_from_settings(settings).encrypt(TEMPLATE, HERE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened = crypto.cipher_from_settings(settings)
    assert reopened.decrypt(sealed, HERE) == TEMPLATE
    assert list(path.parent.iterdir()) == [path]


def test_a_key_file_other_users_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "biometric.key"
    path.write_text(crypto.new_key())
    os.chmod(path, 0o644)
    with pytest.raises(BiometricKeyError, match="chmod 600"):
        crypto.key_from_file(path)

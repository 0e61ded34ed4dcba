"""Argon2 password hashing."""

from __future__ import annotations

import pytest

from ektp.auth import passwords


def test_a_hash_verifies_its_own_password_and_no_other() -> None:
    stored = passwords.hash_password("kopi-susu-2011")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "kopi-susu-2011")
    assert not passwords.verify_password(stored, "kopi-susu-2012")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert passwords.hash_password("pempek-kapal-selam") != passwords.hash_password(
        "pempek-kapal-selam"
    )


def test_a_malformed_stored_hash_never_matches() -> None:
    assert not passwords.verify_password("not-a-hash", "anything")
    assert not passwords.verify_password("", "")


def test_a_short_password_is_refused() -> None:
    with pytest.raises(passwords.WeakPasswordError):
        passwords.hash_password("short")


def test_a_fresh_hash_needs_no_rehash() -> None:
    assert not passwords.needs_rehash(passwords.hash_password("jembatan-ampera"))

"""Per-site Ed25519 keys: a site signs its batches, the centre trusts registered public keys.

A site's key is created on first use. Its private half is stored sealed with the biometric
cipher (AES-256-GCM, bound to the site and key id), so a copy of the database alone cannot
sign a batch; its public half and ``key_id`` (hex SHA-256 of the raw public key) are what
the centre trusts. A centre running its own database registers a site's public key with
``register_public_key`` (no private half). Two processes creating a site's first key at the
same moment may both succeed; both keys are then trusted and the older one signs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.cards.models import SiteKey
from ektp.recording.crypto import BiometricCipher

_PUBLIC_BYTES = 32


class SiteKeyError(ValueError):
    """Raised for a malformed public key or a site without a usable signing key."""


@dataclass(frozen=True)
class SigningKey:
    """A site's private key, opened for signing."""

    site_code: str
    key_id: str
    private: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        """Return the Ed25519 signature of ``data``."""
        return self.private.sign(data)


@dataclass(frozen=True)
class TrustedKey:
    """A registered public key as the centre sees it."""

    site_code: str
    key_id: str
    public_key: bytes
    retired_at: dt.datetime | None


def key_id_of(public_key: bytes) -> str:
    """Return the key id of a raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_key).hexdigest()


def _seal_context(site_code: str, key_id: str) -> bytes:
    return f"ektp/site-key/{site_code}/{key_id}".encode()


def signing_key(
    *, session: Session, site_code: str, cipher: BiometricCipher, now: dt.datetime
) -> SigningKey:
    """Return the site's signing key, creating and registering one on first use."""
    row = session.scalars(
        select(SiteKey)
        .where(
            SiteKey.site_code == site_code,
            SiteKey.retired_at.is_(None),
            SiteKey.private_key_sealed.is_not(None),
        )
        .order_by(SiteKey.id)
        .limit(1)
    ).first()
    if row is not None and row.private_key_sealed is not None:
        raw = cipher.decrypt(row.private_key_sealed, _seal_context(site_code, row.key_id))
        return SigningKey(site_code, row.key_id, Ed25519PrivateKey.from_private_bytes(raw))
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = key_id_of(public)
    raw = private.private_bytes_raw()
    session.add(
        SiteKey(
            site_code=site_code,
            key_id=key_id,
            public_key=public,
            private_key_sealed=cipher.encrypt(raw, _seal_context(site_code, key_id)),
            created_at=now,
        )
    )
    session.flush()
    return SigningKey(site_code, key_id, private)


def register_public_key(
    *, session: Session, site_code: str, public_key: bytes, now: dt.datetime
) -> str:
    """Return the key id of ``public_key``, registered as trusted for ``site_code``."""
    if len(public_key) != _PUBLIC_BYTES:
        raise SiteKeyError(
            f"an Ed25519 public key has {_PUBLIC_BYTES} bytes, not {len(public_key)}"
        )
    key_id = key_id_of(public_key)
    existing = session.scalar(select(SiteKey.site_code).where(SiteKey.key_id == key_id))
    if existing is not None:
        if existing != site_code:
            raise SiteKeyError(f"key {key_id[:16]}… is already registered for site {existing}")
        return key_id
    session.add(SiteKey(site_code=site_code, key_id=key_id, public_key=public_key, created_at=now))
    session.flush()
    return key_id


def trusted_key(*, session: Session, key_id: str) -> TrustedKey | None:
    """Return the registered key with ``key_id``, or None when nobody registered it."""
    row = session.execute(
        select(SiteKey.site_code, SiteKey.key_id, SiteKey.public_key, SiteKey.retired_at).where(
            SiteKey.key_id == key_id
        )
    ).first()
    if row is None:
        return None
    return TrustedKey(str(row[0]), str(row[1]), bytes(row[2]), row[3])

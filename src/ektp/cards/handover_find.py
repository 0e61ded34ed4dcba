"""Finding a card at the handover desk (by NIK or the letter's QR), within the desk's area,
and opening its recorded face photo: the only biometric the desk ever sees.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.cards import lifecycle
from ektp.cards.models import Card
from ektp.recording import queue
from ektp.recording.crypto import BiometricCipher, capture_context
from ektp.recording.models import Capture
from ektp.residents.models import Resident
from ektp.scheduling.models import Invitation

_NIK = re.compile(r"^\d{16}$")

NOT_FOUND = "no card for this NIK or QR code in your area"
"""The one answer for a NIK nobody has, and for a resident outside the desk's area (with a
card or without): the desk learns nothing about other areas' residents."""


class HandoverRefused(ValueError):
    """Raised when a handover (or a search) cannot go ahead; nothing was written.

    ``field`` names the form field at fault, when one is; ``not_found`` marks the answer
    that must read the same for every miss (see NOT_FOUND).
    """

    def __init__(self, message: str, *, field: str | None = None, not_found: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.not_found = not_found


@dataclass(frozen=True)
class HandoverCard:
    """A card at the handover desk with its resident's name (no other biodata)."""

    card_id: int
    resident_id: int
    recording_id: int
    nik: str
    nama: str
    kode_kecamatan: str
    state: str
    serial: str | None
    recorded_on: dt.date
    ready_at: dt.datetime | None
    handed_at: dt.datetime | None
    location: str | None = None

    @property
    def refusal(self) -> str | None:
        """Return why this card cannot be handed over now, or None when it can."""
        return lifecycle.refusal(self.state, lifecycle.DISERAHKAN)

    def refusal_at(self, desk_area: str | None) -> str | None:
        """Return why a desk of ``desk_area`` cannot hand this card over now, or None.

        Beyond the lifecycle, the card must lie at the desk: a card returned to the city
        office is handed over there, not at its kecamatan.
        """
        return self.refusal or elsewhere(self.card_id, self.location, desk_area)


def elsewhere(card_id: int, location: str | None, desk_area: str | None) -> str | None:
    """Return why card ``card_id`` at ``location`` is not at a desk of ``desk_area``, or None
    when it is (or when no desk area is given)."""
    if desk_area is None or (location is not None and roles.area_covers(desk_area, location)):
        return None
    where = f"at {location}" if location else "not at any office"
    return (
        f"card {card_id} is {where}, not at this desk ({desk_area}); it is handed over "
        "where it lies"
    )


def _card_of_resident(session: Session, resident_id: int) -> HandoverCard | None:
    row = session.execute(
        select(Card, Resident.nik, Resident.nama)
        .join(Resident, Resident.id == Card.resident_id)
        .where(Card.resident_id == resident_id)
    ).one_or_none()
    return None if row is None else _view(row[0], row[1], row[2])


def _view(card: Card, nik: str, nama: str) -> HandoverCard:
    return HandoverCard(
        card_id=card.id,
        resident_id=card.resident_id,
        recording_id=card.recording_id,
        nik=nik,
        nama=nama,
        kode_kecamatan=card.kode_kecamatan,
        state=card.state,
        serial=card.serial,
        recorded_on=card.recorded_on,
        ready_at=card.ready_at,
        handed_at=card.handed_at,
        location=card.location,
    )


def card_by_id(*, session: Session, card_id: int) -> HandoverCard | None:
    """Return the card ``card_id`` with its resident's NIK and name, or None."""
    row = session.execute(
        select(Card, Resident.nik, Resident.nama)
        .join(Resident, Resident.id == Card.resident_id)
        .where(Card.id == card_id)
    ).one_or_none()
    return None if row is None else _view(row[0], row[1], row[2])


def find_card(
    *,
    session: Session,
    nik: str | None = None,
    qr: str | None = None,
    area: str | None = None,
) -> HandoverCard:
    """Return the card of the resident a typed NIK or a scanned letter QR names.

    Raises HandoverRefused with a message for the desk: a malformed NIK or QR, a code that
    does not match its letter, nobody with that NIK, or a resident with no card yet. With
    ``area`` (the desk's), a resident outside it reads exactly like a NIK nobody has
    (``not_found``), card or no card.
    """
    if qr and qr.strip():
        try:
            invitation_id, code = queue.parse_qr(qr)
        except ValueError as error:
            raise HandoverRefused(str(error), field="qr") from None
        row = session.execute(
            select(Invitation.resident_id, Invitation.attendance_code).where(
                Invitation.id == invitation_id
            )
        ).one_or_none()
        expected = "" if row is None else str(row[1]).upper()
        if row is None or not secrets.compare_digest(code.encode(), expected.encode()):
            raise HandoverRefused(
                "this QR code matches no call-up letter; type the NIK instead", field="qr"
            )
        resident_id = int(row[0])
    else:
        typed = (nik or "").strip()
        if not _NIK.match(typed):
            raise HandoverRefused("scan the letter's QR code or type a 16-digit NIK", field="nik")
        found = session.scalar(select(Resident.id).where(Resident.nik == typed))
        if found is None:
            if area is not None:
                raise HandoverRefused(NOT_FOUND, field="nik", not_found=True)
            raise HandoverRefused(f"NIK {typed} is not in the registry", field="nik")
        resident_id = int(found)
    card = _card_of_resident(session, resident_id)
    if area is not None:
        home = (
            card.kode_kecamatan
            if card is not None
            else str(
                session.scalar(select(Resident.kode_kelurahan).where(Resident.id == resident_id))
            )
        )
        if not roles.area_covers(area, home):
            raise HandoverRefused(
                NOT_FOUND, field="qr" if qr and qr.strip() else "nik", not_found=True
            )
    if card is None:
        raise HandoverRefused("this resident has no card yet (not recorded)", field="nik")
    return card


def recorded_photo(*, session: Session, recording_id: int, cipher: BiometricCipher) -> bytes | None:
    """Return the accepted face photo of the recording, decrypted, or None when there is none.

    Only the photo: the desk compares faces; no other biometric leaves its encryption here.
    Raises DecryptionError when the stored image does not open under ``cipher``.
    """
    row = session.execute(
        select(Capture.attempt, Capture.image_encrypted)
        .where(
            Capture.recording_id == recording_id,
            Capture.modality == "photo",
            Capture.accepted.is_(True),
            Capture.image_encrypted.is_not(None),
        )
        .order_by(Capture.attempt.desc())
        .limit(1)
    ).one_or_none()
    if row is None or row[1] is None:
        return None
    attempt, sealed = int(row[0]), bytes(row[1])
    return cipher.decrypt(sealed, capture_context(recording_id, "photo", attempt, "image"))

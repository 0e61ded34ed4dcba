"""Handing a card to its owner or an authorised representative at the kecamatan.

The desk finds the card by the resident's NIK or the QR on their call-up letter, the operator
compares the face with the recorded photo, and the handover is signed (signature pad image)
or ticked with the operator's name. The card ends ``diserahkan``; the ``handovers`` row is
unique per card, so a double click or a second operator is refused and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card, CardHandoverDays, Handover
from ektp.cards.status import local_date
from ektp.cards.transitions import ConcurrentChange, TransitionRefused, move
from ektp.recording import queue
from ektp.recording.crypto import BiometricCipher, capture_context
from ektp.recording.models import Capture
from ektp.residents.models import Resident
from ektp.scheduling.models import Invitation

PEMILIK = "pemilik"
WAKIL = "wakil"
RECIPIENTS = (PEMILIK, WAKIL)
MAX_SIGNATURE_BYTES = 256 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_NIK = re.compile(r"^\d{16}$")


class HandoverRefused(ValueError):
    """Raised when a handover (or a search) cannot go ahead; nothing was written.

    ``field`` names the form field at fault, when one is.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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

    @property
    def refusal(self) -> str | None:
        """Return why this card cannot be handed over now, or None when it can."""
        return lifecycle.refusal(self.state, lifecycle.DISERAHKAN)


@dataclass(frozen=True)
class HandoverDone:
    """A completed handover."""

    handover_id: int
    card_id: int
    handed_at: dt.datetime
    days: int


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
    )


def card_by_id(*, session: Session, card_id: int) -> HandoverCard | None:
    """Return the card ``card_id`` with its resident's NIK and name, or None."""
    row = session.execute(
        select(Card, Resident.nik, Resident.nama)
        .join(Resident, Resident.id == Card.resident_id)
        .where(Card.id == card_id)
    ).one_or_none()
    return None if row is None else _view(row[0], row[1], row[2])


def find_card(*, session: Session, nik: str | None = None, qr: str | None = None) -> HandoverCard:
    """Return the card of the resident a typed NIK or a scanned letter QR names.

    Raises HandoverRefused with a message for the desk: a malformed NIK or QR, a code that
    does not match its letter, nobody with that NIK, or a resident with no card yet.
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
            raise HandoverRefused(f"NIK {typed} is not in the registry", field="nik")
        resident_id = int(found)
    card = _card_of_resident(session, resident_id)
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


def _check_form(
    *,
    recipient: str,
    representative_name: str | None,
    representative_nik: str | None,
    representative_relation: str | None,
    face_confirmed: bool,
    signature_png: bytes | None,
    acknowledged: bool,
    operator_name: str,
) -> dict[str, Any]:
    """Return the handover's recipient fields, or raise HandoverRefused naming the field."""
    if recipient not in RECIPIENTS:
        raise HandoverRefused(
            f"recipient must be one of {', '.join(RECIPIENTS)}, not {recipient!r}",
            field="recipient",
        )
    if not face_confirmed:
        raise HandoverRefused(
            "confirm that the face matches the recorded photo before handing over",
            field="face_confirmed",
        )
    if signature_png is not None and len(signature_png) == 0:
        signature_png = None
    if signature_png is not None:
        if len(signature_png) > MAX_SIGNATURE_BYTES:
            raise HandoverRefused(
                f"the signature image is larger than {MAX_SIGNATURE_BYTES // 1024} KB",
                field="signature",
            )
        if not signature_png.startswith(PNG_MAGIC):
            raise HandoverRefused("the signature must be a PNG image", field="signature")
    if signature_png is None and not acknowledged:
        raise HandoverRefused(
            "the recipient signs on the pad, or tick the receipt box", field="acknowledged"
        )
    if not operator_name.strip():
        raise HandoverRefused("the operator's name is required", field="operator_name")
    fields: dict[str, Any] = {
        "representative_name": None,
        "representative_nik": None,
        "representative_relation": None,
    }
    if recipient == WAKIL:
        name = (representative_name or "").strip()
        wakil_nik = (representative_nik or "").strip()
        relation = (representative_relation or "").strip()
        if not name:
            raise HandoverRefused(
                "the representative's name is required", field="representative_name"
            )
        if not _NIK.match(wakil_nik):
            raise HandoverRefused(
                "the representative's NIK must have 16 digits", field="representative_nik"
            )
        if not relation:
            raise HandoverRefused(
                "the representative's relation to the owner is required",
                field="representative_relation",
            )
        fields = {
            "representative_name": name[:120],
            "representative_nik": wakil_nik,
            "representative_relation": relation[:60],
        }
    return {**fields, "signature_png": signature_png}


def _insert(session: Session, table: Table) -> Any:
    """Return an INSERT of the session's dialect (both know ON CONFLICT)."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def hand_over(
    *,
    session: Session,
    card_id: int,
    recipient: str,
    face_confirmed: bool,
    acknowledged: bool,
    operator: str,
    operator_name: str,
    now: dt.datetime,
    representative_name: str | None = None,
    representative_nik: str | None = None,
    representative_relation: str | None = None,
    signature_png: bytes | None = None,
) -> HandoverDone:
    """Return the handover of card ``card_id`` to its owner or a representative.

    Raises HandoverRefused (nothing written) for a form that is not complete, an unknown
    card, a card handed over already, or one that is not at a pickup place (the lifecycle's
    reason). Two handovers of one card at once: the database keeps one, the other is refused.
    """
    fields = _check_form(
        recipient=recipient,
        representative_name=representative_name,
        representative_nik=representative_nik,
        representative_relation=representative_relation,
        face_confirmed=face_confirmed,
        signature_png=signature_png,
        acknowledged=acknowledged,
        operator_name=operator_name,
    )
    card = session.execute(
        select(Card.id, Card.resident_id, Card.kode_kecamatan, Card.state, Card.recorded_on).where(
            Card.id == card_id
        )
    ).one_or_none()
    if card is None:
        raise HandoverRefused(f"no card with id {card_id}")
    earlier = handover_of(session=session, card_id=card_id)
    if earlier is not None:
        raise HandoverRefused(_already(earlier))
    reason = lifecycle.refusal(str(card.state), lifecycle.DISERAHKAN)
    if reason is not None:
        raise HandoverRefused(f"card {card_id} cannot be handed over: {reason}")
    try:
        # A savepoint: when the card moved meanwhile (another desk), the handover row goes
        # too, and the caller's transaction stays usable for its audit event.
        with session.begin_nested():
            handover_id = _insert_handover(
                session, card, recipient, operator, operator_name, acknowledged, now, fields
            )
            move(
                session=session,
                card_ids=[card_id],
                to_state=lifecycle.DISERAHKAN,
                at=now,
                actor=operator,
                detail=f"to {recipient}",
                ref=f"handover:{handover_id}",
                values={"handed_at": now},
            )
    except (TransitionRefused, ConcurrentChange) as error:
        raise HandoverRefused(
            f"card {card_id} changed meanwhile: {error}; nothing was changed"
        ) from None
    days = max(0, (local_date(now) - card.recorded_on).days)
    _count_days(session, str(card.kode_kecamatan), days)
    return HandoverDone(handover_id=int(handover_id), card_id=card_id, handed_at=now, days=days)


def _insert_handover(
    session: Session,
    card: Any,
    recipient: str,
    operator: str,
    operator_name: str,
    acknowledged: bool,
    now: dt.datetime,
    fields: dict[str, Any],
) -> int:
    """Return the new handover's id; raise HandoverRefused when the card has one already."""
    table = Handover.__table__
    assert isinstance(table, Table)
    # ON CONFLICT DO NOTHING: a second desk racing this one waits for it, then inserts
    # nothing (no error that would poison its transaction) and is refused here.
    handover_id = session.scalar(
        _insert(session, table)
        .values(
            card_id=card.id,
            resident_id=card.resident_id,
            kode_kecamatan=card.kode_kecamatan,
            handed_at=now,
            operator=operator,
            operator_name=operator_name.strip()[:120],
            recipient=recipient,
            face_confirmed=True,
            acknowledged=bool(acknowledged),
            **fields,
        )
        .on_conflict_do_nothing(index_elements=["card_id"])
        .returning(table.c.id)
    )
    if handover_id is None:
        earlier = handover_of(session=session, card_id=card.id)
        raise HandoverRefused(
            _already(earlier) if earlier else f"card {card.id} is being handed over elsewhere"
        )
    return int(handover_id)


def handover_of(*, session: Session, card_id: int) -> Handover | None:
    """Return the handover of card ``card_id``, or None when it was not handed over."""
    return session.execute(select(Handover).where(Handover.card_id == card_id)).scalar_one_or_none()


def _already(handover: Handover) -> str:
    when = local_date(handover.handed_at).isoformat()
    return (
        f"card {handover.card_id} was already handed over on {when} by "
        f"{handover.operator_name}; nothing was changed"
    )


def _count_days(session: Session, kecamatan: str, days: int) -> None:
    """Add one card to the kecamatan's recording-to-handover histogram."""
    table = CardHandoverDays.__table__
    assert isinstance(table, Table)
    statement = _insert(session, table).values(kode_kecamatan=kecamatan, days=days, cards=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["kode_kecamatan", "days"],
            set_={"cards": table.c.cards + 1},
        )
    )

"""Handing a card to its owner or an authorised representative at the kecamatan.

The desk finds the card by the resident's NIK or the QR on their call-up letter, the operator
compares the face with the recorded photo, and the handover is signed (signature pad image)
or ticked with the operator's name. The card ends ``diserahkan``; the ``handovers`` row is
unique per card, so a double click or a second operator is refused and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.handover_find import (
    NOT_FOUND,
    HandoverCard,
    HandoverRefused,
    card_by_id,
    elsewhere,
    find_card,
    recorded_photo,
)
from ektp.cards.models import Card, CardHandoverDays, Handover
from ektp.cards.status import local_date
from ektp.cards.transitions import ConcurrentChange, TransitionRefused, move

PEMILIK = "pemilik"
WAKIL = "wakil"
RECIPIENTS = (PEMILIK, WAKIL)
MAX_SIGNATURE_BYTES = 256 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_NIK = re.compile(r"^\d{16}$")
# Found and opened at the desk by handover_find; kept importable from here.
__all__ = [
    "NOT_FOUND",
    "HandoverCard",
    "HandoverDone",
    "HandoverRefused",
    "card_by_id",
    "find_card",
    "hand_over",
    "handover_of",
    "recorded_photo",
]


@dataclass(frozen=True)
class HandoverDone:
    """A completed handover."""

    handover_id: int
    card_id: int
    handed_at: dt.datetime
    days: int


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
    desk_area: str | None = None,
) -> HandoverDone:
    """Return the handover of card ``card_id`` to its owner or a representative.

    Raises HandoverRefused (nothing written) for a form that is not complete, an unknown
    card, a card handed over already, or one that is not at a pickup place (the lifecycle's
    reason) or, given ``desk_area``, not at this desk's office. Two handovers of one card at
    once: the database keeps one, the other is refused.
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
        select(
            Card.id,
            Card.resident_id,
            Card.kode_kecamatan,
            Card.state,
            Card.recorded_on,
            Card.location,
        ).where(Card.id == card_id)
    ).one_or_none()
    if card is None:
        raise HandoverRefused(f"no card with id {card_id}")
    earlier = handover_of(session=session, card_id=card_id)
    if earlier is not None:
        raise HandoverRefused(_already(earlier))
    reason = lifecycle.refusal(str(card.state), lifecycle.DISERAHKAN) or elsewhere(
        card_id, card.location, desk_area
    )
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

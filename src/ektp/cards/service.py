"""Card use cases other domains call: a completed recording opens the resident's card."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card, CardEvent
from ektp.cards.transitions import add_to_stage_counts


def open_card(
    *,
    session: Session,
    resident_id: int,
    recording_id: int,
    kode_kelurahan: str,
    site_code: str,
    recorded_on: dt.date,
    at: dt.datetime,
    actor: str,
) -> int:
    """Return the id of the resident's card, opened as ``direkam`` unless it exists."""
    existing = session.scalar(select(Card.id).where(Card.resident_id == resident_id))
    if existing is not None:
        return int(existing)
    kecamatan = kode_kelurahan.rsplit(".", 1)[0]
    card_id = session.scalar(
        insert(Card)
        .values(
            resident_id=resident_id,
            recording_id=recording_id,
            kode_kecamatan=kecamatan,
            kode_kelurahan=kode_kelurahan,
            site_code=site_code,
            recorded_on=recorded_on,
            state=lifecycle.DIREKAM,
            state_since=at,
            reprints=0,
        )
        .returning(Card.id)
    )
    assert card_id is not None
    session.execute(
        insert(CardEvent).values(
            card_id=card_id,
            from_state=None,
            to_state=lifecycle.DIREKAM,
            event="recorded",
            at=at,
            actor=actor,
            ref=f"recording:{recording_id}",
        )
    )
    add_to_stage_counts(session=session, deltas={(kecamatan, lifecycle.DIREKAM): 1})
    return int(card_id)

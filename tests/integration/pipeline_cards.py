"""Cards for the pipeline tests: every resident recorded and given a card, set-wise, and
checks that compare the stage counters with the cards themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Date, DateTime, Integer, String, func, insert, literal, select
from sqlalchemy.orm import Session

from ektp.cards import transitions
from ektp.cards.models import Card, CardEvent, CardStageCount
from ektp.recording.models import QueueTicket, Recording
from ektp.residents.models import Resident


def open_cards(session: Session, *, campaign_id: int, day: dt.date, at: dt.datetime) -> list[int]:
    """Return the ids of new cards (``direkam``) of every resident without one, each with a
    ticket and a completed recording at its kecamatan's site, all written by INSERT..SELECT."""
    stamp = literal(at, DateTime(timezone=True))
    session.execute(
        insert(QueueTicket).from_select(
            [
                "campaign_id",
                "site_code",
                "tanggal",
                "session",
                "number",
                "resident_id",
                "kind",
                "status",
                "set_no",
                "checked_in_at",
            ],
            select(
                literal(campaign_id, Integer),
                func.substr(Resident.kode_kelurahan, 1, 8),
                literal(day, Date),
                literal("pagi", String),
                Resident.id,
                Resident.id,
                literal("walk_in", String),
                literal("recorded", String),
                literal(1, Integer),
                stamp,
            ).where(~Resident.id.in_(select(Card.resident_id))),
        )
    )
    session.execute(
        insert(Recording).from_select(
            [
                "campaign_id",
                "ticket_id",
                "resident_id",
                "site_code",
                "tanggal",
                "set_no",
                "status",
                "started_at",
                "finished_at",
            ],
            select(
                QueueTicket.campaign_id,
                QueueTicket.id,
                QueueTicket.resident_id,
                QueueTicket.site_code,
                QueueTicket.tanggal,
                literal(1, Integer),
                literal("completed", String),
                stamp,
                stamp,
            ).where(QueueTicket.tanggal == day, ~QueueTicket.id.in_(select(Recording.ticket_id))),
        )
    )
    before = set(session.scalars(select(Card.id)))
    session.execute(
        insert(Card).from_select(
            [
                "resident_id",
                "recording_id",
                "kode_kecamatan",
                "kode_kelurahan",
                "site_code",
                "recorded_on",
                "state",
                "state_since",
                "reprints",
            ],
            select(
                Recording.resident_id,
                Recording.id,
                func.substr(Resident.kode_kelurahan, 1, 8),
                Resident.kode_kelurahan,
                Recording.site_code,
                Recording.tanggal,
                literal("direkam", String),
                stamp,
                literal(0, Integer),
            )
            .join(Resident, Resident.id == Recording.resident_id)
            .where(~Recording.id.in_(select(Card.recording_id))),
        )
    )
    ids = sorted(set(session.scalars(select(Card.id))) - before)
    if not ids:
        return ids
    session.execute(
        insert(CardEvent),
        [
            {
                "card_id": card_id,
                "from_state": None,
                "to_state": "direkam",
                "event": "recorded",
                "at": at,
                "actor": "test",
            }
            for card_id in ids
        ],
    )
    opened = session.execute(
        select(Card.kode_kecamatan, func.count())
        .where(Card.id.in_(ids))
        .group_by(Card.kode_kecamatan)
    )
    transitions.add_to_stage_counts(
        session=session, deltas={(str(k), "direkam"): int(n) for k, n in opened}
    )
    return ids


def counters(session: Session) -> dict[tuple[str, str], int]:
    """Return the stage counters that are not zero."""
    rows = session.execute(
        select(CardStageCount.kode_kecamatan, CardStageCount.state, CardStageCount.cards)
    )
    return {(str(k), str(s)): int(n) for k, s, n in rows if n}


def grouped(session: Session) -> dict[tuple[str, str], int]:
    """Return the same figures counted from the cards (GROUP BY)."""
    rows = session.execute(
        select(Card.kode_kecamatan, Card.state, func.count()).group_by(
            Card.kode_kecamatan, Card.state
        )
    )
    return {(str(k), str(s)): int(n) for k, s, n in rows}


def walk(
    session: Session, card_ids: Sequence[int], path: Sequence[str], at: dt.datetime, actor: str
) -> None:
    """Move ``card_ids`` along ``path`` (each step one set-wise move), an hour per step."""
    for step, state in enumerate(path):
        transitions.move(
            session=session,
            card_ids=card_ids,
            to_state=state,
            at=at + dt.timedelta(hours=step),
            actor=actor,
            ref=f"test:{state}",
        )

"""Keeping ``progress_rt_days``: one set-wise INSERT .. SELECT when a site's day closes.

Called by ``recording.closing.close_day`` once per site and day (inside the block that
claims the day's report row, so a second closing writes nothing). Functions take a
keyword-only ``session`` and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    case,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ektp.monitoring.models import ProgressRtDay
from ektp.recording.models import QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.scheduling.models import Invitation
from ektp.sites.capacity import SessionTemplate

EVENING_FROM = dt.time(16, 0)
"""Sessions starting at or after this hour are the evening (malam) service."""
ATTENDED = ("attended", "completed")
MISSED = "missed"
_COLUMNS = ("recorded", "failed", "walk_ins", "evening", "invited", "missed")


def evening_sessions(templates: Sequence[SessionTemplate]) -> list[str]:
    """Return the names of the evening sessions among ``templates``."""
    return [template.name for template in templates if template.start >= EVENING_FROM]


def _one(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def record_closed_day(
    *,
    session: Session,
    campaign_id: int,
    site_code: str,
    tanggal: dt.date,
    evening: Sequence[str],
) -> int:
    """Return how many RT rows were written for a site's closed day.

    Recordings are counted by the ticket's site and day, turns by the invitation's; a turn
    counts as missed when its resident did not check in at the site that day (a failed
    recording is a visit, not a missed turn).
    """
    completed = Recording.status == "completed"
    recordings = (
        select(
            Resident.kode_kelurahan.label("kel"),
            Resident.rw.label("rw"),
            Resident.rt.label("rt"),
            _one(completed).label("recorded"),
            _one(Recording.status == "failed").label("failed"),
            _one(completed & (QueueTicket.kind == "walk_in")).label("walk_ins"),
            _one(completed & QueueTicket.session.in_(list(evening))).label("evening"),
            literal(0, Integer).label("invited"),
            literal(0, Integer).label("missed"),
        )
        .select_from(Recording)
        .join(QueueTicket, QueueTicket.id == Recording.ticket_id)
        .join(Resident, Resident.id == Recording.resident_id)
        .where(QueueTicket.site_code == site_code, QueueTicket.tanggal == tanggal)
        .group_by(Resident.kode_kelurahan, Resident.rw, Resident.rt)
    )
    came = (
        select(QueueTicket.id)
        .where(
            QueueTicket.site_code == site_code,
            QueueTicket.tanggal == tanggal,
            QueueTicket.resident_id == Invitation.resident_id,
        )
        .exists()
    )
    due = Invitation.status.in_([*ATTENDED, MISSED])
    turns = (
        select(
            Resident.kode_kelurahan.label("kel"),
            Resident.rw.label("rw"),
            Resident.rt.label("rt"),
            literal(0, Integer).label("recorded"),
            literal(0, Integer).label("failed"),
            literal(0, Integer).label("walk_ins"),
            literal(0, Integer).label("evening"),
            _one(due).label("invited"),
            _one((Invitation.status == MISSED) & ~came).label("missed"),
        )
        .select_from(Invitation)
        .join(Resident, Resident.id == Invitation.resident_id)
        .where(Invitation.site_code == site_code, Invitation.tanggal == tanggal)
        .group_by(Resident.kode_kelurahan, Resident.rw, Resident.rt)
    )
    both = union_all(recordings, turns).subquery()
    summed = select(
        literal(campaign_id, Integer),
        literal(site_code, String),
        literal(tanggal, Date),
        func.substr(both.c.kel, 1, 8),
        both.c.kel,
        both.c.rw,
        both.c.rt,
        *(func.sum(both.c[name]) for name in _COLUMNS),
    ).group_by(both.c.kel, both.c.rw, both.c.rt)
    result = session.execute(
        insert(ProgressRtDay).from_select(
            [
                "campaign_id",
                "site_code",
                "tanggal",
                "kode_kecamatan",
                "kode_kelurahan",
                "rw",
                "rt",
                *_COLUMNS,
            ],
            summed,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]

"""The figures a closing freezes: who missed, who walked in, the recordings with their times,
the sets working; and the report row they fill. Functions read, never write, except
``freeze``, which fills a report row in the session.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.recording import reports
from ektp.recording.models import DailyReport, EquipmentSet, QueueTicket, Recording
from ektp.recording.reports import RecordingTimes
from ektp.scheduling.campaigns import utc
from ektp.scheduling.models import Campaign, Invitation
from ektp.scheduling.schemas import CloseResult
from ektp.sites import capacity
from ektp.sites.capacity import Site


def failed_residents(
    session: Session, site_code: str, tanggal: dt.date, session_name: str | None
) -> set[int]:
    """Return the residents whose recording failed at the site that day (or session)."""
    query = select(QueueTicket.resident_id).where(
        QueueTicket.site_code == site_code,
        QueueTicket.tanggal == tanggal,
        QueueTicket.status == "failed",
    )
    if session_name is not None:
        query = query.where(QueueTicket.session == session_name)
    return set(session.execute(query).scalars())


def missed_on_day(session: Session, site_code: str, tanggal: dt.date) -> int:
    """Return the residents who missed a turn at the site on the day, each counted once.

    Someone absent in the morning may be re-invited for the same evening and miss it too:
    two missed turns, one resident missing the day.
    """
    missed = set(
        session.execute(
            select(Invitation.resident_id).where(
                Invitation.site_code == site_code,
                Invitation.tanggal == tanggal,
                Invitation.status == "missed",
            )
        ).scalars()
    )
    return len(missed - failed_residents(session, site_code, tanggal, None))


def missed_count(closed: CloseResult, failed: set[int]) -> int:
    """Return the invitees counted missed: absent or gone home, not those whose recording
    failed (they came; the schedule re-invites them all the same)."""
    absent = {turn.resident_id for turn in closed.reinvited}
    absent.update(closed.follow_up, closed.not_reinvited)
    return len(absent - failed)


def recordings_at(
    session: Session, site_code: str, tanggal: dt.date, session_name: str | None
) -> list[RecordingTimes]:
    """Return the recordings taken at the site that day (or session), with their times."""
    query = (
        select(Recording.set_no, Recording.status, Recording.started_at, Recording.finished_at)
        .join(QueueTicket, QueueTicket.id == Recording.ticket_id)
        .where(QueueTicket.site_code == site_code, QueueTicket.tanggal == tanggal)
    )
    if session_name is not None:
        query = query.where(QueueTicket.session == session_name)
    return [
        RecordingTimes(
            set_no=int(set_no),
            status=str(status),
            started=utc(started),
            finished=None if finished is None else utc(finished),
        )
        for set_no, status, started, finished in session.execute(query)
    ]


def walk_ins(session: Session, site_code: str, tanggal: dt.date, session_name: str) -> int:
    """Return how many walk-ins the session took."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(QueueTicket)
            .where(
                QueueTicket.site_code == site_code,
                QueueTicket.tanggal == tanggal,
                QueueTicket.session == session_name,
                QueueTicket.kind == "walk_in",
            )
        )
        or 0
    )


def set_numbers(session: Session, campaign: Campaign, site: Site, tanggal: dt.date) -> list[int]:
    """Return the numbers of the sets working at closing (1..N when none are registered)."""
    working = capacity.sets_working(site, tanggal)
    registered = list(
        session.execute(
            select(EquipmentSet.set_no)
            .where(
                EquipmentSet.campaign_id == campaign.id,
                EquipmentSet.site_code == site.code,
                EquipmentSet.status == "working",
            )
            .order_by(EquipmentSet.set_no)
        ).scalars()
    )
    return registered[:working] if registered else list(range(1, working + 1))


def freeze(
    row: DailyReport,
    figures: reports.SiteFigures,
    *,
    walk_ins: int,
    missed: int,
) -> None:
    """Fill the report row with the closing's figures."""
    row.recorded = figures.recorded
    row.failed = figures.failed
    row.walk_ins = walk_ins
    row.missed = missed
    row.mean_minutes = figures.mean_minutes
    row.idle_minutes = figures.idle_minutes
    row.per_set = json.dumps([figures.as_dict() for figures in figures.per_set])

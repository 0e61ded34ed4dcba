"""Closing a session or a day at a site: absent invitees become missed and are re-invited, the
queue left at closing goes home, and the figures are frozen into ``daily_reports``.

Closing twice is harmless: the report row is claimed first with ``INSERT ... ON CONFLICT DO
NOTHING`` on its UNIQUE (site, date, session), so the second closing (even a concurrent one,
which waits for the first to commit) claims nothing and gets the frozen report back, unchanged;
nothing is re-invited twice. Functions take a keyword-only ``session`` and never commit.
The reading side (``daily_report``, the closed days) lives in ``daily`` and is re-exported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, DateTime, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from ektp.monitoring import aggregation
from ektp.recording import closing_figures, reports
from ektp.recording.daily import DAY, closed_days, daily_report, last_closed_day
from ektp.recording.models import DailyReport, QueueTicket, Recording
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import (
    WIB,
    campaign_definition,
    require_campaign,
    site_of,
    utc,
)
from ektp.scheduling.errors import ScheduleError
from ektp.scheduling.models import Campaign
from ektp.sites import capacity
from ektp.sites.capacity import SessionTemplate, Site

OPEN_TICKETS = ("waiting", "called")
LEFT = "left"


class ClosingError(ScheduleError):
    """Raised when a session or day cannot be closed (no such session, a set still
    recording)."""


def _sessions_of_day(definition: Definition, site: Site, tanggal: dt.date) -> list[SessionTemplate]:
    if site.closed_dates and tanggal in site.closed_dates:
        return []
    if definition.closed.is_closed(tanggal):
        return []
    ordered = sorted(site.sessions, key=lambda template: template.start)
    return [template for template in ordered if tanggal.weekday() in template.weekdays]


def _template(
    definition: Definition, site: Site, tanggal: dt.date, session_name: str
) -> SessionTemplate:
    for template in _sessions_of_day(definition, site, tanggal):
        if template.name == session_name:
            return template
    raise ClosingError(f"{site.code} has no session {session_name!r} on {tanggal.isoformat()}")


def _existing(session: Session, site_code: str, tanggal: dt.date, name: str) -> DailyReport | None:
    return session.execute(
        select(DailyReport).where(
            DailyReport.site_code == site_code,
            DailyReport.tanggal == tanggal,
            DailyReport.session == name,
        )
    ).scalar_one_or_none()


_CLAIM_SQL = text(
    "INSERT INTO daily_reports (campaign_id, site_code, kode_kecamatan, tanggal, session, "
    "recorded, failed, walk_ins, missed, mean_minutes, idle_minutes, target, sets_working, "
    "per_set, closed_at, closed_by) VALUES (:campaign, :site, :kecamatan, :tanggal, :session, "
    "0, 0, 0, 0, NULL, 0, :target, :sets, '[]', :at, :by) "
    "ON CONFLICT (site_code, tanggal, session) DO NOTHING"
).bindparams(bindparam("at", type_=DateTime(timezone=True)))


def _claim(
    session: Session,
    campaign: Campaign,
    definition: Definition,
    site: Site,
    tanggal: dt.date,
    name: str,
    now: dt.datetime,
    by: str | None,
) -> bool:
    """Return whether this closing claimed the report row (False: it was closed already)."""
    result = session.execute(
        _CLAIM_SQL,
        {
            "campaign": campaign.id,
            "site": site.code,
            "kecamatan": site.kecamatan,
            "tanggal": tanggal,
            "session": name,
            "target": definition.target_per_kecamatan_per_day or 0,
            "sets": capacity.sets_working(site, tanggal),
            "at": utc(now),
            "by": by,
        },
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _check_no_set_recording(
    session: Session, site_code: str, tanggal: dt.date, session_name: str
) -> None:
    running = session.execute(
        select(Recording.set_no, QueueTicket.number)
        .join(QueueTicket, QueueTicket.id == Recording.ticket_id)
        .where(
            QueueTicket.site_code == site_code,
            QueueTicket.tanggal == tanggal,
            QueueTicket.session == session_name,
            Recording.status == "in_progress",
        )
        .order_by(Recording.set_no)
    ).all()
    if running:
        busy = ", ".join(f"set {set_no} (number {number})" for set_no, number in running)
        raise ClosingError(
            f"{session_name} at {site_code} cannot close while {busy} is still recording; "
            "complete or fail that recording first"
        )


def _open_tickets(site_code: str, tanggal: dt.date, session_name: str) -> list[ColumnElement[bool]]:
    """Return the conditions of a session's tickets still in the queue (no recording yet)."""
    started = select(Recording.ticket_id).where(Recording.ticket_id == QueueTicket.id).exists()
    return [
        QueueTicket.site_code == site_code,
        QueueTicket.tanggal == tanggal,
        QueueTicket.session == session_name,
        QueueTicket.status.in_(OPEN_TICKETS),
        ~started,
    ]


def _check_queue_empty(
    session: Session, site_code: str, tanggal: dt.date, session_name: str
) -> None:
    waiting = session.scalar(
        select(func.count())
        .select_from(QueueTicket)
        .where(*_open_tickets(site_code, tanggal, session_name))
    )
    if waiting:
        raise ClosingError(
            f"{waiting} residents of {session_name} at {site_code} are still in the queue; "
            "close the session once they are served, or close the whole day (the queue "
            "left at the end of the day goes home and is re-invited)"
        )


def _send_queue_home(session: Session, site_code: str, tanggal: dt.date, session_name: str) -> int:
    """Return how many tickets still waiting (or called, never started) became ``left``."""
    result = session.execute(
        update(QueueTicket)
        .where(*_open_tickets(site_code, tanggal, session_name))
        .values(status=LEFT)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def close_session(
    *,
    session: Session,
    site_code: str,
    tanggal: dt.date,
    session_name: str,
    now: dt.datetime,
    by: str | None = None,
    send_queue_home: bool = False,
) -> DailyReport:
    """Return the frozen report of one session at a site, closing it on first call.

    Closing refuses while a set still records one of the session's residents, and while
    residents of the session still wait, unless ``send_queue_home``: their tickets become
    ``left``. Invitees who did not come (or left) become ``missed`` and are re-invited by
    the schedule. A second call returns the report frozen by the first and changes nothing.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    template = _template(definition, site, tanggal, session_name)
    found = _existing(session, site.code, tanggal, session_name)
    if found is not None:
        return found
    _check_no_set_recording(session, site.code, tanggal, session_name)
    if not send_queue_home:
        _check_queue_empty(session, site.code, tanggal, session_name)
    if not _claim(session, campaign, definition, site, tanggal, session_name, now, by):
        # Closed meanwhile by a concurrent request, which this one waited for.
        found = _existing(session, site.code, tanggal, session_name)
        assert found is not None
        return found
    if send_queue_home:
        _send_queue_home(session, site.code, tanggal, session_name)
    closed = scheduling.close_session(
        session=session,
        site_code=site.code,
        tanggal=tanggal,
        session_name=session_name,
        now=now,
        by=by,
    )
    window = reports.session_window(tanggal, template.start, template.end, WIB)
    figures = reports.site_figures(
        closing_figures.recordings_at(session, site.code, tanggal, session_name),
        windows=[window],
        set_numbers=closing_figures.set_numbers(session, campaign, site, tanggal),
        closed_at=utc(now),
        busy=closing_figures.recordings_at(session, site.code, tanggal, None),
    )
    row = _existing(session, site.code, tanggal, session_name)
    assert row is not None
    closing_figures.freeze(
        row,
        figures,
        walk_ins=closing_figures.walk_ins(session, site.code, tanggal, session_name),
        missed=closing_figures.missed_count(
            closed, closing_figures.failed_residents(session, site.code, tanggal, session_name)
        ),
    )
    session.flush()
    return row


def close_day(
    *,
    session: Session,
    site_code: str,
    tanggal: dt.date,
    now: dt.datetime,
    by: str | None = None,
) -> list[DailyReport]:
    """Return the frozen reports of a site's day: one per session, then the day's (``hari``).

    Sessions not closed yet are closed first (see ``close_session``), the queue still
    waiting going home; the day's row sums them, with its mean minutes and idle minutes
    taken over all the day's open hours. A second call returns the same rows and changes
    nothing.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    templates = _sessions_of_day(definition, site, tanggal)
    if not templates:
        raise ClosingError(f"{site.code} has no session on {tanggal.isoformat()}")
    closed = [
        close_session(
            session=session,
            site_code=site.code,
            tanggal=tanggal,
            session_name=template.name,
            now=now,
            by=by,
            send_queue_home=True,
        )
        for template in templates
    ]
    if _claim(session, campaign, definition, site, tanggal, DAY, now, by):
        windows = [
            reports.session_window(tanggal, template.start, template.end, WIB)
            for template in templates
        ]
        figures = reports.site_figures(
            closing_figures.recordings_at(session, site.code, tanggal, None),
            windows=windows,
            set_numbers=closing_figures.set_numbers(session, campaign, site, tanggal),
            closed_at=utc(now),
        )
        row = _existing(session, site.code, tanggal, DAY)
        assert row is not None
        closing_figures.freeze(
            row,
            figures,
            walk_ins=sum(report.walk_ins for report in closed),
            missed=closing_figures.missed_on_day(session, site.code, tanggal),
        )
        session.flush()
        # The dashboards' per-RT counts of the day, written once with the day's report.
        aggregation.record_closed_day(
            session=session,
            campaign_id=campaign.id,
            site_code=site.code,
            tanggal=tanggal,
            evening=aggregation.evening_sessions(templates),
        )
    day = _existing(session, site.code, tanggal, DAY)
    assert day is not None
    return [*closed, day]


__all__ = [
    "DAY",
    "ClosingError",
    "close_day",
    "close_session",
    "closed_days",
    "daily_report",
    "last_closed_day",
]

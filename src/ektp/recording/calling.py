"""Calling numbers to the sets, and the queue as the waiting room and the operator see it.

Functions take a keyword-only ``session`` and never commit. Two operators calling at once
never get the same ticket: a number is called by a conditional UPDATE that only one of them
can win, and the other moves on to the next number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from ektp.recording import queue
from ektp.recording.equipment import ensured_site_sets, lock_site, site_sets
from ektp.recording.models import QueueTicket
from ektp.recording.queue import QueueError, QueueState
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import WIB, campaign_definition, site_calendar, site_of, utc
from ektp.scheduling.models import LIVE_STATUSES, Campaign, Invitation
from ektp.sites.calendar import SessionCalendar
from ektp.sites.capacity import Site

_TAKEN = (*LIVE_STATUSES, "attended")
"""Invitation states that hold a place in their session (the attended have had theirs)."""
_CALL_TRIES = 100
# Built once: every screen refresh runs it, and building a select cost more than running it.
_DAY_TICKETS = select(
    QueueTicket.number,
    QueueTicket.session,
    QueueTicket.kind,
    QueueTicket.status,
    QueueTicket.set_no,
    QueueTicket.called_at,
).where(QueueTicket.site_code == bindparam("site"), QueueTicket.tanggal == bindparam("day"))


def site_context(
    session: Session, site_code: str, now: dt.datetime
) -> tuple[Campaign, Definition, Site, dt.date]:
    """Return the active campaign, its definition, the site and the campaign's today."""
    campaign = scheduling.require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    return (
        campaign,
        definition,
        site_of(definition, site_code),
        scheduling.campaign_today(campaign, now),
    )


def day_windows(definition: Definition, site: Site, day: dt.date) -> list[queue.SessionWindow]:
    """Return the sessions the site opens on ``day`` (none on a closed day)."""
    calendar = site_calendar(definition, site, day, day)
    templates = {template.name: template for template in site.sessions}
    return [
        queue.SessionWindow(name, templates[name].start, templates[name].end)
        for name in calendar.names
        if name in templates
    ]


def walk_in_rooms(
    session: Session,
    campaign_id: int,
    site: Site,
    calendar: SessionCalendar,
    first: int,
    today: dt.date,
) -> list[tuple[dt.date, str, int]]:
    """Return (day, session, walk-in room) of the calendar's sessions from ``first`` on."""
    if first >= len(calendar):
        return []
    last_day = calendar.days[-1]
    booked: dict[tuple[dt.date, str], int] = defaultdict(int)
    rows = session.execute(
        select(Invitation.tanggal, Invitation.session, func.count())
        .where(
            Invitation.campaign_id == campaign_id,
            Invitation.site_code == site.code,
            Invitation.tanggal >= calendar.days[first],
            Invitation.tanggal <= last_day,
            Invitation.status.in_(_TAKEN),
        )
        .group_by(Invitation.tanggal, Invitation.session)
    ).all()
    for day, name, count in rows:
        booked[(day, name)] += int(count)
    walk_ins = dict(
        session.execute(
            select(QueueTicket.session, func.count())
            .where(
                QueueTicket.site_code == site.code,
                QueueTicket.tanggal == today,
                QueueTicket.kind == "walk_in",
            )
            .group_by(QueueTicket.session)
        ).all()
    )
    return [
        (
            calendar.days[at],
            calendar.names[at],
            queue.walk_in_room(
                reserve=int(calendar.reserve[at]),
                bookable=int(calendar.bookable[at]),
                booked=booked.get((calendar.days[at], calendar.names[at]), 0),
                walk_ins=int(walk_ins.get(calendar.names[at], 0))
                if calendar.days[at] == today
                else 0,
            ),
        )
        for at in range(first, len(calendar))
    ]


def _latest_call(session: Session, site_code: str, day: dt.date, set_no: int) -> QueueTicket | None:
    return session.execute(
        select(QueueTicket)
        .where(
            QueueTicket.site_code == site_code,
            QueueTicket.tanggal == day,
            QueueTicket.set_no == set_no,
            QueueTicket.called_at.is_not(None),
        )
        .order_by(QueueTicket.called_at.desc(), QueueTicket.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def call_next(
    *,
    session: Session,
    site_code: str,
    set_no: int,
    now: dt.datetime,
    by: str | None,
    after: int | None = None,
) -> QueueTicket | None:
    """Return the ticket now called to set ``set_no``, or None when nobody waits.

    Tickets of sessions that have started go first, by number. Two operators calling at
    once never get the same ticket: the UPDATE only changes a ticket still ``waiting``, and
    whoever finds it taken tries the next one.

    ``after`` is the number the caller saw last called to this set (0: none yet). When the
    set has called another since, this call is a repeat (a double click, a resent form):
    it calls nobody new and returns the set's latest ticket.
    """
    campaign, definition, site, today = site_context(session, site_code, now)
    sets = dict(
        ensured_site_sets(session=session, campaign=campaign, site=site, day=today, now=now)
    )
    if set_no not in sets:
        raise queue.UnknownSetError(f"{site.name or site.code} has no set {set_no} today")
    if sets[set_no] != "working":
        raise QueueError(f"set {set_no} is marked {sets[set_no]}; mark it working first")
    if after is not None:
        lock_site(session=session, campaign_id=campaign.id, site_code=site.code, set_no=set_no)
        latest = _latest_call(session, site.code, today, set_no)
        if (0 if latest is None else latest.number) != after:
            return latest
    started = queue.started_sessions(
        day_windows(definition, site, today), queue.local_time(now, WIB)
    )
    order = case((QueueTicket.session.in_(sorted(started)), 0), else_=1)
    for _ in range(_CALL_TRIES):
        candidate = session.scalar(
            select(QueueTicket.id)
            .where(
                QueueTicket.site_code == site.code,
                QueueTicket.tanggal == today,
                QueueTicket.status == "waiting",
            )
            .order_by(order, QueueTicket.number)
            .limit(1)
        )
        if candidate is None:
            return None
        result = cast(
            CursorResult[Any],
            session.execute(
                update(QueueTicket)
                .where(QueueTicket.id == candidate, QueueTicket.status == "waiting")
                .values(status="called", set_no=set_no, called_at=utc(now), called_by=by)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount == 1:
            return session.get(QueueTicket, candidate, populate_existing=True)
    raise QueueError("the queue is too busy to call a number; try again")


def queue_state(
    *, session: Session, site_code: str, tanggal: dt.date, now: dt.datetime
) -> QueueState:
    """Return the site's queue on ``tanggal``: waiting numbers in calling order with their
    estimated minutes, the last number called to each set, the walk-in room left now.
    """
    campaign = scheduling.require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    sets = site_sets(session=session, campaign_id=campaign.id, site=site, day=tanggal)
    rows = session.execute(_DAY_TICKETS, {"site": site.code, "day": tanggal}).all()
    windows = day_windows(definition, site, tanggal)
    at = queue.local_time(now, WIB)
    waiting = {
        number: (name, kind) for number, name, kind, status, _, _ in rows if status == "waiting"
    }
    order = queue.call_order(
        ((n, s) for n, (s, _) in waiting.items()), queue.started_sessions(windows, at)
    )
    calls: dict[int, list[dt.datetime]] = defaultdict(list)
    last: dict[int, tuple[dt.datetime, int]] = {}
    for number, _, _, _, set_no, called_at in rows:
        if set_no is None or called_at is None:
            continue
        calls[set_no].append(called_at)
        if set_no not in last or called_at >= last[set_no][0]:
            last[set_no] = (called_at, number)
    working = sum(1 for _, status in sets if status == "working")
    minutes = queue.service_minutes(calls, default=site.minutes_per_person)
    arriving = queue.session_for_arrival(windows, at)
    room = 0
    if arriving is not None:
        calendar = site_calendar(definition, site, tanggal, tanggal)
        first = calendar.index_of(tanggal, arriving.name)
        if first >= 0:
            room = walk_in_rooms(session, campaign.id, site, calendar, first, tanggal)[0][2]
    return QueueState(
        site_code=site.code,
        site_name=site.name or site.code,
        tanggal=tanggal,
        session=None if arriving is None else arriving.name,
        waiting=[
            queue.WaitingTicket(
                number=number,
                display=queue.display_number(number),
                session=waiting[number][0],
                kind=waiting[number][1],
                minutes=queue.estimated_wait_minutes(position, minutes, working),
            )
            for position, number in enumerate(order)
        ],
        sets=[
            queue.SetView(
                set_no=set_no,
                status=status,
                number=last[set_no][1] if set_no in last else None,
                display=queue.display_number(last[set_no][1]) if set_no in last else None,
                called_at=last[set_no][0] if set_no in last else None,
            )
            for set_no, status in sets
        ],
        sets_working=working,
        minutes_per_person=round(minutes, 1),
        estimated_wait_minutes=queue.estimated_wait_minutes(len(order), minutes, working),
        walk_in_room=room,
        served=sum(1 for row in rows if row[3] != "waiting"),
    )

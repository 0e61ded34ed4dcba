"""Check-in at the door: a ticket per resident, site and day, numbered in arrival order.

This module also gathers the queue's use cases (``call_next``, ``queue_state`` from
``calling``; ``set_status``, ``ensure_equipment_sets`` from ``equipment``) under one name.
Functions take a keyword-only ``session`` and never commit. Two check-ins at once are safe:
at one site they take the site's lock (``equipment.lock_site``) before they number a ticket
or count the walk-in reserve, and the database's unique constraints back that up.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ektp.recording import queue
from ektp.recording.calling import call_next, day_windows, queue_state, site_context, walk_in_rooms
from ektp.recording.equipment import ensure_equipment_sets, lock_site, set_status
from ektp.recording.models import QueueTicket, Recording
from ektp.recording.queue import CheckInRefused, CheckInResult, QueueError, QueueState
from ektp.residents.eligibility import is_wajib_ktp
from ektp.residents.models import Resident
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import WIB, site_calendar, utc
from ektp.scheduling.models import LIVE_STATUSES, Campaign, Invitation
from ektp.sites.capacity import Site

__all__ = [
    "CheckInRefused",
    "CheckInResult",
    "QueueState",
    "call_next",
    "check_in",
    "ensure_equipment_sets",
    "queue_state",
    "set_status",
]

WALK_IN_HORIZON = dt.timedelta(days=62)
"""How far ahead a refused walk-in is told the next session with room in its reserve."""
_NIK = re.compile(r"^\d{16}$")
_NUMBER_TRIES = 100


def _same_code(given: str, expected: str) -> bool:
    # Constant time, so that response times do not reveal how much of a code was right.
    return secrets.compare_digest(given.strip().upper().encode(), expected.upper().encode())


def _identify(
    session: Session, qr: str | None, nik: str | None, attendance_code: str | None
) -> tuple[Resident, bool]:
    """Return the resident a letter's QR code or a typed NIK (and code) names, and whether a
    letter's code proved it (a typed NIK alone does not).
    """
    if qr:
        try:
            invitation_id, code = queue.parse_qr(qr)
        except ValueError as error:
            raise CheckInRefused(str(error), reason="bad_qr") from None
        invitation = session.get(Invitation, invitation_id)
        if invitation is None:
            raise CheckInRefused(f"no letter number {invitation_id} exists", reason="unknown")
        if not _same_code(code, invitation.attendance_code):
            raise CheckInRefused(
                "the code in this QR does not match its letter; type the NIK instead",
                reason="wrong_code",
            )
        resident = session.get(Resident, invitation.resident_id)
        assert resident is not None
        return resident, True
    typed = (nik or "").strip()
    if not _NIK.match(typed):
        raise CheckInRefused("scan the letter's QR code or type a 16-digit NIK", reason="bad_qr")
    found = session.execute(select(Resident).where(Resident.nik == typed)).scalar_one_or_none()
    if found is None:
        raise CheckInRefused(f"NIK {typed} is not in the registry", reason="unknown")
    if not (attendance_code and attendance_code.strip()):
        return found, False
    codes = session.execute(
        select(Invitation.attendance_code).where(Invitation.resident_id == found.id)
    ).scalars()
    # Any of the resident's letters proves who they are: a moved or re-invited turn comes
    # with a new letter, and people bring the old one. Every code is compared (a list, not
    # a generator) so that the time taken does not tell which one matched.
    if not any([_same_code(attendance_code, code) for code in codes]):
        raise CheckInRefused(
            "the attendance code does not match this NIK's letter; check the code, or "
            "check in with the NIK alone as a walk-in",
            reason="wrong_code",
        )
    return found, True


def _ticket_of(
    session: Session, site_code: str, day: dt.date, resident_id: int
) -> QueueTicket | None:
    return session.execute(
        select(QueueTicket).where(
            QueueTicket.site_code == site_code,
            QueueTicket.tanggal == day,
            QueueTicket.resident_id == resident_id,
        )
    ).scalar_one_or_none()


def _result(ticket: QueueTicket, *, already: bool) -> CheckInResult:
    return CheckInResult(
        ticket_id=ticket.id,
        number=ticket.number,
        display=queue.display_number(ticket.number),
        kind=ticket.kind,
        session_name=ticket.session,
        resident_id=ticket.resident_id,
        site_code=ticket.site_code,
        tanggal=ticket.tanggal,
        already=already,
    )


def _walk_in_session(
    session: Session,
    campaign: Campaign,
    definition: Definition,
    site: Site,
    today: dt.date,
    now: dt.datetime,
    turn_today: str | None,
) -> str:
    """Return the session whose reserve takes a walk-in now, or refuse with the next one.

    ``turn_today`` names the session of a turn today that the resident could not prove
    (no code): the refusal then says that the letter's code would do.
    """
    calendar = site_calendar(definition, site, today, today + WALK_IN_HORIZON)
    arriving = queue.session_for_arrival(
        day_windows(definition, site, today), queue.local_time(now, WIB)
    )
    if arriving is not None:
        first = calendar.index_of(today, arriving.name)
    else:
        first = calendar.first_index_on_or_after(today + dt.timedelta(days=1))
    rooms = walk_in_rooms(session, campaign.id, site, calendar, first, today)
    if arriving is not None and rooms and rooms[0][2] > 0:
        return arriving.name
    later = queue.first_with_room(rooms[1:] if arriving is not None else rooms)
    where = site.name or site.code
    if arriving is None:
        message = f"{where} has closed for today; come back in a session with room"
        reason = "closed"
    else:
        message = f"the walk-in reserve of {arriving.name} at {where} is full today"
        reason = "full"
    if later is not None:
        message += f": the next with room is {later[1]} on {later[0].isoformat()}"
    if turn_today is not None:
        message += f". This NIK has a turn today ({turn_today}): enter the code from the letter"
    raise CheckInRefused(message, later, reason=reason)


def _insert_ticket(session: Session, values: dict[str, Any]) -> int | None:
    """Return the new ticket's id, or None when a unique constraint said no (a number or
    the resident's ticket of the day taken by a concurrent check-in).
    """
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        make(QueueTicket).values(**values).on_conflict_do_nothing().returning(QueueTicket.id)
    )
    found = session.execute(statement).scalar_one_or_none()
    return None if found is None else int(found)


def check_in(
    *,
    session: Session,
    site_code: str,
    now: dt.datetime,
    by: str | None,
    qr: str | None = None,
    nik: str | None = None,
    attendance_code: str | None = None,
) -> CheckInResult:
    """Return the resident's ticket for today at the site, numbered in arrival order.

    The resident is named by the letter's QR (``EKTP:<invitation id>:<code>``) or by NIK,
    with the letter's code or (walk-ins) without. A turn today at this site gives an
    ``invited`` (or ``reinvited``) ticket for its session; anyone else of the site's area is
    a walk-in, taken while the reserve of the session running (or next) lasts. Checking in
    twice on one day returns the first ticket. Raises CheckInRefused, saying why and, when
    the reserve is full, the next session with room.
    """
    campaign, definition, site, today = site_context(session, site_code, now)
    resident, proven = _identify(session, qr, nik, attendance_code)
    serving = definition.site_for_kelurahan(resident.kode_kelurahan)
    if serving is None or serving.code != site.code:
        elsewhere = "no recording site" if serving is None else (serving.name or serving.code)
        raise CheckInRefused(
            f"this resident is served by {elsewhere}, not {site.name or site.code}; "
            "they must check in there",
            reason="other_site",
        )
    ensure_equipment_sets(session=session, campaign=campaign, site_code=site.code, now=now)
    lock_site(session=session, campaign_id=campaign.id, site_code=site.code)
    existing = _ticket_of(session, site.code, today, resident.id)
    if existing is not None:
        return _result(existing, already=True)
    if not is_wajib_ktp(resident.tanggal_lahir, resident.status_kawin, today):
        raise CheckInRefused(
            "this resident is not wajib KTP yet (under 17, never married)", reason="not_wajib"
        )
    recorded = session.execute(
        select(Recording.tanggal).where(
            Recording.resident_id == resident.id, Recording.status == "completed"
        )
    ).scalar_one_or_none()
    if recorded is not None:
        raise CheckInRefused(
            f"this resident was already recorded on {recorded.isoformat()}", reason="recorded"
        )
    turn = session.execute(
        select(Invitation).where(
            Invitation.resident_id == resident.id,
            Invitation.campaign_id == campaign.id,
            Invitation.status.in_(LIVE_STATUSES),
        )
    ).scalar_one_or_none()
    here_today = turn is not None and turn.site_code == site.code and turn.tanggal == today
    # The letter's code is what shows the turn is theirs; without it they queue as walk-ins.
    kind = queue.ticket_kind(
        turn_today_here=here_today and proven, misses=turn.misses if turn else 0
    )
    session_name = turn.session if here_today and proven and turn else None
    if session_name is None:
        hint = turn.session if here_today and turn else None
        session_name = _walk_in_session(session, campaign, definition, site, today, now, hint)
    for _ in range(_NUMBER_TRIES):
        highest = session.scalar(
            select(func.max(QueueTicket.number)).where(
                QueueTicket.site_code == site.code, QueueTicket.tanggal == today
            )
        )
        number = queue.next_number(highest)
        ticket_id = _insert_ticket(
            session,
            {
                "campaign_id": campaign.id,
                "site_code": site.code,
                "tanggal": today,
                "session": session_name,
                "number": number,
                "resident_id": resident.id,
                # A walk-in's turn of another day is closed when they are recorded today.
                "invitation_id": turn.id if turn else None,
                "kind": kind,
                "status": "waiting",
                "checked_in_at": utc(now),
            },
        )
        if ticket_id is not None:
            return CheckInResult(
                ticket_id=ticket_id,
                number=number,
                display=queue.display_number(number),
                kind=kind,
                session_name=session_name,
                resident_id=resident.id,
                site_code=site.code,
                tanggal=today,
                already=False,
            )
        existing = _ticket_of(session, site.code, today, resident.id)
        if existing is not None:
            return _result(existing, already=True)
    raise QueueError("the queue is too busy to number a ticket; try again")

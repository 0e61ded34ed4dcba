"""A recording day for the desk tests: the small city planned, residents checked in at the door
and called to a set through the queue's own use cases.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.recording import capture_rules as rules
from ektp.recording import checkin
from ektp.recording.models import QueueTicket
from ektp.residents.models import Resident
from ektp.scheduling.models import Invitation

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
MONDAY = dt.date(2011, 10, 3)
MORNING = dt.datetime.combine(MONDAY, dt.time(8, 30), tzinfo=WIB).astimezone(dt.UTC)
"""08:30 in Palembang on the campaign's first day: the pagi session runs."""
SUKARAMI = "16.71.07"
IT2 = "16.71.06"


def invited(session: Session, site_code: str, day: dt.date = MONDAY) -> list[tuple[str, str, int]]:
    """Return (NIK, attendance code, invitation id) of the live turns at the site on ``day``."""
    rows = session.execute(
        select(Resident.nik, Invitation.attendance_code, Invitation.id)
        .join(Invitation, Invitation.resident_id == Resident.id)
        .where(
            Invitation.site_code == site_code,
            Invitation.tanggal == day,
            Invitation.status.in_(("planned", "letter_printed", "delivered")),
        )
        .order_by(Invitation.session, Invitation.id)
    )
    return [(str(nik), str(code), int(invitation)) for nik, code, invitation in rows]


def called_ticket(
    session: Session, site_code: str, set_no: int, *, now: dt.datetime = MORNING, skip: int = 0
) -> QueueTicket:
    """Return a ticket called to set ``set_no``: the ``skip``-th invited resident checked in."""
    nik, code, _ = invited(session, site_code)[skip]
    checkin.check_in(
        session=session, site_code=site_code, now=now, by="pintu", nik=nik, attendance_code=code
    )
    ticket = checkin.call_next(
        session=session, site_code=site_code, set_no=set_no, now=now, by="operator"
    )
    assert ticket is not None
    return ticket


def every_modality(quality: int = 90) -> list[tuple[str, int]]:
    """Return (modality, quality) for one good capture of each modality."""
    return [(modality, quality) for modality in rules.MODALITIES]

"""One turn at a time: attendance checked by its code, moves by staff or by the resident,
letters printed and delivered.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.residents.models import Resident
from ektp.scheduling.bulk import new_code, set_status
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import (
    campaign_definition,
    campaign_today,
    site_calendar,
    site_of,
    utc,
)
from ektp.scheduling.errors import AttendanceCodeError, NoRoomError, TurnNotFoundError
from ektp.scheduling.models import (
    LIVE_STATUSES,
    Campaign,
    Invitation,
    InvitationEvent,
)
from ektp.scheduling.schemas import TurnView

NO_SUCH_TURN = "no turn matches this NIK, birth date and attendance code"


def _same_code(given: str, expected: str) -> bool:
    # Constant time, so that response times do not reveal how much of a code was right.
    return secrets.compare_digest(given.strip().upper().encode(), expected.encode())


def _live_invitation(session: Session, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.status not in LIVE_STATUSES:
        raise TurnNotFoundError(f"invitation {invitation_id} holds no turn (unknown or closed)")
    return invitation


def _event(
    session: Session,
    invitation: Invitation,
    from_status: str | None,
    now: dt.datetime,
    by: str | None,
    note: str | None = None,
) -> None:
    session.add(
        InvitationEvent(
            invitation_id=invitation.id,
            at=utc(now),
            from_status=from_status,
            to_status=invitation.status,
            by=by,
            note=note,
        )
    )


def turn_view(*, session: Session, invitation: Invitation) -> TurnView:
    """Return an invitation as its holder sees it (site name, session times, code)."""
    campaign = session.get(Campaign, invitation.campaign_id)
    assert campaign is not None
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, invitation.site_code)
    template = next(s for s in definition.sessions if s.name == invitation.session)
    return TurnView(
        invitation_id=invitation.id,
        resident_id=invitation.resident_id,
        site_code=site.code,
        site_name=site.name or site.code,
        date=invitation.tanggal,
        session=invitation.session,
        start_time=template.start,
        end_time=template.end,
        attendance_code=invitation.attendance_code,
        status=invitation.status,
    )


def mark_attended(
    *,
    session: Session,
    invitation_id: int,
    attendance_code: str,
    now: dt.datetime,
    by: str | None,
) -> Invitation:
    """Return the invitation marked ``attended``, once its attendance code is the letter's.

    Raises AttendanceCodeError for a wrong code, so nobody is marked recorded by mistake.
    """
    invitation = _live_invitation(session, invitation_id)
    if not _same_code(attendance_code, invitation.attendance_code):
        raise AttendanceCodeError(
            f"the attendance code does not match invitation {invitation_id}; "
            "check the code printed on the letter"
        )
    before = invitation.status
    invitation.status = "attended"
    invitation.updated_at = utc(now)
    session.flush()
    _event(session, invitation, before, now, by)
    session.flush()
    return invitation


def mark_attended_in_person(
    *, session: Session, invitation_id: int, now: dt.datetime, by: str | None
) -> Invitation:
    """Return the invitation marked ``attended`` by staff who recorded the resident in person.

    No attendance code: the door already checked the letter (or took a walk-in), and the
    desk saw the person. Raises TurnNotFoundError when the turn is no longer live.
    """
    invitation = _live_invitation(session, invitation_id)
    before = invitation.status
    invitation.status = "attended"
    invitation.updated_at = utc(now)
    session.flush()
    _event(session, invitation, before, now, by)
    session.flush()
    return invitation


def _move(
    session: Session,
    definition: Definition,
    campaign: Campaign,
    invitation: Invitation,
    *,
    to_date: dt.date,
    to_session: str,
    now: dt.datetime,
    by: str | None,
    today: dt.date | None,
) -> TurnView:
    if to_date < (today or campaign_today(campaign, now)):
        raise NoRoomError(f"{to_date} has passed; choose a coming session")
    if (invitation.tanggal, invitation.session) == (to_date, to_session):
        raise NoRoomError("the turn is already in that session")
    site = site_of(definition, invitation.site_code)
    calendar = site_calendar(definition, site, to_date, to_date)
    at = calendar.index_of(to_date, to_session)
    if at < 0:
        raise NoRoomError(
            f"{site.name or site.code} has no session {to_session!r} on {to_date} "
            "(closed day, holiday, or unknown session)"
        )
    # Serialise moves on PostgreSQL, so two at once cannot both take the last free turn.
    session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    taken = session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.site_code == site.code,
            Invitation.tanggal == to_date,
            Invitation.session == to_session,
            Invitation.status.in_(LIVE_STATUSES),
        )
    )
    if int(taken or 0) >= int(calendar.bookable[at]):
        raise NoRoomError(f"no free turn left in {to_session} on {to_date}; choose another")
    before = invitation.status
    invitation.status = "moved"
    invitation.updated_at = utc(now)
    session.flush()
    note = f"to {to_date.isoformat()} {to_session}"
    _event(session, invitation, before, now, by, note)
    moved_to = Invitation(
        campaign_id=campaign.id,
        resident_id=invitation.resident_id,
        site_code=site.code,
        tanggal=to_date,
        session=to_session,
        attendance_code=new_code(),
        status="planned",
        misses=invitation.misses,
        plan_run_id=None,
        updated_at=utc(now),
    )
    session.add(moved_to)
    session.flush()
    _event(session, moved_to, None, now, by, f"from invitation {invitation.id}")
    session.flush()
    return turn_view(session=session, invitation=moved_to)


def move_invitation(
    *,
    session: Session,
    invitation_id: int,
    to_date: dt.date,
    to_session: str,
    now: dt.datetime,
    by: str | None,
    today: dt.date | None = None,
) -> TurnView:
    """Return the new turn after staff moved a resident's turn to a session with room.

    The old invitation becomes ``moved``; the new one is ``planned`` with a new code.
    """
    invitation = _live_invitation(session, invitation_id)
    campaign = session.get(Campaign, invitation.campaign_id)
    assert campaign is not None
    definition = campaign_definition(session=session, campaign=campaign)
    return _move(
        session,
        definition,
        campaign,
        invitation,
        to_date=to_date,
        to_session=to_session,
        now=now,
        by=by,
        today=today,
    )


def move_own_turn(
    *,
    session: Session,
    nik: str,
    tanggal_lahir: dt.date,
    attendance_code: str,
    to_date: dt.date,
    to_session: str,
    now: dt.datetime,
    today: dt.date | None = None,
) -> TurnView:
    """Return the new turn after a resident moved their own, proving it with NIK, birth date
    and the letter's code. Any mismatch raises the same TurnNotFoundError, so that nobody
    can learn which NIKs exist or hold a turn.
    """
    resident = session.execute(
        select(Resident).where(Resident.nik == nik.strip())
    ).scalar_one_or_none()
    invitation = (
        session.execute(
            select(Invitation).where(
                Invitation.resident_id == resident.id, Invitation.status.in_(LIVE_STATUSES)
            )
        ).scalar_one_or_none()
        if resident is not None
        else None
    )
    code_ok = _same_code(attendance_code, invitation.attendance_code if invitation else "")
    if (
        resident is None
        or invitation is None
        or resident.tanggal_lahir != tanggal_lahir
        or not code_ok
    ):
        raise TurnNotFoundError(NO_SUCH_TURN)
    campaign = session.get(Campaign, invitation.campaign_id)
    assert campaign is not None
    definition = campaign_definition(session=session, campaign=campaign)
    return _move(
        session,
        definition,
        campaign,
        invitation,
        to_date=to_date,
        to_session=to_session,
        now=now,
        by=f"resident:{resident.nik}",
        today=today,
    )


def mark_letters_printed(
    *, session: Session, invitation_ids: Sequence[int], now: dt.datetime, by: str | None
) -> int:
    """Return how many ``planned`` invitations of ``invitation_ids`` are now letter_printed."""
    changed = set_status(
        session,
        invitation_ids,
        status="letter_printed",
        now=now,
        by=by,
        note=None,
        from_statuses=("planned",),
    )
    return len(changed)


def mark_delivered(
    *, session: Session, invitation_ids: Sequence[int], now: dt.datetime, by: str | None
) -> int:
    """Return how many live invitations of ``invitation_ids`` are now marked delivered."""
    changed = set_status(
        session,
        invitation_ids,
        status="delivered",
        now=now,
        by=by,
        note=None,
        from_statuses=("planned", "letter_printed"),
    )
    return len(changed)

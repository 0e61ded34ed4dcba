"""One turn at a time, or one session's turns: attendance, missed sessions, moves, letters."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from itertools import repeat

import numpy as np
from sqlalchemy import DateTime, bindparam, func, select, text
from sqlalchemy.orm import Session

from ektp.residents.models import Resident
from ektp.scheduling import demand as demand_sql
from ektp.scheduling.bulk import (
    INVITATION_COLUMNS,
    bulk_insert,
    new_code,
    new_codes,
    set_status,
    stamp_text,
)
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import (
    campaign_definition,
    campaign_today,
    require_campaign,
    site_calendar,
    site_of,
    utc,
)
from ektp.scheduling.errors import (
    AttendanceCodeError,
    NoRoomError,
    ScheduleError,
    TurnNotFoundError,
)
from ektp.scheduling.models import (
    LIVE_STATUSES,
    Campaign,
    Invitation,
    InvitationEvent,
    PlanRun,
)
from ektp.scheduling.replan import reinvite_missed
from ektp.scheduling.schemas import CloseResult, Turn, TurnView

REINVITE_HORIZON = dt.timedelta(days=62)
"""How far ahead missed residents may be re-invited (two months of evening reserves)."""
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


_SESSION_TURNS_SQL = f"""
SELECT i.id, i.resident_id, i.status, i.misses, r.kode_kelurahan, r.rw, r.rt, r.no_kk
FROM invitations i JOIN residents r ON r.id = i.resident_id
WHERE i.campaign_id = :campaign AND i.site_code = :site AND i.tanggal = :tanggal
  AND i.session = :session AND i.status IN {demand_sql.TAKEN_SQL}
ORDER BY r.kode_kelurahan, r.rw, r.rt, r.no_kk, r.id
"""

_SITE_LOAD_SQL = f"""
SELECT tanggal, session, COUNT(*) FROM invitations
WHERE campaign_id = :campaign AND site_code = :site AND status IN {demand_sql.LIVE_SQL}
  AND tanggal >= :tanggal
GROUP BY tanggal, session
"""


def close_session(
    *,
    session: Session,
    site_code: str,
    tanggal: dt.date,
    session_name: str,
    now: dt.datetime,
    by: str | None = None,
) -> CloseResult:
    """Return what closing a session did: its live turns become ``missed``, and each missed
    household gets one turn in the reserve of the coming reserve sessions (``malam``).

    A household that has now missed ``max_misses`` times gets no new turn: it goes to the
    kelurahan's follow-up list. Households for whom no reserve is left wait for the next plan.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    horizon = max(definition.deadline, tanggal) + REINVITE_HORIZON
    calendar = site_calendar(definition, site, tanggal, horizon)
    closing = calendar.index_of(tanggal, session_name)
    if closing < 0:
        raise ScheduleError(f"{site.code} has no session {session_name!r} on {tanggal}")
    params = {"campaign": campaign.id, "site": site.code, "tanggal": tanggal}
    rows = session.execute(
        demand_sql.dated_sql(_SESSION_TURNS_SQL, "tanggal"), {**params, "session": session_name}
    ).all()
    absent = [row for row in rows if row[2] in LIVE_STATUSES]
    attended = len(rows) - len(absent)
    set_status(
        session,
        [int(row[0]) for row in absent],
        status="missed",
        now=now,
        by=by,
        note=f"session {session_name} {tanggal.isoformat()} closed",
        from_statuses=LIVE_STATUSES,
    )
    group_start = [
        index == 0 or absent[index][4:8] != absent[index - 1][4:8] for index in range(len(absent))
    ]
    group_of = np.cumsum(group_start) - 1
    groups = int(group_of[-1]) + 1 if absent else 0
    sizes = np.bincount(group_of, minlength=groups).astype(np.int64) if absent else np.zeros(0)
    misses = np.zeros(groups, dtype=np.int64)
    for group, row in zip(group_of.tolist(), absent, strict=True):
        misses[group] = max(misses[group], int(row[3]) + 1)
    load = np.zeros(len(calendar), dtype=np.int64)
    index = {key: at for at, key in enumerate(zip(calendar.days, calendar.names, strict=True))}
    for day, name, count in session.execute(
        demand_sql.dated_sql(_SITE_LOAD_SQL, "tanggal"), params
    ):
        at = index.get((demand_sql.as_date(day), str(name)))
        if at is not None:
            load[at] = int(count)
    reserve_names = [s.name for s in definition.sessions if site.reserve_share(s.name) > 0]
    placed = reinvite_missed(
        calendar,
        sizes.astype(np.int64),
        first_index=closing + 1,
        reserve_used=np.maximum(load - calendar.bookable, 0),
        misses=misses,
        max_misses=definition.max_misses,
        session_names=reserve_names or ["malam"],
    )
    resident_ids = [int(row[1]) for row in absent]
    member_misses = misses[group_of] if absent else np.zeros(0, dtype=np.int64)
    going = np.flatnonzero(placed.resident_session >= 0)
    run = PlanRun(
        campaign_id=campaign.id,
        kind="reinvite",
        seed=campaign.seed,
        started_at=utc(now),
        finished_at=utc(now),
        invited=len(going),
        moved=0,
        created_by=by,
    )
    session.add(run)
    session.flush()
    stamp = stamp_text(session, now)
    days = [calendar.days[int(at)] for at in placed.resident_session[going]]
    names = [calendar.names[int(at)] for at in placed.resident_session[going]]
    bulk_insert(
        session,
        "invitations",
        INVITATION_COLUMNS,
        zip(
            repeat(campaign.id),
            [resident_ids[at] for at in going],
            repeat(site.code),
            [day.isoformat() for day in days],
            names,
            new_codes(len(going)),
            repeat("planned"),
            member_misses[going].tolist(),
            repeat(run.id),
            repeat(stamp),
            strict=False,
        ),
    )
    follow_groups = set(placed.follow_up.tolist())
    follow = [
        (resident_ids[at], int(member_misses[at]))
        for at in range(len(absent))
        if int(group_of[at]) in follow_groups
    ]
    _add_follow_ups(session, campaign.id, follow, now)
    sent = set(going.tolist())
    return CloseResult(
        site_code=site.code,
        date=tanggal,
        session=session_name,
        attended=attended,
        missed=len(absent),
        reinvited=[
            Turn(resident_id=resident_ids[at], date=day, session=name)
            for at, day, name in zip(going.tolist(), days, names, strict=True)
        ],
        follow_up=[resident for resident, _ in follow],
        not_reinvited=[
            resident_ids[at]
            for at in range(len(absent))
            if at not in sent and int(group_of[at]) not in follow_groups
        ],
    )


def _add_follow_ups(
    session: Session, campaign_id: int, residents: list[tuple[int, int]], now: dt.datetime
) -> None:
    """Put residents on the follow-up list (once; a later listing updates the misses)."""
    if not residents:
        return
    stamp = utc(now)
    session.execute(
        text(
            "INSERT INTO follow_ups (campaign_id, resident_id, misses, created_at) "
            "VALUES (:campaign, :resident, :misses, :at) "
            "ON CONFLICT (campaign_id, resident_id) DO UPDATE SET misses = excluded.misses, "
            "resolved_at = NULL"
        ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
        [
            {"campaign": campaign_id, "resident": resident, "misses": misses, "at": stamp}
            for resident, misses in residents
        ],
    )

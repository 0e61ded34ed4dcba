"""Closing sessions and days (SQLite and PostgreSQL): the figures frozen into the daily report,
absent invitees missed and re-invited, the queue left at closing, closing twice (one after
the other, or at once) harmless, and the report per kecamatan.

Tickets and recordings are written as the queue and the desk leave them, with times chosen
so that minutes per person and idle set-minutes can be checked by hand.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.recording import closing
from ektp.recording.closing import DAY, ClosingError
from ektp.recording.models import DailyReport, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service
from ektp.scheduling.models import Invitation, PlanRun
from tests.integration.schedule_city import (
    IT2,
    NOW,
    SMALL_CAMPAIGN,
    SUKARAMI,
    load,
    scenario_file,
    small_city,
)

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
MONDAY = dt.date(2011, 10, 3)
TUESDAY = dt.date(2011, 10, 4)
TARGET = 3
CAMPAIGN = SMALL_CAMPAIGN.replace(
    "max_misses = 2\n", f"max_misses = 2\ntarget_per_kecamatan_per_day = {TARGET}\n"
)
LIVE = ("planned", "letter_printed", "delivered")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return a Palembang clock time of ``day`` as UTC."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


@pytest.fixture
def planned(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of a database with the small city, a campaign and its plan."""
    with runtime.transaction() as session:
        load(session, small_city())
        service.create_campaign(
            session=session, scenario=scenario_file(tmp_path, CAMPAIGN), now=NOW
        )
        service.plan(session=session, now=NOW)
    return runtime


def invitations(session: Session, day: dt.date, name: str, site: str = IT2) -> list[Invitation]:
    return list(
        session.execute(
            select(Invitation)
            .where(
                Invitation.site_code == site,
                Invitation.tanggal == day,
                Invitation.session == name,
                Invitation.status.in_(LIVE),
            )
            .order_by(Invitation.id)
        ).scalars()
    )


def ticket(
    session: Session,
    resident_id: int,
    *,
    day: dt.date,
    name: str,
    number: int,
    invitation: Invitation | None,
    status: str,
    set_no: int | None = None,
    site: str = IT2,
) -> QueueTicket:
    row = QueueTicket(
        campaign_id=service.require_campaign(session=session).id,
        site_code=site,
        tanggal=day,
        session=name,
        number=number,
        resident_id=resident_id,
        invitation_id=None if invitation is None else invitation.id,
        kind="invited" if invitation is not None else "walk_in",
        status=status,
        set_no=set_no,
        checked_in_at=at(day, 7, 30),
    )
    session.add(row)
    session.flush()
    return row


def recording(
    session: Session,
    row: QueueTicket,
    *,
    set_no: int,
    start: dt.datetime,
    end: dt.datetime | None,
    status: str,
) -> None:
    """Write the recording the desk leaves; a completed one marks the invitation attended."""
    session.add(
        Recording(
            campaign_id=row.campaign_id,
            ticket_id=row.id,
            resident_id=row.resident_id,
            site_code=row.site_code,
            tanggal=row.tanggal,
            set_no=set_no,
            status=status,
            started_at=start,
            finished_at=end,
        )
    )
    if status == "completed" and row.invitation_id is not None:
        invitation = session.get(Invitation, row.invitation_id)
        assert invitation is not None
        service.mark_attended(
            session=session,
            invitation_id=invitation.id,
            attendance_code=invitation.attendance_code,
            now=end or start,
            by="desk",
        )
    session.flush()


def uninvited_resident(session: Session, day: dt.date, site: str = IT2) -> int:
    """Return a resident of the site's area with no turn at it on ``day``."""
    invited = select(Invitation.resident_id).where(Invitation.tanggal == day)
    found = session.scalar(
        select(Resident.id)
        .where(Resident.kode_kelurahan.startswith(site + "."), Resident.id.not_in(invited))
        .order_by(Resident.id)
        .limit(1)
    )
    assert found is not None
    return int(found)


def a_monday_at_ilir_timur(session: Session) -> dict[str, int]:
    """Write Monday's pagi at Ilir Timur II: two recorded and one failed invitee, one
    recorded walk-in; nobody comes in the evening. Return the numbers of invitees."""
    pagi = invitations(session, MONDAY, "pagi")
    malam = invitations(session, MONDAY, "malam")
    assert len(pagi) >= 3, "the plan gave Monday's pagi fewer than three turns"
    first = ticket(
        session,
        pagi[0].resident_id,
        day=MONDAY,
        name="pagi",
        number=1,
        invitation=pagi[0],
        status="recorded",
        set_no=1,
    )
    recording(
        session, first, set_no=1, start=at(MONDAY, 8), end=at(MONDAY, 8, 20), status="completed"
    )
    second = ticket(
        session,
        pagi[1].resident_id,
        day=MONDAY,
        name="pagi",
        number=2,
        invitation=pagi[1],
        status="recorded",
        set_no=1,
    )
    recording(
        session, second, set_no=1, start=at(MONDAY, 8, 30), end=at(MONDAY, 9), status="completed"
    )
    third = ticket(
        session,
        pagi[2].resident_id,
        day=MONDAY,
        name="pagi",
        number=3,
        invitation=pagi[2],
        status="failed",
        set_no=2,
    )
    recording(session, third, set_no=2, start=at(MONDAY, 9), end=at(MONDAY, 9, 10), status="failed")
    walk_in = ticket(
        session,
        uninvited_resident(session, MONDAY),
        day=MONDAY,
        name="pagi",
        number=4,
        invitation=None,
        status="recorded",
        set_no=2,
    )
    recording(
        session,
        walk_in,
        set_no=2,
        start=at(MONDAY, 9, 10),
        end=at(MONDAY, 9, 40),
        status="completed",
    )
    return {"pagi": len(pagi), "malam": len(malam)}


def test_closing_a_day_freezes_each_session_and_the_day(planned: Runtime) -> None:
    with planned.transaction() as session:
        invited = a_monday_at_ilir_timur(session)
        # The operator closes pagi when it ends: its absent are re-invited into the evening
        # reserve, tonight's included.
        closed_pagi = closing.close_session(
            session=session,
            site_code=IT2,
            tanggal=MONDAY,
            session_name="pagi",
            now=at(MONDAY, 12),
            by="camat",
        )
        tonight = len(invitations(session, MONDAY, "malam"))
        assert tonight >= invited["malam"]
        rows = closing.close_day(
            session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 20, 5), by="camat"
        )
        assert rows[0].id == closed_pagi.id
        figures = {row.session: row for row in rows}
        assert [row.session for row in rows] == ["pagi", "malam", DAY]
        pagi, malam, day = figures["pagi"], figures["malam"], figures[DAY]
        # The failed invitee came: re-invited by the schedule, but not counted missed.
        assert (pagi.recorded, pagi.failed, pagi.walk_ins, pagi.missed) == (
            2 + 1,
            1,
            1,
            invited["pagi"] - 3,
        )
        assert pagi.mean_minutes == pytest.approx((20 + 30 + 30) / 3, abs=0.05)
        # Set 1 ran 08:00-08:20 and 08:30-09:00, set 2 09:00-09:40, in a 120-minute pagi.
        assert pagi.idle_minutes == (120 - 50) + (120 - 40)
        assert (malam.recorded, malam.missed, malam.idle_minutes) == (0, tonight, 240)
        assert (day.recorded, day.failed, day.walk_ins) == (3, 1, 1)
        # Morning absentees re-invited for tonight who missed again count once in the day.
        again_tonight = tonight - invited["malam"]
        assert day.missed == pagi.missed + malam.missed - again_tonight
        assert day.idle_minutes == pagi.idle_minutes + malam.idle_minutes
        assert (day.target, day.sets_working, day.kode_kecamatan) == (TARGET, 2, IT2)
        assert day.closed_by == "camat"
        assert '"set_no": 2' in day.per_set


def test_absent_and_failed_invitees_are_missed_and_reinvited_in_the_evening_reserve(
    planned: Runtime,
) -> None:
    with planned.transaction() as session:
        a_monday_at_ilir_timur(session)
        pagi = invitations(session, MONDAY, "pagi")
        absent = {invitation.resident_id for invitation in pagi[2:]}
        closing.close_day(session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 20))
        for resident in absent:
            statuses = session.execute(
                select(Invitation.status, Invitation.session).where(
                    Invitation.resident_id == resident
                )
            ).all()
            assert ("missed", "pagi") in statuses
            assert sum(1 for status, _ in statuses if status in LIVE) <= 1


def test_closing_twice_returns_the_frozen_report_and_changes_nothing(planned: Runtime) -> None:
    with planned.transaction() as session:
        a_monday_at_ilir_timur(session)
        first = closing.close_day(
            session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 20)
        )
    with planned.transaction() as session:
        before = _state(session)
        again = closing.close_day(
            session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 21), by="someone else"
        )
        one = closing.close_session(
            session=session, site_code=IT2, tanggal=MONDAY, session_name="pagi", now=at(MONDAY, 22)
        )
        assert [row.id for row in again] == [row.id for row in first]
        assert one.id == first[0].id
        assert again[-1].closed_by is None and again[-1].recorded == first[-1].recorded
        assert _state(session) == before


def _state(session: Session) -> tuple[object, ...]:
    """Return what a closing could change: invitations by status, runs, reports, tickets."""
    return (
        sorted(
            session.execute(
                select(Invitation.status, func.count()).group_by(Invitation.status)
            ).all()
        ),
        session.scalar(select(func.count()).select_from(PlanRun)),
        session.scalar(select(func.count()).select_from(DailyReport)),
        sorted(
            session.execute(
                select(QueueTicket.status, func.count()).group_by(QueueTicket.status)
            ).all()
        ),
    )


def test_two_closings_at_once_close_the_day_once(planned: Runtime) -> None:
    with planned.transaction() as session:
        a_monday_at_ilir_timur(session)
        runs_before = session.scalar(select(func.count()).select_from(PlanRun))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def close() -> None:
        barrier.wait()
        try:
            with planned.transaction() as session:
                rows = closing.close_day(
                    session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 20)
                )
                outcomes.append([row.id for row in rows])
        except Exception as error:  # the loser may be refused; it must change nothing
            outcomes.append(error)

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    successes = [outcome for outcome in outcomes if isinstance(outcome, list)]
    assert successes, outcomes
    assert all(outcome == successes[0] for outcome in successes)
    with planned.transaction() as session:
        reports = (
            session.execute(select(DailyReport.session).where(DailyReport.site_code == IT2))
            .scalars()
            .all()
        )
        assert sorted(reports) == sorted(["pagi", "malam", DAY])
        # One re-invitation run per closed session, not two.
        runs = session.scalar(select(func.count()).select_from(PlanRun))
        assert runs == (runs_before or 0) + 2


def test_a_session_with_residents_still_waiting_does_not_close_alone(planned: Runtime) -> None:
    with planned.transaction() as session:
        pagi = invitations(session, MONDAY, "pagi")
        ticket(
            session,
            pagi[0].resident_id,
            day=MONDAY,
            name="pagi",
            number=1,
            invitation=pagi[0],
            status="waiting",
        )
    with planned.transaction() as session, pytest.raises(ClosingError, match="still in the queue"):
        closing.close_session(
            session=session, site_code=IT2, tanggal=MONDAY, session_name="pagi", now=at(MONDAY, 12)
        )
    with planned.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DailyReport)) == 0
        assert invitations(session, MONDAY, "pagi")[0].status in LIVE


def test_closing_the_day_sends_the_queue_home_and_reinvites_it(planned: Runtime) -> None:
    with planned.transaction() as session:
        pagi = invitations(session, MONDAY, "pagi")
        waiting = ticket(
            session,
            pagi[0].resident_id,
            day=MONDAY,
            name="pagi",
            number=1,
            invitation=pagi[0],
            status="waiting",
        )
        rows = closing.close_day(session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 20))
        session.refresh(waiting)
        assert waiting.status == "left"
        assert rows[0].missed == len(pagi)
        later = session.execute(
            select(Invitation.tanggal, Invitation.session).where(
                Invitation.resident_id == waiting.resident_id, Invitation.status.in_(LIVE)
            )
        ).all()
        assert all(day > MONDAY and name == "malam" for day, name in later)


def test_a_set_still_recording_keeps_its_session_open(planned: Runtime) -> None:
    with planned.transaction() as session:
        pagi = invitations(session, MONDAY, "pagi")
        called = ticket(
            session,
            pagi[0].resident_id,
            day=MONDAY,
            name="pagi",
            number=1,
            invitation=pagi[0],
            status="called",
            set_no=2,
        )
        recording(
            session, called, set_no=2, start=at(MONDAY, 9, 55), end=None, status="in_progress"
        )
    with planned.transaction() as session, pytest.raises(ClosingError, match="set 2"):
        closing.close_day(session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 20))
    with planned.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DailyReport)) == 0


def test_a_day_without_sessions_cannot_be_closed(planned: Runtime) -> None:
    with planned.transaction() as session, pytest.raises(ClosingError, match="no session"):
        # 5 October is a closed date of the campaign.
        closing.close_day(
            session=session, site_code=IT2, tanggal=dt.date(2011, 10, 5), now=at(MONDAY, 20)
        )


def test_daily_report_sums_per_kecamatan_and_defaults_to_the_last_closed_day(
    planned: Runtime,
) -> None:
    with planned.transaction() as session:
        assert closing.daily_report(session=session) == []
        a_monday_at_ilir_timur(session)
        for site in (IT2, SUKARAMI):
            closing.close_day(session=session, site_code=site, tanggal=MONDAY, now=at(MONDAY, 20))
        closing.close_day(session=session, site_code=IT2, tanggal=TUESDAY, now=at(TUESDAY, 20))
    with planned.transaction() as session:
        [tuesday] = closing.daily_report(session=session)
        assert (tuesday.date, tuesday.kode_kecamatan, tuesday.recorded) == (TUESDAY, IT2, 0)
        monday = closing.daily_report(session=session, tanggal=MONDAY)
        assert [line.kode_kecamatan for line in monday] == [IT2, SUKARAMI]
        it2, sukarami = monday
        assert (it2.recorded, it2.failed, it2.walk_ins, it2.target) == (3, 1, 1, TARGET)
        assert not it2.below_target and sukarami.below_target
        assert (it2.sets_working, sukarami.sets_working) == (2, 3)
        assert it2.nama.upper() == "ILIR TIMUR II"
        assert closing.closed_days(session=session) == [TUESDAY, MONDAY]
        assert closing.daily_report(session=session, tanggal=dt.date(2011, 10, 6)) == []

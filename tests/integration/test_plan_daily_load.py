"""The Dinas chart's turns per day (SQLite and PostgreSQL): stored by each plan and re-plan,
equal to the invitations counted when the run finished, unchanged by moves until the next
run, and kept for the days before a later run's first day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from ektp.runtime import Runtime
from ektp.scheduling import service
from ektp.scheduling.models import Invitation
from ektp.sites import service as sites_service
from ektp.storage.migrate import alembic_config, upgrade
from tests.integration.schedule_city import (
    IT2,
    NOW,
    SUKARAMI,
    add_two_sets_at_it2,
    plan_city,
    small_city,
)

RECORDS = small_city()
MONDAY = dt.date(2011, 10, 3)
LATER = dt.date(2011, 10, 10)


@pytest.fixture
def planned(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of a database holding the small city, a campaign and its plan."""
    with runtime.transaction() as session:
        plan_city(session, tmp_path)
    return runtime


def _given(runtime: Runtime, site: str | None = None) -> dict[dt.date, int]:
    """Return the turns given per day as the invitations say (neither moved nor cancelled)."""
    with runtime.transaction() as session:
        rows = session.execute(
            text(
                "SELECT site_code, tanggal, COUNT(*) FROM invitations "
                "WHERE status NOT IN ('moved', 'cancelled') GROUP BY site_code, tanggal"
            )
        )
        counts: dict[dt.date, int] = defaultdict(int)
        for code, day, count in rows:
            if site in (None, code):
                counts[dt.date.fromisoformat(str(day)[:10])] += int(count)
    return dict(counts)


def _chart(runtime: Runtime, kecamatan: str | None = None) -> dict[dt.date, int]:
    with runtime.transaction() as session:
        loads = service.daily_load(session=session, kecamatan=kecamatan)
    return {load.date: load.planned for load in loads if load.planned}


def test_after_a_plan_the_chart_counts_every_turn_given_per_day(planned: Runtime) -> None:
    assert _chart(planned) == _given(planned) != {}
    assert _chart(planned, IT2) == _given(planned, IT2)
    assert _chart(planned, SUKARAMI) == _given(planned, SUKARAMI)


def test_after_a_re_plan_the_chart_counts_the_turns_where_they_now_are(planned: Runtime) -> None:
    with planned.transaction() as session:
        add_two_sets_at_it2(session)
        result = service.replan(session=session, replan_day=MONDAY, now=NOW, by="tester")
    assert result.moved
    assert _chart(planned) == _given(planned)
    assert _chart(planned, IT2) == _given(planned, IT2)


def test_a_move_shows_on_the_sessions_at_once_and_on_the_chart_after_the_next_run(
    planned: Runtime,
) -> None:
    before = _chart(planned, IT2)
    with planned.transaction() as session:
        turn = session.execute(
            select(Invitation)
            .where(Invitation.site_code == IT2, Invitation.tanggal == MONDAY)
            .limit(1)
        ).scalar_one()
        overview = service.sessions_overview(
            session=session, site_code=IT2, from_day=MONDAY, days=40
        )
        free = next(load for load in overview if load.planned < load.bookable and load.bookable)
        service.move_invitation(
            session=session,
            invitation_id=turn.id,
            to_date=free.date,
            to_session=free.session,
            now=NOW,
            by="op",
        )
    moved = _given(planned, IT2)
    assert moved[MONDAY] == before[MONDAY] - 1
    assert _chart(planned, IT2) == before
    with planned.transaction() as session:
        assert service.plan(session=session, now=NOW).invited == 0
    assert _chart(planned, IT2) == moved


def test_a_later_plan_keeps_the_earlier_days_as_they_were_planned(planned: Runtime) -> None:
    before = _chart(planned)
    with planned.transaction() as session:
        closed = service.close_session(
            session=session, site_code=IT2, tanggal=MONDAY, session_name="pagi", now=NOW
        )
        service.plan(session=session, now=NOW, today=LATER)
    assert closed.reinvited
    now_given = _given(planned)
    chart = _chart(planned)
    assert {day: n for day, n in chart.items() if day < LATER} == {
        day: n for day, n in before.items() if day < LATER
    }
    assert {day: n for day, n in chart.items() if day >= LATER} == {
        day: n for day, n in now_given.items() if day >= LATER
    }


def test_capacity_follows_a_set_change_before_any_new_plan(planned: Runtime) -> None:
    friday = dt.date(2011, 10, 7)
    with planned.transaction() as session:
        first = {load.date: load for load in service.daily_load(session=session, kecamatan=IT2)}
        sites_service.change_sets(
            session=session,
            site_code=IT2,
            tanggal=friday,
            change=-1,
            reason="broken",
            now=NOW,
            by="tester",
        )
        after = {load.date: load for load in service.daily_load(session=session, kecamatan=IT2)}
    # IT2 has 2 sets: pagi 4 turns, malam 4 (2 held back); one set fewer halves both.
    assert (first[friday].capacity, first[friday].bookable_capacity) == (8, 6)
    assert (after[friday].capacity, after[friday].bookable_capacity) == (4, 3)
    assert after[MONDAY] == first[MONDAY]
    assert after[friday].planned == first[friday].planned


def test_upgrading_a_database_planned_before_the_stored_figures_counts_them_once(
    planned: Runtime,
) -> None:
    before = _chart(planned)
    command.downgrade(alembic_config(planned.engine), "0006")
    upgrade(planned.engine)
    assert _chart(planned) == before == _given(planned)

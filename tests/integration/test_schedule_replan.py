"""Re-planning after sets are added or broken (SQLite and PostgreSQL): the freeze window
stays, later turns move to the new capacity, and the report says who moved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from ektp.runtime import Runtime
from ektp.scheduling import service
from ektp.scheduling.day_loads import stored_day_loads
from ektp.scheduling.models import Invitation, InvitationEvent
from ektp.sites import service as sites_service
from ektp.sites.service import SetChangeError
from tests.integration.schedule_city import (
    IT2,
    KELURAHAN,
    NOW,
    SUKARAMI,
    Household,
    add_two_sets_at_it2,
    calendars,
    eligible,
    household_records,
    live_turns,
    load,
    plan_city,
    scenario_file,
    session_counts,
    small_city,
    turn_index,
)

RECORDS = small_city()
MONDAY = dt.date(2011, 10, 3)
FREEZE_END = dt.date(2011, 10, 5)  # Monday + 2 freeze days


@pytest.fixture
def planned(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of a database holding the small city, a campaign and its plan."""
    with runtime.transaction() as session:
        plan_city(session, tmp_path)
    return runtime


def _live_by_id(runtime: Runtime) -> dict[int, tuple[int, dt.date, str]]:
    with runtime.transaction() as session:
        rows = session.execute(
            select(Invitation).where(
                Invitation.status.in_(("planned", "letter_printed", "delivered"))
            )
        ).scalars()
        return {row.id: (row.resident_id, row.tanggal, row.session) for row in rows}


def test_added_sets_pull_later_turns_forward_and_leave_the_freeze_window_alone(
    planned: Runtime,
) -> None:
    before = _live_by_id(planned)
    with planned.transaction() as session:
        old_report = service.plan_report(session=session)
        add_two_sets_at_it2(session)
        result = service.replan(session=session, replan_day=MONDAY, now=NOW, by="tester")
    after = _live_by_id(planned)
    frozen = {key: turn for key, turn in before.items() if turn[1] < FREEZE_END}
    assert frozen and all(after.get(key) == turn for key, turn in frozen.items())
    assert result.freeze_until == FREEZE_END
    assert result.moved and all(move.site_code == IT2 for move in result.moved)
    assert all(move.from_date >= FREEZE_END and move.to_date >= FREEZE_END for move in result.moved)
    assert sum(move.to_date < move.from_date for move in result.moved) > 0
    moved_ids = {move.resident_id for move in result.moved}
    new_turns = {turn[0]: turn[1:] for turn in after.values()}
    assert all(
        new_turns[move.resident_id] == (move.to_date, move.to_session) for move in result.moved
    )
    with planned.transaction() as session:
        gone = session.execute(
            select(Invitation.resident_id).where(Invitation.status == "moved")
        ).scalars()
        assert set(gone) == moved_ids
        events = session.scalar(
            text("SELECT COUNT(*) FROM invitation_events WHERE to_status = 'moved'")
        )
        assert events == len(moved_ids)
        assert set(live_turns(session)) == eligible(RECORDS)
    old_line = next(line for line in old_report if line.kode_kecamatan == IT2)
    new_line = next(line for line in result.reports if line.kode_kecamatan == IT2)
    assert new_line.last_day is not None and old_line.last_day is not None
    assert new_line.last_day < old_line.last_day


def test_a_re_plan_with_unchanged_capacity_moves_nobody(planned: Runtime) -> None:
    before = _live_by_id(planned)
    with planned.transaction() as session:
        result = service.replan(session=session, replan_day=MONDAY, now=NOW)
    assert result.moved == []
    assert _live_by_id(planned) == before


def test_a_set_broken_inside_the_freeze_window_reports_its_overbooked_sessions(
    planned: Runtime,
) -> None:
    with planned.transaction() as session:
        sites_service.change_sets(
            session=session, site_code=IT2, tanggal=MONDAY, change=-1, reason="broken", now=NOW
        )
        result = service.replan(session=session, replan_day=MONDAY, now=NOW)
        counts = session_counts(session)
        by_site = calendars(session, dt.date(2011, 12, 31))
    assert result.overbooked
    for line in result.overbooked:
        assert line.site_code == IT2 and line.date < FREEZE_END
        assert line.booked > line.bookable
    # After the freeze boundary every session is again within its (smaller) capacity.
    calendar = by_site[IT2]
    for (site, day, name), booked in counts.items():
        if site == IT2 and day >= FREEZE_END:
            assert booked <= calendar.bookable[turn_index(calendar)[(day, name)]]


def test_set_changes_that_cannot_be_are_refused(planned: Runtime) -> None:
    with planned.transaction() as session:
        with pytest.raises(SetChangeError, match="fewer than zero"):
            sites_service.change_sets(
                session=session, site_code=IT2, tanggal=MONDAY, change=-3, reason="broken", now=NOW
            )
        with pytest.raises(SetChangeError, match="0 broken sets"):
            sites_service.change_sets(
                session=session, site_code=IT2, tanggal=MONDAY, change=1, reason="repaired", now=NOW
            )
        with pytest.raises(SetChangeError, match="reason must be one of"):
            sites_service.change_sets(
                session=session, site_code=IT2, tanggal=MONDAY, change=1, reason="stolen", now=NOW
            )
        assert sites_service.sets_working(session=session, site_code=IT2, day=MONDAY) == 2


def test_a_set_change_is_seen_by_the_same_transaction_that_read_the_campaign_before(
    planned: Runtime,
) -> None:
    # The campaign's definition is kept for the transaction; writing a change must drop it.
    with planned.transaction() as session:
        campaign = service.require_campaign(session=session)
        before = service.campaign_definition(session=session, campaign=campaign)
        assert sites_service.sets_working(session=session, site_code=IT2, day=MONDAY) == 2
        sites_service.change_sets(
            session=session, site_code=IT2, tanggal=MONDAY, change=1, reason="added", now=NOW
        )
        after = service.campaign_definition(session=session, campaign=campaign)
        assert after is not before
        assert sites_service.sets_working(session=session, site_code=IT2, day=MONDAY) == 3
    with planned.transaction() as session:
        assert sites_service.sets_working(session=session, site_code=IT2, day=MONDAY) == 3


@st.composite
def households(draw: st.DrawFn) -> list[tuple[int, int, Household]]:
    """Draw (rw, rt, household) for a random small kelurahan."""
    return [
        (
            draw(st.integers(1, 2)),
            draw(st.integers(1, 3)),
            Household(draw(st.integers(1, 5)), children=draw(st.integers(0, 1))),
        )
        for _ in range(draw(st.integers(3, 14)))
    ]


@given(city=households(), added=st.integers(1, 3), day=st.integers(0, 6))
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_re_planning_random_cities_keeps_one_live_turn_each_and_the_freeze_window(
    runtime: Runtime,
    tmp_path: Path,
    city: list[tuple[int, int, Household]],
    added: int,
    day: int,
) -> None:
    records = []
    serial = [1]
    for number, (rw, rt, household) in enumerate(city, start=1):
        records += household_records(KELURAHAN[0], rw, rt, household, number, serial)
    replan_day = MONDAY + dt.timedelta(days=day)
    session = runtime.session_factory()
    try:
        load(session, records)
        service.create_campaign(session=session, scenario=scenario_file(tmp_path), now=NOW)
        service.plan(session=session, now=NOW)
        before = dict(live_turns(session))
        sites_service.change_sets(
            session=session,
            site_code=IT2,
            tanggal=replan_day + dt.timedelta(days=3),
            change=added,
            reason="added",
            now=NOW,
        )
        result = service.replan(session=session, replan_day=replan_day, now=NOW)
        after = live_turns(session)
        assert set(after) == eligible(records)
        assert all(len(held) == 1 for held in after.values())
        boundary = result.freeze_until
        assert all(after[nik] == held for nik, held in before.items() if held[0][1] < boundary)
        by_site = calendars(session, dt.date(2012, 3, 31))
        for (site, when, name), booked in session_counts(session).items():
            calendar = by_site[site]
            if when >= boundary:
                assert booked <= calendar.bookable[turn_index(calendar)[(when, name)]]
        assert len(result.moved) == session.scalar(
            select(text("COUNT(*)"))
            .select_from(InvitationEvent)
            .where(InvitationEvent.to_status == "moved")
        )
    finally:
        session.rollback()
        session.close()


def _turns_by_site(runtime: Runtime) -> dict[str, set[tuple[int, int, dt.date, str, str]]]:
    with runtime.transaction() as session:
        rows = session.execute(
            select(
                Invitation.site_code,
                Invitation.id,
                Invitation.resident_id,
                Invitation.tanggal,
                Invitation.session,
                Invitation.status,
            )
        ).all()
    turns: dict[str, set[tuple[int, int, dt.date, str, str]]] = {}
    for site_code, *turn in rows:
        turns.setdefault(site_code, set()).add(tuple(turn))  # type: ignore[arg-type]
    return turns


def test_only_the_kecamatan_whose_sets_changed_is_re_planned_and_the_others_keep_theirs(
    planned: Runtime,
) -> None:
    before = _turns_by_site(planned)
    with planned.transaction() as session:
        campaign = service.require_campaign(session=session)
        old_report = service.plan_report(session=session)
        old_loads = stored_day_loads(session=session, campaign=campaign)
        add_two_sets_at_it2(session)
        result = service.replan(session=session, replan_day=MONDAY, now=NOW, by="tester")
        loads = stored_day_loads(session=session, campaign=campaign)
    after = _turns_by_site(planned)
    assert result.sites == [IT2] and result.moved
    assert after[SUKARAMI] == before[SUKARAMI]
    assert after[IT2] != before[IT2]
    assert [line for line in result.reports if line.kode_kecamatan == SUKARAMI] == [
        line for line in old_report if line.kode_kecamatan == SUKARAMI
    ]
    assert loads[SUKARAMI] == old_loads[SUKARAMI] and loads[IT2] != old_loads[IT2]
    with planned.transaction() as session:
        # Nothing changed since: a re-plan takes no site, unless asked for all of them.
        assert service.replan(session=session, replan_day=MONDAY, now=NOW).sites == []
        every = service.replan(session=session, replan_day=MONDAY, now=NOW, all_sites=True)
    assert every.sites == sorted([IT2, SUKARAMI]) and every.moved == []
    assert [line.kode_kecamatan for line in every.reports] == [IT2, SUKARAMI]


def test_a_plan_for_newcomers_between_a_set_change_and_the_re_plan_hides_no_change(
    planned: Runtime,
) -> None:
    with planned.transaction() as session:
        add_two_sets_at_it2(session)
        # A plan places newcomers around the turns given; it moves none of them.
        service.plan(session=session, now=NOW, today=MONDAY)
        result = service.replan(session=session, replan_day=MONDAY, now=NOW)
    assert result.sites == [IT2] and result.moved

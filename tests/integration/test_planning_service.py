"""The equipment planner and the simulation on a stored campaign (SQLite and PostgreSQL): the
remaining wajib KTP per kecamatan, the first day to plan, what-ifs, a site-day simulated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ektp.planning import service as planning
from ektp.planning.whatif import WhatIf
from ektp.recording.models import DailyReport, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service
from tests.integration.schedule_city import (
    IT2,
    NOW,
    START,
    SUKARAMI,
    eligible,
    load,
    scenario_file,
    small_city,
)

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
# The small campaign: 60 minutes a person, pagi 08-10 (2 turns a set) and malam 16-18
# (2 turns, half held back: 1), so one set books 3 a day. From Monday 3 to Friday 21
# October, 5 October closed: 14 open days, 42 turns a set.
PER_SET_DAY = 2 + (2 - 1)
OPEN_DAYS = 14


@pytest.fixture
def campaign(runtime: Runtime, tmp_path: Path) -> tuple[Runtime, dict[str, int]]:
    """Return the runtime of the small city with the small campaign, and wajib KTP per
    kecamatan on the start day, counted from the records by hand."""
    records = small_city()
    with runtime.transaction() as session:
        load(session, records)
        service.create_campaign(session=session, scenario=scenario_file(tmp_path), now=NOW)
    wajib = eligible(records, START)
    expected = {IT2: 0, SUKARAMI: 0}
    for record in records:
        if record.nik in wajib:
            expected[record.kode_kelurahan[:8]] += 1
    return runtime, expected


def _record_one(session: Session, kecamatan: str) -> None:
    resident = session.query(Resident).filter(Resident.kode_kelurahan.startswith(kecamatan)).first()
    assert resident is not None
    campaign_id = service.require_campaign(session=session).id
    moment = dt.datetime(2011, 10, 3, 2, tzinfo=dt.UTC)
    ticket = QueueTicket(
        campaign_id=campaign_id,
        site_code=kecamatan,
        tanggal=START,
        session="pagi",
        number=1,
        resident_id=resident.id,
        kind="walk_in",
        status="recorded",
        set_no=1,
        checked_in_at=moment,
    )
    session.add(ticket)
    session.flush()
    session.add(
        Recording(
            campaign_id=campaign_id,
            ticket_id=ticket.id,
            resident_id=resident.id,
            site_code=kecamatan,
            tanggal=START,
            set_no=1,
            status="completed",
            started_at=moment,
            finished_at=moment,
        )
    )
    session.add(
        DailyReport(
            campaign_id=campaign_id,
            site_code=kecamatan,
            kode_kecamatan=kecamatan,
            tanggal=START,
            session="hari",
            recorded=1,
            failed=0,
            walk_ins=1,
            missed=0,
            mean_minutes=None,
            idle_minutes=0,
            target=0,
            sets_working=2,
            per_set="[1]",
            closed_at=moment,
        )
    )


def test_the_planner_reads_remaining_wajib_ktp_and_sets_from_the_campaign(
    campaign: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, wajib = campaign
    with runtime.transaction() as session:
        found = planning.equipment_needs(session=session, now=NOW).before
    assert found.first_day == START
    lines = {line.kode_kecamatan: line for line in found.lines}
    assert [lines[IT2].remaining, lines[SUKARAMI].remaining] == [wajib[IT2], wajib[SUKARAMI]]
    assert [lines[IT2].sets_now, lines[SUKARAMI].sets_now] == [2, 3]
    for line in found.lines:
        assert line.open_days_until_deadline == OPEN_DAYS
        assert line.per_set_capacity_until_deadline == OPEN_DAYS * PER_SET_DAY
        assert line.sets_needed == -(-line.remaining // (OPEN_DAYS * PER_SET_DAY))
    assert lines[IT2].nama != IT2  # the loaded name, not the code


def test_a_closed_day_and_a_recording_move_the_start_and_lower_the_remaining(
    campaign: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, wajib = campaign
    with runtime.transaction() as session:
        _record_one(session, IT2)
    with runtime.transaction() as session:
        found = planning.equipment_needs(session=session, now=NOW).before
    lines = {line.kode_kecamatan: line for line in found.lines}
    assert found.first_day == START + dt.timedelta(days=1)
    assert lines[IT2].remaining == wajib[IT2] - 1
    assert lines[SUKARAMI].remaining == wajib[SUKARAMI]
    assert lines[IT2].per_set_capacity_until_deadline == (OPEN_DAYS - 1) * PER_SET_DAY


def test_a_what_if_and_a_budget_answer_on_the_stored_campaign(
    campaign: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, _ = campaign
    with runtime.transaction() as session:
        moved = planning.equipment_needs(
            session=session, now=NOW, change=WhatIf(move_from=SUKARAMI, move_to=IT2)
        )
        saturday = planning.equipment_needs(session=session, now=NOW, change=WhatIf(saturday=True))
        plan = planning.budget_plan(session=session, now=NOW, budget=2)
        with pytest.raises(ValueError, match=r"no site in kecamatan 16\.71\.01"):
            planning.equipment_needs(
                session=session, now=NOW, change=WhatIf(move_from="16.71.01", move_to=IT2)
            )
    assert [line.sets_now for line in moved.after.lines] == [3, 2]
    # Two Saturdays before the deadline (8 and 15 October) add 2 open days of 3 turns a set.
    assert saturday.after.lines[0].per_set_capacity_until_deadline == (OPEN_DAYS + 2) * 3
    assert sum(line.sets_given for line in plan.lines) + plan.sets_left == 2


def test_a_site_day_is_simulated_from_its_sessions_and_sets(
    campaign: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, _ = campaign
    with runtime.transaction() as session:
        service.plan(session=session, now=NOW)
    with runtime.transaction() as session:
        config, season = planning.simulate_site(
            session=session, site_code=IT2, now=NOW, days=2, seed=4
        )
        again = planning.simulate_site(session=session, site_code=IT2, now=NOW, days=2, seed=4)
    assert config.sets == 2 and config.minutes_per_person == 60
    assert [(window.start, window.end) for window in config.windows] == [(480, 600), (960, 1080)]
    assert len(season.days) == 2
    assert again[1] == season

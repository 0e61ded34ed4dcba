"""The equipment planner and the simulation on a stored campaign (SQLite and PostgreSQL): the
remaining wajib KTP per kecamatan, the first day to plan, what-ifs, a site-day simulated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ektp.monitoring import forecast_service
from ektp.monitoring.sekda_report import sekda_report
from ektp.planning import service as planning
from ektp.planning.equipment import KecamatanNeed
from ektp.planning.whatif import WhatIf
from ektp.recording.models import DailyReport, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.residents.records import ResidentRecord
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


def _record_one(
    session: Session, kecamatan: str, day: dt.date = START, *, closed: bool = True, nth: int = 0
) -> None:
    """Record the ``nth`` resident of ``kecamatan`` on ``day``; ``closed`` writes the day's
    report."""
    resident = (
        session.query(Resident)
        .filter(Resident.kode_kelurahan.startswith(kecamatan))
        .order_by(Resident.id)
        .offset(nth)
        .first()
    )
    assert resident is not None
    campaign_id = service.require_campaign(session=session).id
    moment = dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)
    ticket = QueueTicket(
        campaign_id=campaign_id,
        site_code=kecamatan,
        tanggal=day,
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
            tanggal=day,
            set_no=1,
            status="completed",
            started_at=moment,
            finished_at=moment,
        )
    )
    if not closed:
        return
    session.add(
        DailyReport(
            campaign_id=campaign_id,
            site_code=kecamatan,
            kode_kecamatan=kecamatan,
            tanggal=day,
            session="hari",
            recorded=1,
            failed=0,
            walk_ins=1,
            missed=0,
            mean_minutes=None,
            idle_minutes=0,
            target=0,
            sets_working=2,
            per_set="[]",
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


TUESDAY = START + dt.timedelta(days=1)


def _turns_seventeen_on_tuesday() -> ResidentRecord:
    """Return an unmarried resident of Ilir Timur II whose 17th birthday is Tuesday 4 Oct."""
    return ResidentRecord(
        nik="1671060410940001",
        no_kk="1671069999999999",
        nama="WARGA ULANG TAHUN",
        jenis_kelamin="L",
        tempat_lahir="PALEMBANG",
        tanggal_lahir=dt.date(1994, 10, 4),
        status_kawin="BELUM KAWIN",
        agama="ISLAM",
        pekerjaan=None,
        alamat="RT 001 RW 001",
        kode_kelurahan="16.71.06.1001",
        rw=1,
        rt=1,
        nik_warning=None,
    )


@pytest.fixture
def monday_closed(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the small campaign with Monday closed (one resident recorded at Ilir Timur II)
    and a resident who becomes wajib KTP on Tuesday."""
    with runtime.transaction() as session:
        load(session, [*small_city(), _turns_seventeen_on_tuesday()])
        service.create_campaign(session=session, scenario=scenario_file(tmp_path), now=NOW)
    with runtime.transaction() as session:
        _record_one(session, IT2)
    return runtime


def _remaining(lines: Sequence[KecamatanNeed]) -> dict[str, int]:
    return {line.kode_kecamatan: line.remaining for line in lines}


def test_during_a_day_not_yet_closed_planner_and_forecast_start_on_it_with_the_same_remaining(
    monday_closed: Runtime,
) -> None:
    tuesday_morning = dt.datetime(2011, 10, 4, 3, tzinfo=dt.UTC)  # 10:00 in Palembang
    with monday_closed.transaction() as session:
        needs = planning.equipment_needs(session=session, now=tuesday_morning).before
        state = forecast_service.campaign_state(session=session, today=TUESDAY)
        forecasts = forecast_service.forecasts_of(state)
    # Tuesday is not closed: its turns are still to come, for the forecast and the planner.
    assert state.calendars[IT2][0].date == TUESDAY
    assert needs.first_day == TUESDAY
    assert _remaining(needs.lines) == {f.kode: f.remaining for f in forecasts[1:]}


def test_a_replay_plans_from_the_last_closed_day_with_the_forecasts_remaining(
    monday_closed: Runtime,
) -> None:
    # A completed recording of a day nobody closed yet counts nowhere: not in the forecast's
    # closed days, so not in the planner's remaining either.
    with monday_closed.transaction() as session:
        _record_one(session, SUKARAMI, TUESDAY, closed=False)
    replayed = dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)
    with monday_closed.transaction() as session:
        needs = planning.equipment_needs(session=session, now=replayed).before
        report = sekda_report(session=session, day=START)
        state = forecast_service.campaign_state(session=session, today=START)
    assert needs.first_day == TUESDAY == state.calendars[IT2][0].date
    by_kode = {page.kode: page.remaining for page in report.kecamatan}
    assert _remaining(needs.lines) == by_kode
    # The resident who turns 17 on Tuesday is not yet wajib KTP on Monday, the day reported.
    wajib = eligible(small_city(), START)
    it2 = sum(1 for one in small_city() if one.nik in wajib and one.kode_kelurahan[:8] == IT2)
    assert by_kode[IT2] == it2 - 1

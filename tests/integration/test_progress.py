"""The dashboards' per-RT counts (SQLite and PostgreSQL): written once at a day's closing,
equal to a direct count of recordings and turns, summed per level; and the alerts read from
them and from the closed days' reports.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ektp.monitoring import alerts, alerts_service, progress
from ektp.monitoring.models import ProgressRtDay
from ektp.recording import closing
from ektp.recording.models import QueueTicket, Recording
from ektp.regions.service import rt_code
from ektp.residents.counts import counts_by_kelurahan, counts_by_unit
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service
from ektp.scheduling.models import Invitation
from tests.integration.schedule_city import IT2, NOW, load, scenario_file, small_city
from tests.integration.test_closing import CAMPAIGN, MONDAY, a_monday_at_ilir_timur, at

ALERTS = """
[alerts]
below_target_days = 1
idle_share = 0.5
attendance_min = 0.99
attendance_min_invited = 1
card_stage_days = 14
"""


@pytest.fixture
def planned(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of the small city with a campaign (target 3 a day) and its plan."""
    with runtime.transaction() as session:
        load(session, small_city())
        service.create_campaign(
            session=session, scenario=scenario_file(tmp_path, CAMPAIGN + ALERTS), now=NOW
        )
        service.plan(session=session, now=NOW)
    return runtime


def close_monday(session: Session) -> None:
    a_monday_at_ilir_timur(session)
    closing.close_day(session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 20, 5))


def direct_counts(session: Session) -> dict[tuple[str, int, int], tuple[int, int, int, int]]:
    """Return (recorded, walk_ins, invited, missed) per RT counted from the source rows."""
    completed = Recording.status == "completed"
    found: dict[tuple[str, int, int], list[int]] = {}
    recorded = session.execute(
        select(
            Resident.kode_kelurahan,
            Resident.rw,
            Resident.rt,
            func.sum(case((completed, 1), else_=0)),
            func.sum(case((completed & (QueueTicket.kind == "walk_in"), 1), else_=0)),
        )
        .join(QueueTicket, QueueTicket.id == Recording.ticket_id)
        .join(Resident, Resident.id == Recording.resident_id)
        .where(QueueTicket.site_code == IT2, QueueTicket.tanggal == MONDAY)
        .group_by(Resident.kode_kelurahan, Resident.rw, Resident.rt)
    )
    for kel, rw, rt, done, walk_ins in recorded:
        found.setdefault((kel, rw, rt), [0, 0, 0, 0])[:2] = [int(done), int(walk_ins)]
    came = {
        resident
        for (resident,) in session.execute(
            select(QueueTicket.resident_id).where(
                QueueTicket.site_code == IT2, QueueTicket.tanggal == MONDAY
            )
        )
    }
    turns = session.execute(
        select(Resident.kode_kelurahan, Resident.rw, Resident.rt, Invitation)
        .join(Resident, Resident.id == Invitation.resident_id)
        .where(Invitation.site_code == IT2, Invitation.tanggal == MONDAY)
    )
    for kel, rw, rt, invitation in turns:
        if invitation.status not in ("attended", "completed", "missed"):
            continue
        row = found.setdefault((kel, rw, rt), [0, 0, 0, 0])
        row[2] += 1
        row[3] += invitation.status == "missed" and invitation.resident_id not in came
    return {key: (r[0], r[1], r[2], r[3]) for key, r in found.items()}


def test_closing_a_day_writes_each_rts_counts_equal_to_a_direct_count(planned: Runtime) -> None:
    with planned.transaction() as session:
        close_monday(session)
        expected = direct_counts(session)
        written = {
            (row.kode_kelurahan, row.rw, row.rt): (
                row.recorded,
                row.walk_ins,
                row.invited,
                row.missed,
            )
            for row in session.execute(select(ProgressRtDay)).scalars()
        }
    assert written == expected
    assert sum(value[0] for value in written.values()) == 3
    assert sum(value[1] for value in written.values()) == 1
    assert sum(value[3] for value in written.values()) > 0


def test_closing_a_day_twice_writes_its_counts_once(planned: Runtime) -> None:
    with planned.transaction() as session:
        close_monday(session)
        before = session.scalar(select(func.count()).select_from(ProgressRtDay))
        closing.close_day(session=session, site_code=IT2, tanggal=MONDAY, now=at(MONDAY, 21))
        after = session.scalar(select(func.count()).select_from(ProgressRtDay))
    assert before == after and after


def test_each_level_sums_the_level_below_and_counts_wajib_ktp(planned: Runtime) -> None:
    with planned.transaction() as session:
        close_monday(session)
        city = progress.progress(session=session, kode="16.71", today=MONDAY)
        kecamatan = progress.progress(session=session, kode=IT2, today=MONDAY)
        kelurahan_code = next(c.kode for c in kecamatan.children if c.recorded)
        kelurahan = progress.progress(session=session, kode=kelurahan_code, today=MONDAY)
        rt = next(c for c in kelurahan.children if c.recorded)
        one_rt = progress.progress(session=session, kode=rt.kode, today=MONDAY)
        wajib = counts_by_kelurahan(
            session=session, kelurahan=[c.kode for c in kecamatan.children], as_of=MONDAY
        )
    assert city.figures.recorded == kecamatan.figures.recorded == 3
    assert kecamatan.figures.walk_ins == 1 and kecamatan.figures.walk_in_share == pytest.approx(
        1 / 3
    )
    assert kecamatan.figures.wajib_ktp == sum(w for _r, w in wajib.values())
    assert kelurahan.figures.recorded == sum(c.recorded for c in kelurahan.children)
    assert kelurahan.figures.wajib_ktp == sum(c.wajib_ktp for c in kelurahan.children)
    assert (one_rt.figures.recorded, one_rt.figures.wajib_ktp) == (rt.recorded, rt.wajib_ktp)
    assert kecamatan.days[-1] == progress.DayPoint(MONDAY, 3, 3)
    assert city.days[-1].target == 3 * 2  # two kecamatan have sites in the small campaign
    assert kelurahan.target_kind == "invited"
    assert city.ranked[0].figures.kode == IT2
    assert {site.site_code for site in kecamatan.sites} == {IT2}
    assert kecamatan.sites[0].recorded == 3 and kecamatan.sites[0].per_set_per_day == 1.5


def test_an_unknown_or_foreign_code_is_not_found(planned: Runtime) -> None:
    with planned.transaction() as session:
        for kode in ("16.72", "16.71.99.9999", "16.71.06.1001.RW099.RT001", "nonsense"):
            with pytest.raises(progress.ProgressNotFoundError):
                progress.progress(session=session, kode=kode, today=MONDAY)


def test_current_alerts_name_the_kecamatan_sets_and_rts_past_the_thresholds(
    planned: Runtime,
) -> None:
    with planned.transaction() as session:
        close_monday(session)
        # Target 3 was met on Monday: no kecamatan is below it.
        found = alerts_service.current_alerts(session=session, today=MONDAY)
        turns = direct_counts(session)
    kinds = {alert.kind for alert in found}
    assert alerts.BELOW_TARGET not in kinds
    idle = [a for a in found if a.kind == alerts.IDLE_SET]
    # Set 1 was busy 50 and set 2 40 of the day's 360 open minutes.
    assert {a.subject for a in idle} == {f"{IT2}#1", f"{IT2}#2"}
    low = {a.area for a in found if a.kind == alerts.LOW_ATTENDANCE}
    assert low == {rt_code(k, rw, rt) for (k, rw, rt), v in turns.items() if v[2] and v[3]}


def test_a_kecamatan_below_target_is_alerted(planned: Runtime) -> None:
    from ektp.recording.models import DailyReport

    with planned.transaction() as session:
        close_monday(session)
        for row in session.execute(select(DailyReport)).scalars():
            row.target = 10
        session.flush()
        found = alerts_service.current_alerts(session=session, today=MONDAY + dt.timedelta(1))
    below = [a for a in found if a.kind == alerts.BELOW_TARGET]
    assert [(a.area, a.value, a.params["recorded"]) for a in below] == [(IT2, 1, 3)]


def test_a_kelurahan_page_counts_wajib_ktp_per_rt_in_one_query_of_the_residents(
    planned: Runtime,
) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    kelurahan = "16.71.06.1001"
    with planned.transaction() as session:
        close_monday(session)
        expected = {
            rt_code(kelurahan, rw, rt): wajib
            for rw in counts_by_unit(session=session, kode_kelurahan=kelurahan, as_of=MONDAY)
            for rt, (_residents, wajib) in counts_by_unit(
                session=session, kode_kelurahan=kelurahan, as_of=MONDAY, rw=rw
            ).items()
        }
        event.listen(planned.engine, "before_cursor_execute", seen)
        try:
            page = progress.progress(session=session, kode=kelurahan, today=MONDAY)
        finally:
            event.remove(planned.engine, "before_cursor_execute", seen)
    assert len(expected) > 2  # RTs in more than one RW
    assert {child.kode: child.wajib_ktp for child in page.children} == expected
    on_residents = [s for s in statements if "FROM residents" in s]
    assert len(on_residents) == 1, on_residents

"""Equipment sets on SQLite and PostgreSQL: one row per set, broken and repaired sets change
the capacity from today and re-plan the coming turns, and a repeated switch changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.recording import checkin
from ektp.recording.equipment import ensure_equipment_sets, site_sets
from ektp.recording.models import EquipmentSet
from ektp.recording.queue import QueueError, SetStatusResult, UnknownSetError
from ektp.runtime import Runtime
from ektp.scheduling import service
from ektp.scheduling.models import Invitation, PlanRun, SetChangeEvent
from ektp.sites import service as sites_service
from tests.integration.queue_day import MONDAY, TUESDAY, at, at_once, plan_small_campaign
from tests.integration.schedule_city import IT2, SUKARAMI


@pytest.fixture
def planned(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of a database holding the small campaign and its plan."""
    return plan_small_campaign(runtime, tmp_path)


def _rows(runtime: Runtime) -> list[tuple[str, int, str]]:
    with runtime.transaction() as session:
        rows = session.execute(
            select(EquipmentSet.site_code, EquipmentSet.set_no, EquipmentSet.status).order_by(
                EquipmentSet.site_code, EquipmentSet.set_no
            )
        ).all()
    return [(str(code), int(number), str(status)) for code, number, status in rows]


def _switch(runtime: Runtime, set_no: int, status: str, hour: int = 10) -> SetStatusResult:
    with runtime.transaction() as session:
        return checkin.set_status(
            session=session, site_code=IT2, set_no=set_no, status=status, now=at(hour), by="op"
        )


def _changes(runtime: Runtime) -> list[tuple[str, int, str]]:
    with runtime.transaction() as session:
        rows = session.execute(
            select(SetChangeEvent.site_code, SetChangeEvent.change, SetChangeEvent.reason)
            .where(SetChangeEvent.created_by == "op")
            .order_by(SetChangeEvent.id)
        ).all()
    return [(str(site), int(change), str(reason)) for site, change, reason in rows]


def _runs(runtime: Runtime, kind: str) -> int:
    with runtime.transaction() as session:
        count = session.scalar(
            select(func.count()).select_from(PlanRun).where(PlanRun.kind == kind)
        )
    return int(count or 0)


def test_every_site_gets_one_row_per_set_once(planned: Runtime) -> None:
    for _ in range(2):
        with planned.transaction() as session:
            campaign = service.require_campaign(session=session)
            ensure_equipment_sets(session=session, campaign=campaign)
    assert _rows(planned) == [
        (IT2, 1, "working"),
        (IT2, 2, "working"),
        (SUKARAMI, 1, "working"),
        (SUKARAMI, 2, "working"),
        (SUKARAMI, 3, "working"),
    ]


def test_a_set_added_later_has_its_row_in_advance_but_joins_on_its_day(
    planned: Runtime,
) -> None:
    with planned.transaction() as session:
        sites_service.change_sets(
            session=session, site_code=IT2, tanggal=TUESDAY, change=1, reason="added", now=at(8)
        )
        campaign = service.require_campaign(session=session)
        ensure_equipment_sets(session=session, campaign=campaign, site_code=IT2)
        site = service.campaign_definition(session=session, campaign=campaign).sites[0]
        monday = site_sets(session=session, campaign_id=campaign.id, site=site, day=MONDAY)
        tuesday = site_sets(session=session, campaign_id=campaign.id, site=site, day=TUESDAY)
    assert [number for _, number, _ in _rows(planned)] == [1, 2, 3]
    assert [number for number, _ in monday] == [1, 2]
    assert [number for number, _ in tuesday] == [1, 2, 3]


def test_a_broken_set_lowers_todays_capacity_and_re_plans_the_coming_turns(
    planned: Runtime,
) -> None:
    result = _switch(planned, 2, "broken")
    assert (result.changed, result.status, result.sets_working) == (True, "broken", 1)
    assert (IT2, 2, "broken") in _rows(planned)
    assert _changes(planned) == [(IT2, -1, "broken")]
    assert _runs(planned, "replan") == 1
    with planned.transaction() as session:
        moved = session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.site_code == IT2, Invitation.status == "moved")
        )
        sets_today = sites_service.sets_working(session=session, site_code=IT2, day=MONDAY)
        state = checkin.queue_state(session=session, site_code=IT2, tanggal=MONDAY, now=at(10))
    # Half the sets: turns after the freeze window no longer fit where they were.
    assert result.moved == moved and moved > 0
    assert sets_today == 1
    assert (state.sets_working, [s.status for s in state.sets]) == (1, ["working", "broken"])


def test_marking_a_set_as_it_already_is_changes_nothing(planned: Runtime) -> None:
    assert not _switch(planned, 1, "working").changed
    _switch(planned, 1, "broken")
    again = _switch(planned, 1, "broken", hour=11)
    assert (again.changed, again.moved, again.sets_working) == (False, 0, 1)
    assert _changes(planned) == [(IT2, -1, "broken")]
    assert _runs(planned, "replan") == 1


def test_a_repaired_set_works_again_from_today(planned: Runtime) -> None:
    _switch(planned, 2, "broken", hour=9)
    repaired = _switch(planned, 2, "working", hour=11)
    assert (repaired.changed, repaired.sets_working) == (True, 2)
    assert _changes(planned) == [(IT2, -1, "broken"), (IT2, 1, "repaired")]
    assert (IT2, 2, "working") in _rows(planned)


def test_unknown_sets_and_states_are_refused(planned: Runtime) -> None:
    with pytest.raises(UnknownSetError, match="sets 1 to 2"):
        _switch(planned, 3, "broken")
    with pytest.raises(QueueError, match="working, broken"):
        _switch(planned, 1, "moved_out")
    assert _changes(planned) == []


def test_two_operators_marking_one_set_broken_at_once_record_one_change(
    planned: Runtime,
) -> None:
    def mark(session: Session) -> SetStatusResult:
        return checkin.set_status(
            session=session, site_code=IT2, set_no=1, status="broken", now=at(10), by="op"
        )

    results = at_once(planned, mark, mark)
    assert all(isinstance(result, SetStatusResult) for result in results), results
    assert sorted(result.changed for result in results) == [False, True]
    assert _changes(planned) == [(IT2, -1, "broken")]

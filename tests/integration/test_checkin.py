"""Check-in and calling on SQLite and PostgreSQL: tickets for invited residents and walk-ins,
the walk-in reserve, refusals that change nothing, and two requests at once taking effect
once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ektp.recording import checkin
from ektp.recording.models import EquipmentSet, QueueTicket
from ektp.recording.queue import CheckInRefused, QueueError
from ektp.runtime import Runtime
from tests.integration.queue_day import (
    MONDAY,
    RECORDS,
    TUESDAY,
    at,
    at_once,
    nik_of,
    plan_small_campaign,
    tickets,
    turns,
)
from tests.integration.schedule_city import IT2, KELURAHAN, SUKARAMI


@pytest.fixture
def planned(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of a database holding the small campaign and its plan."""
    return plan_small_campaign(runtime, tmp_path)


def _check_in(runtime: Runtime, **kwargs: Any) -> checkin.CheckInResult:
    kwargs.setdefault("now", at(9))
    kwargs.setdefault("site_code", IT2)
    with runtime.transaction() as session:
        return checkin.check_in(session=session, by="door", **kwargs)


def test_a_scanned_letter_gives_its_holder_a_ticket_for_their_session(planned: Runtime) -> None:
    invitation, _ = turns(planned, MONDAY, "pagi")[0]
    result = _check_in(planned, qr=f"EKTP:{invitation.id}:{invitation.attendance_code}")
    assert (result.number, result.display, result.kind) == (1, "001", "invited")
    assert (result.session_name, result.tanggal, result.already) == ("pagi", MONDAY, False)
    (ticket,) = tickets(planned)
    assert (ticket.resident_id, ticket.invitation_id) == (invitation.resident_id, invitation.id)
    assert ticket.status == "waiting"


def test_a_second_check_in_the_same_day_returns_the_same_ticket(planned: Runtime) -> None:
    (first_turn, first_nik), (second_turn, _) = turns(planned, MONDAY, "pagi")[:2]
    first = _check_in(planned, nik=first_nik, attendance_code=first_turn.attendance_code.lower())
    _check_in(planned, qr=f"EKTP:{second_turn.id}:{second_turn.attendance_code}", now=at(9, 5))
    again = _check_in(
        planned, qr=f"EKTP:{first_turn.id}:{first_turn.attendance_code}", now=at(9, 30)
    )
    typed = _check_in(planned, nik=first_nik, now=at(9, 40))
    assert again.ticket_id == typed.ticket_id == first.ticket_id
    assert again.already and typed.already and not first.already
    assert again.kind == "invited"
    assert [ticket.number for ticket in tickets(planned)] == [1, 2]


def test_a_wrong_attendance_code_is_refused_and_nothing_is_written(planned: Runtime) -> None:
    invitation, nik = turns(planned, MONDAY, "pagi")[0]
    wrong = "ACDEFG" if invitation.attendance_code != "ACDEFG" else "HJKLMN"
    with pytest.raises(CheckInRefused, match="does not match") as typed:
        _check_in(planned, nik=nik, attendance_code=wrong)
    with pytest.raises(CheckInRefused, match="does not match") as scanned:
        _check_in(planned, qr=f"EKTP:{invitation.id}:{wrong}")
    assert typed.value.reason == scanned.value.reason == "wrong_code"
    assert tickets(planned) == []


def test_another_kecamatans_resident_is_sent_to_their_own_site(planned: Runtime) -> None:
    invitation, nik = turns(planned, MONDAY, "pagi", site=SUKARAMI)[0]
    with pytest.raises(CheckInRefused, match="Kantor Camat Sukarami") as refused:
        _check_in(planned, qr=f"EKTP:{invitation.id}:{invitation.attendance_code}")
    assert refused.value.reason == "other_site"
    with pytest.raises(CheckInRefused, match="must check in there"):
        _check_in(planned, nik=nik)
    assert tickets(planned) == []


def test_unknown_niks_letters_and_scanner_noise_are_refused(planned: Runtime) -> None:
    for kwargs, reason in [
        ({"nik": "1671069999999999"}, "unknown"),
        ({"qr": "EKTP:999999:ACDEFG"}, "unknown"),
        ({"qr": "https://example.org"}, "bad_qr"),
        ({"nik": "12345"}, "bad_qr"),
        ({}, "bad_qr"),
    ]:
        with pytest.raises(CheckInRefused) as refused:
            _check_in(planned, **kwargs)
        assert refused.value.reason == reason
    assert tickets(planned) == []


def test_a_child_who_is_not_wajib_ktp_gets_no_ticket(planned: Runtime) -> None:
    child = next(r for r in RECORDS if r.status_kawin == "BELUM KAWIN")
    with pytest.raises(CheckInRefused, match="not wajib KTP") as refused:
        _check_in(planned, nik=child.nik, site_code=_site_of(child.kode_kelurahan))
    assert refused.value.reason == "not_wajib"


def _site_of(kelurahan: str) -> str:
    return SUKARAMI if kelurahan.startswith(SUKARAMI) else IT2


def test_walk_ins_fill_the_evening_reserve_then_learn_the_next_session_with_room(
    planned: Runtime,
) -> None:
    later = nik_of(planned, KELURAHAN[0], invited_after=TUESDAY)
    # Monday's malam: 4 turns, 2 booked, 2 held back; both reserve places go to walk-ins.
    first = _check_in(planned, nik=later[0], now=at(16, 10))
    second = _check_in(planned, nik=later[1], now=at(16, 20))
    assert (first.kind, first.session_name) == ("walk_in", "malam")
    assert (second.number, second.kind) == (2, "walk_in")
    with pytest.raises(CheckInRefused, match="reserve of malam") as refused:
        _check_in(planned, nik=later[2], now=at(16, 30))
    assert refused.value.reason == "full"
    assert refused.value.next_free == (TUESDAY, "malam")
    (walk_in,) = [t for t in tickets(planned) if t.number == 1]
    assert walk_in.invitation_id is not None  # their own later turn, closed once recorded


def test_a_morning_walk_in_is_told_the_evening_because_the_morning_holds_no_reserve(
    planned: Runtime,
) -> None:
    nik = nik_of(planned, KELURAHAN[1], invited_after=TUESDAY)[0]
    with pytest.raises(CheckInRefused, match="the next with room is malam on 2011-10-03") as e:
        _check_in(planned, nik=nik, now=at(8, 30))
    assert e.value.next_free == (MONDAY, "malam")


def test_an_invited_resident_without_the_letters_code_queues_as_a_walk_in(
    planned: Runtime,
) -> None:
    _, nik = turns(planned, MONDAY, "pagi")[0]
    with pytest.raises(CheckInRefused, match="has a turn today \\(pagi\\)"):
        _check_in(planned, nik=nik, now=at(9))
    result = _check_in(planned, nik=nik, now=at(16, 5))
    assert (result.kind, result.session_name) == ("walk_in", "malam")


def test_after_the_last_session_the_site_is_closed_for_walk_ins(planned: Runtime) -> None:
    nik = nik_of(planned, KELURAHAN[0], invited_after=TUESDAY)[0]
    with pytest.raises(CheckInRefused, match="closed for today") as refused:
        _check_in(planned, nik=nik, now=at(18, 30))
    assert refused.value.reason == "closed"
    assert refused.value.next_free == (TUESDAY, "malam")


def test_two_check_ins_at_once_get_different_numbers_and_one_resident_one_ticket(
    planned: Runtime,
) -> None:
    (one, one_nik), (two, _) = turns(planned, MONDAY, "pagi")[:2]

    def by_nik(session: Session) -> checkin.CheckInResult:
        return checkin.check_in(
            session=session,
            site_code=IT2,
            now=at(9),
            by="door",
            nik=one_nik,
            attendance_code=one.attendance_code,
        )

    def by_qr(session: Session) -> checkin.CheckInResult:
        return checkin.check_in(
            session=session,
            site_code=IT2,
            now=at(9),
            by="door 2",
            qr=f"EKTP:{two.id}:{two.attendance_code}",
        )

    results = at_once(planned, by_nik, by_qr, by_nik)
    assert all(isinstance(result, checkin.CheckInResult) for result in results), results
    assert results[0].ticket_id == results[2].ticket_id
    assert sorted({result.number for result in results}) == [1, 2]
    assert [ticket.number for ticket in tickets(planned)] == [1, 2]


def _waiting(runtime: Runtime, count: int) -> list[checkin.CheckInResult]:
    return [
        _check_in(runtime, qr=f"EKTP:{turn.id}:{turn.attendance_code}", now=at(8, minute))
        for minute, (turn, _) in enumerate(turns(runtime, MONDAY, "pagi")[:count])
    ]


def _call(
    runtime: Runtime, set_no: int, hour: int = 9, minute: int = 0, after: int | None = None
) -> QueueTicket | None:
    with runtime.transaction() as session:
        return checkin.call_next(
            session=session,
            site_code=IT2,
            set_no=set_no,
            now=at(hour, minute),
            by="op",
            after=after,
        )


def test_numbers_are_called_in_order_and_nobody_is_called_twice(planned: Runtime) -> None:
    _waiting(planned, 3)
    called = [_call(planned, 1), _call(planned, 2), _call(planned, 1), _call(planned, 2)]
    assert [None if t is None else (t.number, t.set_no) for t in called] == [
        (1, 1),
        (2, 2),
        (3, 1),
        None,
    ]
    assert {t.status for t in tickets(planned)} == {"called"}


def test_a_repeated_call_to_a_set_calls_nobody_new(planned: Runtime) -> None:
    _waiting(planned, 3)
    first, repeat = _call(planned, 1, after=0), _call(planned, 1, after=0)
    assert first is not None and repeat is not None
    assert first.number == repeat.number == 1
    following = _call(planned, 1, after=1)
    assert following is not None and following.number == 2
    assert [t.status for t in tickets(planned)] == ["called", "called", "waiting"]


def test_a_double_click_sent_twice_at_once_calls_one_number(planned: Runtime) -> None:
    _waiting(planned, 3)

    def click(session: Session) -> QueueTicket | None:
        return checkin.call_next(
            session=session, site_code=IT2, set_no=1, now=at(9), by="op", after=0
        )

    results = at_once(planned, click, click)
    assert [getattr(r, "number", r) for r in results] == [1, 1]
    assert [t.status for t in tickets(planned)] == ["called", "waiting", "waiting"]


def test_started_sessions_are_called_before_early_arrivals_for_the_evening(
    planned: Runtime,
) -> None:
    evening, _ = turns(planned, MONDAY, "malam")[0]
    morning, _ = turns(planned, MONDAY, "pagi")[0]
    _check_in(planned, qr=f"EKTP:{evening.id}:{evening.attendance_code}", now=at(8))
    _check_in(planned, qr=f"EKTP:{morning.id}:{morning.attendance_code}", now=at(8, 5))
    first, second = _call(planned, 1), _call(planned, 1)
    assert first is not None and second is not None
    assert (first.session, second.session) == ("pagi", "malam")


def test_a_broken_set_calls_nobody(planned: Runtime) -> None:
    _waiting(planned, 1)
    with planned.transaction() as session:
        checkin.set_status(
            session=session, site_code=IT2, set_no=2, status="broken", now=at(8), by="op"
        )
    with pytest.raises(QueueError, match="set 2 is marked broken"):
        _call(planned, 2)
    with pytest.raises(QueueError, match="no set 3"):
        _call(planned, 3)
    assert tickets(planned)[0].status == "waiting"


def _updates_per_thread(runtime: Runtime) -> dict[int, int]:
    counts: dict[int, int] = {}

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE QUEUE_TICKETS"):
            ident = threading.get_ident()
            counts[ident] = counts.get(ident, 0) + 1

    event.listen(runtime.engine, "before_cursor_execute", count)
    return counts


@pytest.mark.parametrize("waiting", [1, 2])
def test_two_operators_calling_at_once_never_get_the_same_ticket(
    planned: Runtime, waiting: int
) -> None:
    _waiting(planned, waiting)
    first_called = threading.Event()
    release = threading.Event()
    updates = _updates_per_thread(planned)
    late: dict[str, Any] = {}

    def first(session: Session) -> QueueTicket | None:
        ticket = checkin.call_next(session=session, site_code=IT2, set_no=1, now=at(9), by="a")
        first_called.set()
        # Hold the transaction open: the second operator reads the queue before this commits.
        release.wait(timeout=30)
        return ticket

    def second(session: Session) -> QueueTicket | None:
        first_called.wait(timeout=30)
        late["thread"] = threading.get_ident()
        return checkin.call_next(session=session, site_code=IT2, set_no=2, now=at(9), by="b")

    runner = threading.Thread(
        target=lambda: late.setdefault("results", at_once(planned, first, second))
    )
    runner.start()
    first_called.wait(timeout=30)
    threading.Event().wait(0.5)  # let the second call read the queue and wait on the first
    release.set()
    runner.join(timeout=60)
    got_first, got_second = late["results"]
    assert isinstance(got_first, QueueTicket) and got_first.number == 1
    if waiting == 1:
        assert got_second is None
    else:
        assert isinstance(got_second, QueueTicket) and got_second.number == 2
    if planned.engine.dialect.name == "postgresql":
        # The second operator read ticket 1 as waiting, but its UPDATE found it taken and
        # changed nothing; it moved on to the next number (with one waiting: to nobody).
        # SQLite transactions begin IMMEDIATE (storage.engine), so there the second one
        # only starts once the first has committed, and reads the queue as it is then.
        assert updates[late["thread"]] == waiting
    with planned.transaction() as session:
        rows = session.execute(
            select(QueueTicket.number, QueueTicket.set_no, QueueTicket.called_by).where(
                QueueTicket.status == "called"
            )
        ).all()
    expected = [(1, 1, "a")] + ([(2, 2, "b")] if waiting == 2 else [])
    assert sorted(tuple(row) for row in rows) == expected


def test_many_operators_at_once_call_each_waiting_ticket_exactly_once(planned: Runtime) -> None:
    _waiting(planned, 4)

    def caller(set_no: int) -> Any:
        return lambda session: checkin.call_next(
            session=session, site_code=IT2, set_no=set_no, now=at(9), by=f"op{set_no}"
        )

    results = at_once(planned, *(caller(1 + n % 2) for n in range(6)))
    called = [r.number for r in results if isinstance(r, QueueTicket)]
    assert sorted(called) == [1, 2, 3, 4]
    assert sum(1 for r in results if r is None) == 2
    with planned.transaction() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(QueueTicket).where(QueueTicket.status == "called")
            )
            == 4
        )


def test_the_queue_shows_each_sets_last_call_and_an_estimated_wait(planned: Runtime) -> None:
    _waiting(planned, 4)
    _call(planned, 1, 8, 0)
    _call(planned, 2, 8, 2)
    _call(planned, 1, 8, 5)
    with planned.transaction() as session:
        state = checkin.queue_state(session=session, site_code=IT2, tanggal=MONDAY, now=at(8, 6))
        sets = session.scalar(select(func.count()).select_from(EquipmentSet))
    assert [(s.set_no, s.status, s.display) for s in state.sets] == [
        (1, "working", "003"),
        (2, "working", "002"),
    ]
    assert [w.display for w in state.waiting] == ["004"]
    # One gap of 5 minutes at set 1; one person ahead of a newcomer, two sets: 3 minutes.
    assert state.minutes_per_person == 5
    assert state.waiting[0].minutes == 0
    assert state.estimated_wait_minutes == 3
    assert (state.session, state.served, state.sets_working) == ("pagi", 3, 2)
    assert state.walk_in_room == 0  # pagi holds no reserve
    assert sets == 2  # rows made on first use, for Ilir Timur II's two sets only

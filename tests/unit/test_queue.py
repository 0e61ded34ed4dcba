"""The queue's rules: numbers, the session a walk-in joins, the reserve, the calling order and
the estimated wait.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ektp.recording import queue

PAGI = queue.SessionWindow("pagi", dt.time(8), dt.time(12))
SIANG = queue.SessionWindow("siang", dt.time(13), dt.time(16))
MALAM = queue.SessionWindow("malam", dt.time(16), dt.time(20))
DAY = [MALAM, PAGI, SIANG]
T0 = dt.datetime(2011, 10, 3, 1, 0, tzinfo=dt.UTC)


def minutes(*values: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(minutes=value) for value in values]


def test_numbers_start_at_one_each_day_and_follow_the_highest() -> None:
    assert queue.next_number(None) == 1
    assert queue.next_number(41) == 42


def test_numbers_are_shown_with_three_digits_at_least() -> None:
    assert queue.display_number(7) == "007"
    assert queue.display_number(1234) == "1234"


def test_a_letters_qr_payload_gives_the_invitation_and_its_code() -> None:
    assert queue.parse_qr("EKTP:1234:acd3fg") == (1234, "ACD3FG")
    assert queue.parse_qr("  EKTP:9:ACDEFG\n") == (9, "ACDEFG")


@pytest.mark.parametrize(
    "payload", ["", "1671074505800001", "EKTP:12", "EKTP::ACDEFG", "EKTP:12:AC", "XKTP:1:ACDEFG"]
)
def test_anything_but_a_letters_payload_is_refused(payload: str) -> None:
    with pytest.raises(ValueError, match="not an e-KTP letter code"):
        queue.parse_qr(payload)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (dt.time(7, 30), "pagi"),
        (dt.time(9), "pagi"),
        (dt.time(12, 30), "siang"),
        (dt.time(16), "malam"),
        (dt.time(19, 59), "malam"),
    ],
)
def test_a_walk_in_joins_the_session_running_or_the_next_one(at: dt.time, expected: str) -> None:
    found = queue.session_for_arrival(DAY, at)
    assert found is not None
    assert found.name == expected


def test_after_the_last_session_nobody_joins_today() -> None:
    assert queue.session_for_arrival(DAY, dt.time(20)) is None
    assert queue.session_for_arrival([], dt.time(9)) is None


def test_started_sessions_include_those_already_over() -> None:
    assert queue.started_sessions(DAY, dt.time(13, 5)) == {"pagi", "siang"}
    assert queue.started_sessions(DAY, dt.time(7)) == frozenset()


def test_tickets_of_started_sessions_are_called_first_then_by_number() -> None:
    tickets = [(1, "malam"), (2, "pagi"), (3, "siang"), (4, "pagi"), (5, "malam")]
    assert queue.call_order(tickets, frozenset({"pagi"})) == [2, 4, 1, 3, 5]
    assert queue.call_order(tickets, frozenset({"pagi", "siang", "malam"})) == [1, 2, 3, 4, 5]


def test_walk_ins_take_what_re_invitations_left_of_the_reserve() -> None:
    # 80 turns, 16 held back: 64 bookable. 66 turns given, so 2 re-invitations sit in it.
    assert queue.walk_in_room(reserve=16, bookable=64, booked=66, walk_ins=5) == 9
    assert queue.walk_in_room(reserve=16, bookable=64, booked=50, walk_ins=0) == 16
    assert queue.walk_in_room(reserve=16, bookable=64, booked=70, walk_ins=12) == 0
    assert queue.walk_in_room(reserve=0, bookable=80, booked=10, walk_ins=0) == 0


def test_the_first_session_with_room_is_the_one_a_refused_walk_in_is_told() -> None:
    day = dt.date(2011, 10, 4)
    sessions = [(day, "pagi", 0), (day, "malam", 0), (day + dt.timedelta(1), "malam", 3)]
    assert queue.first_with_room(sessions) == (day + dt.timedelta(1), "malam")
    assert queue.first_with_room(sessions[:2]) is None


def test_service_time_is_the_median_gap_between_calls_at_a_set() -> None:
    calls = {1: minutes(0, 4, 8, 20, 24), 2: minutes(1, 6)}
    # Gaps: set 1 -> 4, 4, 12, 4; set 2 -> 5. Median 4.
    assert queue.service_minutes(calls, default=3) == 4


def test_service_time_leaves_out_breaks_and_falls_back_to_the_default() -> None:
    assert queue.service_minutes({1: minutes(0, 5, 65, 70)}, default=3) == 5
    assert queue.service_minutes({1: minutes(0)}, default=3) == 3
    assert queue.service_minutes({}, default=3.5) == 3.5


def test_service_time_looks_at_the_latest_calls_only() -> None:
    early_slow = list(range(0, 20 * 10, 10))
    late_fast = [early_slow[-1] + 2 * step for step in range(1, 13)]
    calls = {1: minutes(*early_slow, *late_fast)}
    assert queue.service_minutes(calls, default=3, window=12) == 2


def test_the_wait_divides_the_people_ahead_among_the_working_sets() -> None:
    assert queue.estimated_wait_minutes(0, 4, 2) == 0
    assert queue.estimated_wait_minutes(10, 4, 2) == 20
    assert queue.estimated_wait_minutes(3, 3.5, 2) == 6
    assert queue.estimated_wait_minutes(10, 4, 0) is None


def test_a_ticket_is_invited_only_for_a_turn_today_at_this_site() -> None:
    assert queue.ticket_kind(turn_today_here=True, misses=0) == "invited"
    assert queue.ticket_kind(turn_today_here=True, misses=1) == "reinvited"
    assert queue.ticket_kind(turn_today_here=False, misses=2) == "walk_in"


def test_the_sites_clock_is_palembangs_wall_clock() -> None:
    wib = dt.timezone(dt.timedelta(hours=7))
    assert queue.local_time(dt.datetime(2011, 10, 3, 2, 30, tzinfo=dt.UTC), wib) == dt.time(9, 30)
    assert queue.local_time(dt.datetime(2011, 10, 3, 9, 30), wib) == dt.time(9, 30)


def test_a_refusal_carries_its_reason_and_the_next_free_session() -> None:
    refused = queue.CheckInRefused("full", (dt.date(2011, 10, 4), "malam"), reason="full")
    assert str(refused) == "full"
    assert refused.next_free == (dt.date(2011, 10, 4), "malam")
    assert refused.reason == "full"

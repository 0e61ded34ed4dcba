"""Re-planning after capacity changes, and re-inviting residents who missed their turn."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ektp.scheduling.planner import UNPLACED, plan_site
from ektp.scheduling.replan import (
    NO_INVITATION,
    VANISHED,
    freeze_until,
    reinvite_missed,
    replan,
)
from ektp.sites.calendar import SessionCalendar, build_calendar
from ektp.sites.capacity import ClosedDays
from tests.unit.planning_cases import MONDAY, SEED_IN_KEY_ORDER, calendar_of, demand_of, office

# One session a day, Mon 3 Oct 2011 onwards.
DAY = [MONDAY + dt.timedelta(days=index) for index in range(6)]


def first_plan(calendar: SessionCalendar, *rts: list[int]) -> np.ndarray:
    result = plan_site(demand_of(*rts), calendar, seed=SEED_IN_KEY_ORDER, kecamatan="K")
    return result.resident_sessions()


def test_letters_for_the_next_seven_days_are_out_so_the_freeze_ends_a_week_later() -> None:
    assert freeze_until(dt.date(2011, 10, 3)) == dt.date(2011, 10, 10)
    assert freeze_until(dt.date(2011, 10, 3), 2) == dt.date(2011, 10, 5)


def test_added_sets_pull_later_invitations_forward_but_not_frozen_ones() -> None:
    # Five turns a day: A on day 0, B day 1, C day 2, D day 3. On day 0, with a 2-day freeze,
    # sets are added (10 a day): A and B stay, C stays on day 2 and D joins it there.
    old = first_plan(calendar_of([5] * 6), [5], [5], [5], [5])
    assert old.tolist() == [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5
    result = replan(
        demand_of([5], [5], [5], [5]),
        calendar_of([10] * 6),
        old,
        replan_day=DAY[0],
        freeze_days=2,
        seed=SEED_IN_KEY_ORDER,
        kecamatan="K",
    )
    assert result.resident_session.tolist() == [0] * 5 + [1] * 5 + [2] * 5 + [2] * 5
    assert result.kept.tolist() == [True] * 10 + [False] * 10
    assert result.moved.tolist() == [15, 16, 17, 18, 19]
    assert result.moved_from.tolist() == [3] * 5
    assert result.moved_to.tolist() == [2] * 5


def test_a_closed_day_after_the_freeze_moves_its_residents_and_newcomers_join_the_queue() -> None:
    # Day 2 is now closed: its session vanished, so C (invited there) moves to the first
    # session after the freeze, day 3 (index 2 of the new calendar); D, never invited,
    # follows on day 4.
    new_calendar = SessionCalendar(
        site_code="t",
        days=(DAY[0], DAY[1], DAY[3], DAY[4]),
        names=("sesi0",) * 4,
        sets=np.ones(4, dtype=np.int64),
        turns_per_set=np.full(4, 5, dtype=np.int64),
        share_numerator=np.zeros(4, dtype=np.int64),
        share_denominator=np.ones(4, dtype=np.int64),
    )
    old = np.array([0] * 5 + [1] * 5 + [VANISHED] * 5 + [NO_INVITATION] * 5)
    result = replan(
        demand_of([5], [5], [5], [5]),
        new_calendar,
        old,
        replan_day=DAY[0],
        freeze_days=2,
        seed=SEED_IN_KEY_ORDER,
        kecamatan="K",
    )
    assert result.resident_session.tolist() == [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5
    assert result.moved.tolist() == [10, 11, 12, 13, 14]
    assert result.moved_from.tolist() == [VANISHED] * 5


def test_a_set_breaking_inside_the_freeze_leaves_letters_alone_and_flags_the_session() -> None:
    # 2 sets (8 turns), 8 invited for day 1; a set breaks: day 1 books 4 but keeps all 8.
    old = first_plan(calendar_of([8] * 4), [4, 4], [4, 4])
    assert old.tolist() == [0] * 8 + [1] * 8
    result = replan(
        demand_of([4, 4], [4, 4]),
        calendar_of([4] * 4),
        old,
        replan_day=DAY[0],
        freeze_days=2,
        seed=SEED_IN_KEY_ORDER,
        kecamatan="K",
    )
    assert result.resident_session.tolist() == old.tolist()
    assert result.moved.size == 0
    assert result.overbooked.tolist() == [0, 1]


def test_a_household_split_by_the_freeze_has_its_later_members_re_planned() -> None:
    # A household of 4 was spread over days 1 and 2 (2 + 2); day 2 is after the freeze.
    old = np.array([1, 1, 2, 2])
    result = replan(
        demand_of([4]),
        calendar_of([2, 2, 6, 6]),
        old,
        replan_day=DAY[0],
        freeze_days=2,
        seed=SEED_IN_KEY_ORDER,
        kecamatan="K",
    )
    assert result.resident_session.tolist() == [1, 1, 2, 2]
    assert result.moved.size == 0
    assert result.kept.tolist() == [True, True, False, False]


def malam_reserve_calendar() -> SessionCalendar:
    # 2 sets at 3 minutes: malam 160 turns, 32 held back, on Mon 3 and Tue 4 Oct 2011.
    site = office("16.71.01", 2)
    return build_calendar(site, MONDAY, dt.date(2011, 10, 4), ClosedDays(public_holidays=False))


def test_missed_residents_take_the_malam_reserve_first_come_first_served() -> None:
    # Reserve 32 a night. 30 take Monday (2 left); 5 do not fit and go to Tuesday (27 left);
    # 2 fill Monday's last turns; 40 fit nowhere whole, and only 27 are free: no turn yet.
    calendar = malam_reserve_calendar()
    monday, tuesday = calendar.index_of(MONDAY, "malam"), calendar.index_of(DAY[1], "malam")
    result = reinvite_missed(calendar, np.array([30, 5, 2, 40]), first_index=0)
    assert result.group_session.tolist() == [monday, tuesday, monday, UNPLACED]
    assert result.reserve_used[[monday, tuesday]].tolist() == [32, 5]
    assert result.resident_session.tolist().count(UNPLACED) == 40


def test_a_missed_household_larger_than_a_night_s_reserve_is_spread_over_nights() -> None:
    calendar = malam_reserve_calendar()
    monday, tuesday = calendar.index_of(MONDAY, "malam"), calendar.index_of(DAY[1], "malam")
    result = reinvite_missed(calendar, np.array([40]), first_index=0)
    assert result.resident_session.tolist() == [monday] * 32 + [tuesday] * 8


def test_walk_ins_already_in_the_reserve_and_past_sessions_are_respected() -> None:
    calendar = malam_reserve_calendar()
    monday, tuesday = calendar.index_of(MONDAY, "malam"), calendar.index_of(DAY[1], "malam")
    used = np.zeros(len(calendar), dtype=np.int64)
    used[tuesday] = 30
    result = reinvite_missed(
        calendar, np.array([1, 2, 1]), first_index=monday + 1, reserve_used=used
    )
    assert result.group_session.tolist() == [tuesday, UNPLACED, tuesday]
    assert result.reserve_used[tuesday] == 32


def test_residents_who_missed_too_often_go_to_the_kelurahan_instead() -> None:
    calendar = malam_reserve_calendar()
    result = reinvite_missed(
        calendar, np.array([2, 3]), first_index=0, misses=np.array([3, 1]), max_misses=3
    )
    assert result.group_session[0] == UNPLACED
    assert result.group_session[1] >= 0
    assert result.follow_up.tolist() == [0]

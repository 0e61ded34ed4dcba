"""The planner on hand-computed cases: RT order, packing, splits, bounds, the report."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ektp.scheduling.planner import UNPLACED, SiteDemand, SitePlan, plan_site, rt_order
from ektp.scheduling.report import (
    extra_sets_needed,
    kecamatan_report,
    lower_bound_last_day,
    plan_site_covering,
    site_outcome,
)
from ektp.sites.calendar import build_calendar
from ektp.sites.capacity import ClosedDays
from tests.unit.planning_cases import (
    MONDAY,
    SEED_IN_KEY_ORDER,
    calendar_of,
    demand_of,
    office,
    realistic_demand,
)

NO_HOLIDAYS = ClosedDays(public_holidays=False)


def plan(
    demand: SiteDemand,
    bookable: list[int],
    *,
    first_index: int = 0,
    booked: np.ndarray | None = None,
) -> SitePlan:
    return plan_site(
        demand,
        calendar_of(bookable),
        seed=SEED_IN_KEY_ORDER,
        kecamatan="K",
        first_index=first_index,
        booked=booked,
    )


def test_the_rt_order_of_a_seed_never_changes_between_runs_or_versions() -> None:
    # Letters and audits quote this order; a change of algorithm would silently reshuffle it.
    keys = [f"16.71.06.1001/001/{rt:03d}" for rt in range(1, 9)]
    assert [key[-3:] for key in rt_order(keys, 2011, "16.71.06")] == [
        "008",
        "006",
        "007",
        "002",
        "005",
        "004",
        "003",
        "001",
    ]


def test_the_rt_order_does_not_depend_on_the_order_rts_are_read_in() -> None:
    keys = [f"RT{rt:03d}" for rt in range(50)]
    assert rt_order(keys, 7, "16.71.01") == rt_order(reversed(keys), 7, "16.71.01")


def test_dropping_an_rt_leaves_the_order_of_the_others_as_it_was() -> None:
    keys = [f"RT{rt:03d}" for rt in range(50)]
    without = [key for key in rt_order(keys, 7, "16.71.01") if key != "RT025"]
    assert rt_order([key for key in keys if key != "RT025"], 7, "16.71.01") == without


def test_the_same_rts_get_another_order_in_another_kecamatan() -> None:
    keys = [f"RT{rt:03d}" for rt in range(20)]
    assert rt_order(keys, 7, "16.71.01") != rt_order(keys, 7, "16.71.02")


def test_a_session_takes_the_largest_households_that_fit_then_fills_with_small_ones() -> None:
    # Sizes 3 5 2 4 1 in sessions of 10: 5 + 4 leave 1, which only the 1 fills; 3 + 2 next.
    result = plan(demand_of([3, 5, 2, 4, 1]), [10, 10])
    assert result.household_session.tolist() == [1, 0, 1, 0, 0]
    assert result.booked.tolist() == [10, 5]


def test_a_gap_at_the_end_of_an_rt_is_filled_from_the_next_rt() -> None:
    # A = 4 4 4, B = 1 1 3 2, sessions of 10. A's 4 + 4 leave 2 and A's last 4 fits the next
    # session, so B's 2 fills the gap: 19 residents in 2 sessions, not 3 as greedy would.
    result = plan(demand_of([4, 4, 4], [1, 1, 3, 2]), [10, 10, 10])
    assert result.household_session.tolist() == [0, 0, 1, 1, 1, 1, 0]
    assert result.booked.tolist() == [10, 9, 0]


def test_an_rt_started_early_keeps_a_household_back_for_the_next_session() -> None:
    # Sessions 10, 5, 10. A = 4 4 4 leaves 2 in the first session; A's last 4 leaves 1 spare
    # in the second. B = 1 1 5 gives only one 1 to the first session and keeps the other
    # for the spare turn, so B's sessions stay unbroken: first, second, third.
    result = plan(demand_of([4, 4, 4], [1, 1, 5]), [10, 5, 10])
    assert result.household_session.tolist() == [0, 0, 1, 0, 1, 2]
    assert result.booked.tolist() == [9, 5, 5]


def test_an_rt_that_fits_a_gap_whole_fills_it_even_while_the_current_rt_goes_on() -> None:
    # A = 4 4 4 4 4 leaves 2 in the first session of 10; B = 1 1 is used up there, whole.
    result = plan(demand_of([4, 4, 4, 4, 4], [1, 1]), [10, 10, 10])
    assert result.household_session.tolist() == [0, 0, 1, 1, 2, 0, 0]
    assert result.booked.tolist() == [10, 8, 4]


def test_an_rt_starts_in_a_gap_only_once_the_current_rt_s_rest_fits_the_next_session() -> None:
    # A = 4 4 4 4 4 leaves 2 in each session of 10. After the first, A still holds 12, more
    # than a session: B = 1 1 1 starting there would have to pause while A fills the second,
    # so the 2 turns stay empty. After the second, A's last 4 fits the third with 6 to
    # spare, so B gives two 1s to the gap and its last 1 follows A's 4.
    result = plan(demand_of([4, 4, 4, 4, 4], [1, 1, 1]), [10, 10, 10])
    assert result.household_session.tolist() == [0, 0, 1, 1, 2, 1, 1, 2]
    assert result.booked.tolist() == [8, 10, 5]


def test_households_of_three_in_sessions_of_ten_must_lose_a_turn_each() -> None:
    # No plan can do better: three households fill 9 of 10 turns. Thirty residents need
    # four sessions although thirty turns sit in the first three (the lower bound).
    result = plan(demand_of([3] * 10), [10, 10, 10, 10])
    assert result.booked.tolist() == [9, 9, 9, 3]


def test_a_household_larger_than_a_session_is_split_over_consecutive_sessions() -> None:
    # 25 members in sessions of 10: the 3 of the other household go first, then 7 + 10 + 8.
    result = plan(demand_of([25, 3]), [10, 10, 10])
    assert result.splits == {0: ((0, 7), (1, 10), (2, 8))}
    assert result.household_session.tolist() == [0, 0]
    assert result.resident_sessions().tolist() == [0] * 7 + [1] * 10 + [2] * 8 + [0] * 3


def test_turns_already_booked_are_not_booked_again() -> None:
    result = plan(demand_of([3, 2]), [10, 10], booked=np.array([8, 0]))
    assert result.household_session.tolist() == [1, 0]
    assert result.booked.tolist() == [2, 3]


def test_planning_starts_at_the_first_index_given() -> None:
    result = plan(demand_of([3, 2]), [10, 10, 10], first_index=2)
    assert result.household_session.tolist() == [2, 2]


def test_a_household_with_nobody_left_to_place_gets_no_session() -> None:
    result = plan(demand_of([0, 2]), [10])
    assert result.household_session.tolist() == [UNPLACED, 0]
    assert result.unplaced_residents == 0


def test_an_empty_demand_books_nothing() -> None:
    result = plan(SiteDemand.from_rts({}), [10])
    assert result.household_session.size == 0
    assert result.booked.tolist() == [0]
    assert result.rt_order == ()


def test_residents_beyond_the_calendar_are_counted_as_unplaced() -> None:
    result = plan(demand_of([6, 6, 6]), [10, 10])
    assert result.household_session.tolist() == [0, 1, UNPLACED]
    assert result.unplaced_residents == 6


def test_the_lower_bound_is_the_day_summed_turns_reach_the_residents() -> None:
    calendar = calendar_of([10, 10, 10, 10, 10, 10], per_day=3)
    assert lower_bound_last_day(calendar, 30) == MONDAY
    assert lower_bound_last_day(calendar, 31) == MONDAY + dt.timedelta(days=1)
    assert lower_bound_last_day(calendar, 61) is None
    assert lower_bound_last_day(calendar, 0) is None


def test_five_days_at_204_bookable_turns_per_set_need_a_third_set_for_3000() -> None:
    # 2 sets at 3 min: per set pagi 80 + siang 60 + malam 80 - reserve 16 = 204 a day.
    # Mon 3 - Fri 7 Oct 2011 = 5 days: 2 sets give 2040; 3000 needs 3000 / 1020 = 2.94 sets.
    calendar = build_calendar(office("16.71.01", 2), MONDAY, dt.date(2011, 10, 7), NO_HOLIDAYS)
    deadline = dt.date(2011, 10, 7)
    assert extra_sets_needed(calendar, 3000, deadline) == 1
    assert extra_sets_needed(calendar, 2040, deadline) == 0
    assert extra_sets_needed(calendar, 2041, deadline) == 1
    assert extra_sets_needed(calendar, 3061, deadline) == 2


def test_no_number_of_sets_meets_a_deadline_before_the_first_session() -> None:
    calendar = build_calendar(office("16.71.01", 2), MONDAY, dt.date(2011, 10, 7), NO_HOLIDAYS)
    assert extra_sets_needed(calendar, 100, dt.date(2011, 10, 2)) is None


def test_ilir_timur_ii_alone_would_finish_on_27_august_2012_and_needs_8_more_sets() -> None:
    # 3 sets at 3 min: pagi 240 + siang 180 + malam 240 - reserve ceil(240 * 0.2) = 48
    # = 612 bookable a day. 138,000 / 612 = 225.5: after 225 days 137,700 are booked; day 226
    # adds pagi 240 (137,940) and siang 180 (138,120 >= 138,000), so day 226 is the bound.
    # Working days from Mon 3 Oct 2011 (weekdays less holidays that fall on them):
    #   2011 Oct 21, Nov 22, Dec 22 - 26 Dec cuti bersama = 21            -> 64
    #   2012 Jan 22 - Imlek 23 Jan = 21 (85), Feb 21 (106), Mar 22 - Nyepi 23 Mar = 21 (127),
    #   Apr 21 - Good Friday 6 Apr = 20 (147), May 23 - 17 and 18 May = 21 (168),
    #   Jun 21 (189), Jul 22 (211), Aug: 1-3 (3), 6-10 (8), 13-16 (12; 17 Aug holiday),
    #   20-22 Idul Fitri and cuti bersama, 23, 24, 27 (15)                  -> 226: 27 Aug 2012
    # By the deadline (64 days) n sets book 204 n * 64: 10 sets 130,560 < 138,000 <= 143,616
    # with 11, so 8 more than the 3 in place (the report said 7-8 in all were coming).
    site = office("16.71.06", 3)
    demand = realistic_demand(138_000, rts=500, seed=6)
    calendar, result = plan_site_covering(site, demand, ClosedDays(), MONDAY, seed=2011)
    deadline = dt.date(2011, 12, 31)
    outcome = site_outcome(calendar, result, deadline=deadline)
    assert outcome.lower_bound_last_day == dt.date(2012, 8, 27)
    assert outcome.last_day == dt.date(2012, 8, 27)
    assert outcome.first_day == MONDAY
    assert (outcome.sets, outcome.daily_capacity, outcome.residents) == (3, 660, 138_000)
    assert not outcome.deadline_met
    assert outcome.extra_sets_needed == 8


def test_a_kecamatan_report_adds_up_its_sites() -> None:
    deadline = dt.date(2011, 10, 31)
    outcomes = []
    for code, sets, residents in (("kantor", 2, 4000), ("pembantu", 1, 900)):
        site = office("16.71.05", sets, code=code)
        demand = realistic_demand(residents, rts=20, seed=sets)
        calendar, result = plan_site_covering(site, demand, ClosedDays(), MONDAY, seed=1)
        outcomes.append(site_outcome(calendar, result, deadline=deadline))
    report = kecamatan_report("16.71.05", "Ilir Timur I", outcomes)
    # 2 sets book 408 a day: 4000 / 408 = 9.8 -> 10th working day, Fri 14 Oct.
    # 1 set books 204 a day: 900 / 204 = 4.4 -> 5th working day, Fri 7 Oct.
    assert report.residents == 4900
    assert (report.sets, report.daily_capacity) == (3, 660)
    assert report.first_day == MONDAY
    assert report.lower_bound_last_day == dt.date(2011, 10, 14)
    assert report.last_day is not None and report.last_day <= dt.date(2011, 10, 17)
    assert report.deadline_met
    assert report.extra_sets_needed == 0


def test_a_missed_deadline_asks_for_at_least_one_set_even_when_only_packing_missed_it() -> None:
    # Households of 3 in sessions of 10: 30 residents fit 3 sessions by count (the bound
    # meets a deadline on day 1) but take 4 sessions, running into day 2.
    calendar = calendar_of([10, 10, 10, 10], per_day=3)
    result = plan_site(demand_of([3] * 10), calendar, seed=SEED_IN_KEY_ORDER, kecamatan="K")
    outcome = site_outcome(calendar, result, deadline=MONDAY)
    assert outcome.lower_bound_last_day == MONDAY
    assert outcome.last_day == MONDAY + dt.timedelta(days=1)
    assert not outcome.deadline_met
    assert outcome.extra_sets_needed == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_realistic_households_end_within_a_working_day_of_the_lower_bound(seed: int) -> None:
    site = office("16.71.01", 2)
    demand = realistic_demand(30_000, rts=120, seed=seed)
    calendar, result = plan_site_covering(site, demand, ClosedDays(), MONDAY, seed=seed)
    outcome = site_outcome(calendar, result, deadline=dt.date(2011, 12, 31))
    assert outcome.lower_bound_last_day is not None and outcome.last_day is not None
    bound = calendar.working_days.index(outcome.lower_bound_last_day)
    assert calendar.working_days.index(outcome.last_day) <= bound + 1

"""Forecasts on constructed histories whose answers can be counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from ektp.monitoring.forecast import (
    Status,
    WorkingDay,
    combined_calendar,
    combined_history,
    days_needed,
    forecast,
    recent_pace,
    weekly_rates,
)

MONDAY = dt.date(2011, 10, 3)
DEADLINE = dt.date(2011, 12, 30)


def weekdays(
    first: dt.date, count: int, *, skip: frozenset[dt.date] = frozenset()
) -> list[dt.date]:
    """Return ``count`` Monday-to-Friday dates from ``first`` on, ``skip`` left out."""
    days: list[dt.date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5 and day not in skip:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def calendar(first: dt.date, count: int, capacity: int = 500, **kwargs: object) -> list[WorkingDay]:
    return [WorkingDay(day, capacity) for day in weekdays(first, count, **kwargs)]  # type: ignore[arg-type]


def history(rates_per_week: list[list[int]], first: dt.date = MONDAY) -> list[tuple[dt.date, int]]:
    """Return a history of one Monday-to-Friday week per list, each day's count given."""
    result = []
    for week, counts in enumerate(rates_per_week):
        monday = first + dt.timedelta(weeks=week)
        result += [(monday + dt.timedelta(days=i), count) for i, count in enumerate(counts)]
    return result


def test_constant_pace_finishes_on_the_exact_working_day() -> None:
    past = history([[100] * 5] * 4)
    remaining_days = calendar(dt.date(2011, 10, 31), 60)
    result = forecast(
        kode="16.71.06",
        nama="Ilir Timur II",
        history=past,
        remaining=1_000,
        calendar=remaining_days,
        deadline=DEADLINE,
    )
    assert result.pace is not None and result.pace.mean == 100
    assert result.working_days_needed == 10
    # Ten working days from Monday 31 October: the second Friday, 11 November.
    assert result.expected == dt.date(2011, 11, 11)
    assert result.earliest == result.latest == result.expected  # no spread, no interval
    assert result.status is Status.ON_TRACK and result.on_track
    assert result.days_late == 0


def test_a_pace_just_short_needs_one_more_day_and_is_late_by_calendar_days() -> None:
    past = history([[99] * 5])
    remaining_days = calendar(dt.date(2011, 10, 10), 30)
    result = forecast(
        kode="k",
        nama="k",
        history=past,
        remaining=990 + 1,
        calendar=remaining_days,
        deadline=dt.date(2011, 10, 21),
    )
    # 991 / 99 = 10.01: eleven working days, from Monday 10 October to Monday 24 October.
    assert result.working_days_needed == 11
    assert result.expected == dt.date(2011, 10, 24)
    assert result.status is Status.LATE and not result.on_track
    assert result.days_late == 3


def test_zero_pace_gives_no_finish_date_and_says_stalled() -> None:
    result = forecast(
        kode="k",
        nama="k",
        history=history([[0] * 5, [0] * 5]),
        remaining=500,
        calendar=calendar(dt.date(2011, 10, 17), 40),
        deadline=DEADLINE,
    )
    assert result.status is Status.STALLED
    assert result.expected is None and result.earliest is None and result.latest is None
    assert result.days_late is None and result.working_days_needed is None
    assert not result.on_track
    # The sets could still do it: 500 turns a day finish on the first day.
    assert result.by_capacity == dt.date(2011, 10, 17)


def test_no_closed_day_gives_no_pace_and_says_so() -> None:
    result = forecast(
        kode="k",
        nama="k",
        history=[],
        remaining=10,
        calendar=calendar(MONDAY, 5),
        deadline=DEADLINE,
    )
    assert result.status is Status.NO_HISTORY and result.pace is None and result.expected is None


def test_interval_widens_with_the_spread_of_the_weekly_rates() -> None:
    remaining_days = calendar(dt.date(2011, 10, 31), 200)
    steady = forecast(
        kode="k",
        nama="k",
        history=history([[100] * 5] * 4),
        remaining=3_000,
        calendar=remaining_days,
        deadline=DEADLINE,
    )
    # Same mean (100 a day), weekly rates 80, 120, 80, 120 then 50, 150, 50, 150.
    narrow = forecast(
        kode="k",
        nama="k",
        history=history([[80] * 5, [120] * 5, [80] * 5, [120] * 5]),
        remaining=3_000,
        calendar=remaining_days,
        deadline=DEADLINE,
    )
    wide = forecast(
        kode="k",
        nama="k",
        history=history([[50] * 5, [150] * 5, [50] * 5, [150] * 5]),
        remaining=3_000,
        calendar=remaining_days,
        deadline=DEADLINE,
    )
    assert steady.expected == narrow.expected == wide.expected
    for result in (narrow, wide):
        assert result.earliest is not None and result.latest is not None
        assert result.expected is not None
        assert result.earliest < result.expected < result.latest
    assert narrow.earliest is not None and narrow.latest is not None
    assert wide.earliest is not None and wide.latest is not None
    assert wide.earliest < narrow.earliest and wide.latest > narrow.latest
    # sd of 50, 150, 50, 150 (sample) is 57.7: the latest finish uses 42.3 a day.
    assert wide.pace is not None and wide.pace.low == pytest.approx(100 - 57.735, abs=1e-3)
    assert wide.working_days_needed == 30
    assert wide.latest == remaining_days[days_needed(3_000, wide.pace.low) - 1].date  # type: ignore[operator]


def test_holidays_are_skipped_when_counting_working_days() -> None:
    holidays = frozenset({dt.date(2011, 11, 7), dt.date(2011, 11, 8)})  # Idul Adha, cuti
    with_holidays = calendar(dt.date(2011, 10, 31), 30, skip=holidays)
    result = forecast(
        kode="k",
        nama="k",
        history=history([[100] * 5]),
        remaining=1_000,
        calendar=with_holidays,
        deadline=DEADLINE,
    )
    # Without the holidays: Friday 11 November; two days closed push it to Tuesday 15.
    assert result.expected == dt.date(2011, 11, 15)


def test_pace_is_the_mean_of_the_last_weeks_rates_per_closed_day() -> None:
    # Week 1 is older than the 2 weeks asked for; week 3 has 2 closed days (a short week).
    past = history([[1_000] * 5, [100] * 5, [300, 100]])
    rates = weekly_rates(past, 2)
    assert [(week.monday, week.days, week.recorded) for week in rates] == [
        (dt.date(2011, 10, 10), 5, 500),
        (dt.date(2011, 10, 17), 2, 400),
    ]
    pace = recent_pace(past, 2)
    assert pace is not None and pace.mean == pytest.approx((100 + 200) / 2)


def test_capacity_finish_is_where_the_summed_capacity_reaches_the_remaining() -> None:
    days = [
        WorkingDay(MONDAY + dt.timedelta(days=i), capacity)
        for i, capacity in enumerate((100, 0, 250, 100))
    ]
    result = forecast(
        kode="k", nama="k", history=[(MONDAY, 1)], remaining=350, calendar=days, deadline=MONDAY
    )
    assert result.by_capacity == MONDAY + dt.timedelta(days=2)
    assert not result.capacity_on_track
    assert result.capacity_until_deadline == 100


def test_a_pace_too_slow_for_the_calendar_says_beyond_and_gives_no_date() -> None:
    result = forecast(
        kode="k",
        nama="k",
        history=history([[1] * 5]),
        remaining=10_000,
        calendar=calendar(MONDAY, 100),
        deadline=DEADLINE,
    )
    assert result.status is Status.BEYOND_CALENDAR
    assert result.expected is None and result.working_days_needed == 10_000


def test_nobody_remaining_is_done_on_the_last_recorded_day() -> None:
    past = history([[50] * 5])
    result = forecast(
        kode="k",
        nama="k",
        history=past,
        remaining=0,
        calendar=calendar(MONDAY, 5),
        deadline=DEADLINE,
    )
    assert result.status is Status.DONE and result.on_track
    assert result.expected == dt.date(2011, 10, 7) and result.days_late == 0


def test_required_pace_spreads_the_remaining_over_the_working_days_to_the_deadline() -> None:
    result = forecast(
        kode="k",
        nama="k",
        history=history([[10] * 5]),
        remaining=1_000,
        calendar=calendar(dt.date(2011, 12, 26), 10),
        deadline=dt.date(2011, 12, 30),
    )
    assert result.working_days_left == 5 and result.required_pace == 200


def test_city_calendar_and_history_sum_their_kecamatan() -> None:
    a = [WorkingDay(MONDAY, 10), WorkingDay(MONDAY + dt.timedelta(days=1), 5)]
    b = [WorkingDay(MONDAY, 7), WorkingDay(MONDAY + dt.timedelta(days=5), 3)]
    assert combined_calendar([a, b]) == [
        WorkingDay(MONDAY, 17),
        WorkingDay(MONDAY + dt.timedelta(days=1), 5),
        WorkingDay(MONDAY + dt.timedelta(days=5), 3),
    ]
    assert combined_history([[(MONDAY, 2)], [(MONDAY, 3), (dt.date(2011, 10, 4), 1)]]) == [
        (MONDAY, 5),
        (dt.date(2011, 10, 4), 1),
    ]


def test_asking_for_no_weeks_is_refused() -> None:
    with pytest.raises(ValueError, match="weeks"):
        weekly_rates([(MONDAY, 1)], 0)


def test_the_calendars_of_one_set_per_configuration_equal_each_sites_own_calendar() -> None:
    from collections import defaultdict
    from dataclasses import replace
    from importlib import resources

    from ektp.monitoring.forecast_service import Capacity, _calendars, _capacities
    from ektp.scheduling.campaign import load_campaign
    from ektp.sites.calendar import build_calendar
    from ektp.sites.capacity import SetChange

    path = resources.files("ektp.scenarios").joinpath("palembang-2011.toml")
    with resources.as_file(path) as file:
        campaign = load_campaign(file)
    first, last = dt.date(2011, 10, 20), dt.date(2012, 3, 31)
    # One site breaks a set, gets two more and closes a day of its own; another has none.
    changed = replace(
        campaign.sites[5],
        sets_history=(
            SetChange(dt.date(2011, 11, 1), -1, "broken"),
            SetChange(dt.date(2011, 12, 1), 2, "added"),
        ),
        closed_dates=frozenset({dt.date(2011, 11, 15)}),
    )
    idle = replace(campaign.sites[6], sets=0)
    sites = (*campaign.sites[:5], changed, idle, *campaign.sites[7:])
    definition = replace(campaign, sites=sites)
    expected: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for site in sites:
        own = build_calendar(site, first, last, campaign.closed)
        for day, capacity in zip(own.days, own.capacity.tolist(), strict=True):
            expected[site.kecamatan][day] += capacity
    found = _calendars(definition, first, last)
    assert set(found) == set(expected)
    for kode, days in found.items():
        assert [(day.date, day.capacity) for day in days] == sorted(expected[kode].items()), kode
    city = Capacity.total(list(_capacities(definition, first, last).values())).working_days()
    assert city == combined_calendar(list(found.values()))

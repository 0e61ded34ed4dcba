"""The demo pipeline's calendar and seeded chances, without a database."""

from __future__ import annotations

import datetime as dt

from ektp.cards.demo_pipeline_rules import (
    Rates,
    central_arrival,
    draw,
    is_office_day,
    local_arrival,
    local_day,
    local_time,
    pickup,
    print_cutoff,
    representative_nik,
    spread,
)

RATES = Rates()
MONDAY = dt.date(2011, 10, 3)


def test_offices_close_on_weekends_and_independence_day() -> None:
    assert is_office_day(MONDAY)
    assert not is_office_day(dt.date(2011, 10, 8))  # Saturday
    assert not is_office_day(dt.date(2011, 8, 17))  # a Wednesday, Hari Kemerdekaan


def test_local_times_are_palembang_hours_and_stay_on_their_day() -> None:
    evening = local_time(MONDAY, 21)
    assert evening == dt.datetime(2011, 10, 3, 14, tzinfo=dt.UTC)
    assert local_day(evening) == MONDAY and local_day(evening.replace(tzinfo=None)) == MONDAY


def test_draws_are_fixed_by_their_inputs_and_differ_between_them() -> None:
    assert draw(7, "a", 1) == draw(7, "a", 1)
    values = {draw(7, "a", n) for n in range(1000)}
    assert len(values) == 1000 and all(0 <= v < 1 for v in values)
    assert draw(8, "a", 1) != draw(7, "a", 1)


def test_the_centre_prints_on_mondays_the_cards_of_one_to_two_weeks_before() -> None:
    cutoffs = [print_cutoff(seed, MONDAY, RATES) for seed in range(50)]
    lags = {(MONDAY - cutoff).days for cutoff in cutoffs if cutoff is not None}
    assert len(lags) > 1 and lags <= set(range(7, 13))
    assert print_cutoff(1, MONDAY + dt.timedelta(days=1), RATES) is None  # Tuesday


def test_shipments_arrive_on_office_days_after_their_transit() -> None:
    friday = dt.date(2011, 10, 7)
    for number in (f"KRM-20111007-{n:04d}" for n in range(1, 40)):
        arrival = central_arrival(3, number, friday, RATES)
        assert is_office_day(arrival) and 2 <= (arrival - friday).days <= 6
    assert local_arrival(friday) == dt.date(2011, 10, 10)


def test_most_residents_collect_within_a_month_and_some_send_a_representative() -> None:
    chosen = [pickup(5, card_id, 0, MONDAY, RATES) for card_id in range(4000)]
    within = sum((p.day - MONDAY).days <= 30 for p in chosen) / len(chosen)
    wakil = sum(p.representative for p in chosen) / len(chosen)
    late = [p for p in chosen if p.late]
    assert 0.85 < within < 0.97
    assert 0.08 < wakil < 0.16
    assert late and all((p.day - MONDAY).days >= 95 for p in late)
    assert all(p.day > MONDAY and is_office_day(p.day) for p in chosen)


def test_a_busy_office_works_faster_rather_than_past_its_hours() -> None:
    start = local_time(MONDAY, 9)
    few = spread(start, 3, dt.timedelta(hours=6), dt.timedelta(minutes=4))
    many = spread(start, 10_000, dt.timedelta(hours=6), dt.timedelta(minutes=4))
    assert few[1] - few[0] == dt.timedelta(minutes=4)
    assert many[-1] < start + dt.timedelta(hours=6)
    assert len(representative_nik(1, 42, "16.71.06")) == 16

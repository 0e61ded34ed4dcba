"""Issue 6's "done means" on the full Palembang scenario (1.2 million wajib KTP) after a
simulated month, with the pure modules the pages use: which kecamatan are below target, when
the city finishes, and how many sets each kecamatan needs to finish in 2011, each figure
redone here by hand from the capacity formula.

The month: Monday 3 to Monday 31 October 2011, 21 working days (no holiday falls on a
weekday). Ilir Timur I records 250 a day and Ilir Timur II 280, under the target of 300, as
the newspaper report says; the other fourteen kecamatan 350 a day.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import numpy as np
import pytest

from ektp.monitoring import alerts, forecast
from ektp.monitoring.forecast_service import _calendars
from ektp.planning.equipment import needs
from ektp.planning.whatif import KecamatanSites, covering_input
from ektp.residents.population_plan import population_plan
from ektp.scenarios import load_scenario
from ektp.scheduling.campaign import Campaign, load_campaign

IT1, IT2 = "16.71.05", "16.71.06"
PACE = {IT1: 250, IT2: 280}
OTHERS = 350
NOVEMBER = dt.date(2011, 11, 1)


@pytest.fixture(scope="module")
def palembang() -> Campaign:
    path = resources.files("ektp.scenarios").joinpath("palembang-2011.toml")
    with resources.as_file(path) as file:
        return load_campaign(file)


@pytest.fixture(scope="module")
def wajib(palembang: Campaign) -> dict[str, int]:
    plan, _ = population_plan(
        scenario=load_scenario("palembang-2011"),
        scenario_name="palembang-2011",
        city="16.71",
        edition="2016",
        scale=1,
    )
    return {site.kecamatan: plan.wajib_by_kecamatan[site.kecamatan] for site in palembang.sites}


def october(palembang: Campaign) -> list[dt.date]:
    days = [dt.date(2011, 10, 3) + dt.timedelta(days=n) for n in range(29)]
    return [day for day in days if day.weekday() < 5 and not palembang.closed.is_closed(day)]


def working_days_from(palembang: Campaign, first: dt.date, count: int) -> dt.date:
    """Return the ``count``-th Monday-to-Friday day from ``first`` that is no holiday."""
    day, seen = first, 0
    while True:
        if day.weekday() < 5 and not palembang.closed.is_closed(day):
            seen += 1
            if seen == count:
                return day
        day += dt.timedelta(days=1)


def test_a_month_of_palembang_names_the_kecamatan_below_target_and_when_the_city_finishes(
    palembang: Campaign, wajib: dict[str, int]
) -> None:
    days = october(palembang)
    assert len(days) == 21 and sum(wajib.values()) == 1_200_000
    history = {kode: [(day, PACE.get(kode, OTHERS)) for day in days] for kode in wajib}
    closed = [
        alerts.KecamatanDayFigures(kode, day, recorded, palembang.target_per_kecamatan_per_day or 0)
        for kode, rows in history.items()
        for day, recorded in rows
    ]
    below = alerts.below_target(closed, min_days=palembang.alerts.below_target_days)
    assert [(alert.area, alert.value) for alert in below] == [(IT1, 21), (IT2, 21)]

    # The city: 250 + 280 + 14 x 350 = 5,430 a day, 114,030 in the month, 1,085,970 left.
    per_day = 250 + 280 + 14 * 350
    remaining = 1_200_000 - 21 * per_day
    assert (per_day, remaining) == (5_430, 1_085_970)
    calendars = _calendars(palembang, NOVEMBER, dt.date(2014, 12, 31))
    city = forecast.forecast(
        kode="16.71",
        nama="Palembang",
        history=forecast.combined_history(list(history.values())),
        remaining=remaining,
        calendar=forecast.combined_calendar(list(calendars.values())),
        deadline=palembang.deadline,
    )
    # 1,085,970 / 5,430 = 199.99: the 200th working day from 1 November 2011.
    assert city.working_days_needed == 200
    assert city.expected == working_days_from(palembang, NOVEMBER, 200)
    assert city.expected is not None and city.expected.year == 2012
    assert city.status is forecast.Status.LATE
    # By capacity, reserve included: 33 sets x 220 turns = 7,260 a day; 149.6 -> 150 days.
    assert city.by_capacity == working_days_from(palembang, NOVEMBER, 150)


def test_a_month_of_palembang_gives_each_kecamatans_sets_for_2011_by_the_formula(
    palembang: Campaign, wajib: dict[str, int]
) -> None:
    remaining = {kode: count - 21 * PACE.get(kode, OTHERS) for kode, count in wajib.items()}
    found = needs(
        covering_input(
            [
                KecamatanSites(kode, kode, left, palembang.sites_of(kode))
                for kode, left in remaining.items()
            ],
            closed=palembang.closed,
            first_day=NOVEMBER,
            deadline=palembang.deadline,
        )
    )
    # From 1 November: 22 open days in November, 21 in December (26 December is cuti
    # bersama); one set books 80 + 60 + (80 - 16) = 204 turns a day, reserve excluded.
    per_set = (22 + 21) * 204
    assert per_set == 8_772
    lines = {line.kode_kecamatan: line for line in found.lines}
    for kode, left in remaining.items():
        line = lines[kode]
        assert line.per_set_capacity_until_deadline == per_set
        assert line.sets_needed == -(-left // per_set), kode
        assert line.additional_sets == max(line.sets_needed - line.sets_now, 0)
    # Ilir Timur II: 138,000 - 21 x 280 = 132,120; 132,120 / 8,772 = 15.06 -> 16 sets, 13 more.
    assert wajib[IT2] == 138_000
    it2 = lines[IT2]
    assert (it2.remaining, it2.sets_now, it2.sets_needed, it2.additional_sets) == (
        132_120,
        3,
        16,
        13,
    )
    assert it2.finish_with_needed is not None and it2.finish_with_needed <= palembang.deadline
    assert found.total_additional == int(
        np.sum([line.additional_sets or 0 for line in found.lines])
    )

"""The equipment planner: the Palembang hand calculation, agreement with the plan report, and
optimality of both answers proven against brute force on small cases."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from importlib import resources

import numpy as np
import pytest

from ektp.planning.equipment import (
    PlannerInput,
    allocate_budget,
    greedy_budget,
    latest_finish_index,
    needs,
)
from ektp.planning.whatif import KecamatanSites, WhatIf, compare, covering_input, planner_input
from ektp.residents.population_plan import population_plan
from ektp.scenarios import load_scenario
from ektp.scheduling.campaign import Campaign, load_campaign
from ektp.scheduling.report import extra_sets_needed
from ektp.sites.calendar import build_calendar

IT2 = "16.71.06"
FIRST = dt.date(2011, 10, 3)


@pytest.fixture(scope="module")
def palembang() -> Campaign:
    path = resources.files("ektp.scenarios").joinpath("palembang-2011.toml")
    with resources.as_file(path) as file:
        return load_campaign(file)


def _kecamatan(campaign: Campaign, remaining: dict[str, int]) -> list[KecamatanSites]:
    return [
        KecamatanSites(kode, kode, remaining[kode], campaign.sites_of(kode)) for kode in remaining
    ]


def test_ilir_timur_ii_needs_eleven_sets_by_the_hand_calculation(palembang: Campaign) -> None:
    # Open days from Monday 3 October to 31 December 2011, Monday to Friday:
    # October 3-31: 21; November: 22 (Idul Adha 6 Nov and 1 Muharram 27 Nov fall on Sundays);
    # December: 22 less the cuti bersama of Monday 26 December = 21. Together 64.
    open_days = 21 + 22 + 21
    # One set, 3 minutes a person: pagi 240/3 = 80, siang 180/3 = 60, malam 240/3 = 80 less
    # a 20 % reserve ceil(16) = 64. 80 + 60 + 64 = 204 bookable turns a day.
    per_day = 240 // 3 + 180 // 3 + (240 // 3 - 16)
    per_set_until_deadline = open_days * per_day
    assert per_set_until_deadline == 13_056
    remaining = 138_016  # Ilir Timur II's wajib KTP in the full-scale demo on 3 October
    sets_needed = -(-remaining // per_set_until_deadline)  # 138,016 / 13,056 = 10.57
    assert sets_needed == 11

    found = needs(
        planner_input(
            _kecamatan(palembang, {IT2: remaining}),
            closed=palembang.closed,
            first_day=FIRST,
            deadline=palembang.deadline,
            last_day=dt.date(2012, 12, 31),
        )
    )
    line = found.lines[0]
    assert (line.sets_now, line.open_days_until_deadline) == (3, open_days)
    assert line.per_set_capacity_until_deadline == per_set_until_deadline
    assert (line.sets_needed, line.additional_sets) == (11, 8)
    assert line.finish_with_needed is not None and line.finish_with_needed <= palembang.deadline
    assert line.finish_now is not None and line.finish_now > palembang.deadline
    assert not line.deadline_met_now


def test_the_planner_agrees_with_the_plan_report_on_every_palembang_kecamatan(
    palembang: Campaign,
) -> None:
    scenario = load_scenario("palembang-2011")
    plan, _ = population_plan(
        scenario=scenario, scenario_name="palembang-2011", city="16.71", edition="2016", scale=1
    )
    remaining = {
        site.kecamatan: plan.wajib_by_kecamatan[site.kecamatan] for site in palembang.sites
    }
    found = needs(
        covering_input(
            _kecamatan(palembang, remaining),
            closed=palembang.closed,
            first_day=FIRST,
            deadline=palembang.deadline,
        )
    )
    for line, site in zip(found.lines, palembang.sites, strict=True):
        calendar = build_calendar(site, FIRST, palembang.deadline, palembang.closed)
        report = extra_sets_needed(calendar, line.remaining, palembang.deadline)
        assert line.additional_sets == report, site.kecamatan
    assert found.total_additional == sum(line.additional_sets or 0 for line in found.lines)


def _random_input(rng: random.Random, units: int, days: int) -> PlannerInput:
    return PlannerInput(
        first_day=FIRST,
        deadline=FIRST + dt.timedelta(days=rng.randrange(days)),
        codes=tuple(f"k{unit}" for unit in range(units)),
        remaining=np.asarray([rng.choice((0, rng.randint(1, 40))) for _ in range(units)]),
        sets_now=np.asarray([rng.randint(0, 2) for _ in range(units)]),
        per_set=np.asarray(
            [[rng.choice((0, 0, 1, 2, 3, 5)) for _ in range(days)] for _ in range(units)]
        ),
    )


def _finishes_by_deadline(input_: PlannerInput, given: tuple[int, ...]) -> bool:
    finish = input_.finish_indexes(input_.sets_now + np.asarray(given))
    return bool(((finish == -2) | ((finish >= 0) & (finish <= input_.deadline_index))).all())


@pytest.mark.parametrize("case", range(150))
def test_fewest_additional_sets_match_brute_force(case: int) -> None:
    rng = random.Random(case)
    input_ = _random_input(rng, units=3, days=rng.randint(1, 8))
    most = 12
    feasible = [
        given
        for given in itertools.product(range(most + 1), repeat=3)
        if _finishes_by_deadline(input_, given)
    ]
    found = needs(input_)
    if not feasible:
        assert found.total_additional is None or any(
            (line.additional_sets or 0) > most for line in found.lines
        )
        return
    fewest = min(sum(given) for given in feasible)
    assert found.total_additional == fewest
    answer = tuple(line.additional_sets for line in found.lines)
    assert answer in feasible


@pytest.mark.parametrize("case", range(150))
def test_a_budget_minimises_the_latest_finish_as_brute_force_does(case: int) -> None:
    rng = random.Random(1000 + case)
    input_ = _random_input(rng, units=3, days=rng.randint(1, 10))
    budget = rng.randint(0, 6)
    best = min(
        latest_finish_index(input_, np.asarray(given))
        for given in itertools.product(range(budget + 1), repeat=3)
        if sum(given) <= budget
    )
    plan = allocate_budget(input_, budget)
    given = np.asarray([line.sets_given for line in plan.lines])
    assert int(given.sum()) + plan.sets_left == budget
    assert latest_finish_index(input_, given) == best
    greedy = greedy_budget(input_, budget)
    assert int(greedy.sum()) <= budget
    assert latest_finish_index(input_, greedy) == best


def test_a_budget_goes_to_the_kecamatan_that_finishes_last() -> None:
    input_ = PlannerInput(
        first_day=FIRST,
        deadline=FIRST + dt.timedelta(days=9),
        codes=("a", "b"),
        remaining=np.asarray([100, 10]),
        sets_now=np.asarray([1, 1]),
        per_set=np.full((2, 200), 10),
    )
    plan = allocate_budget(input_, 1)
    assert [line.sets_given for line in plan.lines] == [1, 0]
    # a: 100 residents at 10 a day: day 10 (index 9) alone, day 5 (index 4) with two sets.
    assert plan.latest_finish_now == FIRST + dt.timedelta(days=9)
    assert plan.latest_finish_after == FIRST + dt.timedelta(days=4)


def test_what_ifs_change_the_per_set_capacity_as_the_formula_says(palembang: Campaign) -> None:
    kecamatan = _kecamatan(palembang, {IT2: 138_016, "16.71.07": 50_000})
    kwargs = {"closed": palembang.closed, "first_day": FIRST, "deadline": palembang.deadline}
    saturday = compare(kecamatan, WhatIf(saturday=True), **kwargs)
    # 13 Saturdays from 8 October to 31 December, none a holiday: 77 open days of 204.
    assert saturday.after.lines[0].per_set_capacity_until_deadline == 77 * 204
    no_evening = compare(kecamatan, WhatIf(evening=False), **kwargs)
    assert no_evening.after.lines[0].per_set_capacity_until_deadline == 64 * (80 + 60)
    slower = compare(kecamatan, WhatIf(minutes_per_person=4), **kwargs)
    # 4 minutes: pagi 60, siang 45, malam 60 less ceil(12) = 48; 153 a day.
    assert slower.after.lines[0].per_set_capacity_until_deadline == 64 * 153
    moved = compare(kecamatan, WhatIf(move_from="16.71.07", move_to=IT2), **kwargs)
    assert [line.sets_now for line in moved.after.lines] == [4, 1]
    assert moved.after.lines[0].additional_sets == 7
    assert saturday.additional_sets_saved is not None and saturday.additional_sets_saved > 0


def test_bad_input_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="remaining must not be negative"):
        PlannerInput(
            first_day=FIRST,
            deadline=FIRST,
            codes=("a",),
            remaining=np.asarray([-1]),
            sets_now=np.asarray([1]),
            per_set=np.ones((1, 3), dtype=np.int64),
        )
    with pytest.raises(ValueError, match="reach the deadline"):
        PlannerInput(
            first_day=FIRST,
            deadline=FIRST + dt.timedelta(days=5),
            codes=("a",),
            remaining=np.asarray([1]),
            sets_now=np.asarray([1]),
            per_set=np.ones((1, 3), dtype=np.int64),
        )
    with pytest.raises(ValueError, match="two different kecamatan"):
        WhatIf(move_from="16.71.01", move_to="16.71.01")


def test_a_kecamatan_no_set_can_serve_is_impossible_not_zero() -> None:
    input_ = PlannerInput(
        first_day=FIRST,
        deadline=FIRST + dt.timedelta(days=2),
        codes=("a", "b"),
        remaining=np.asarray([5, 0]),
        sets_now=np.asarray([1, 1]),
        per_set=np.zeros((2, 3), dtype=np.int64),
    )
    found = needs(input_)
    assert found.lines[0].sets_needed is None and found.total_additional is None
    assert found.lines[1].sets_needed == 0 and found.lines[1].deadline_met_now

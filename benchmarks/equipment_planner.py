"""Time the equipment planner: Palembang's 16 kecamatan, and a synthetic national campaign.

Run: ``.venv/bin/python benchmarks/equipment_planner.py`` (``--kabupaten 20`` for a quick
check; the national case is 500 kabupaten/kota of about 14 kecamatan each, ~7,000).

Palembang: the shipped scenario, wajib KTP per kecamatan from its population plan, planned
from the campaign's start; timed from the sites to the answers (calendars built, answer a,
a budget of 20 sets). National: each kabupaten/kota gets its own sessions (with or without
malam and Saturday), minutes per person (3-6) and closed days; each kecamatan 1-4 sets and
5,000-150,000 residents left; the deadline is 31 December 2011 and the horizon runs to the
end of 2013. The holiday tables' first load is timed apart. Goals: 16 kecamatan under
1 s, the national case under 60 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import time
from importlib import resources

from ektp.planning.equipment import allocate_budget, needs
from ektp.planning.whatif import KecamatanSites, covering_input, planner_input
from ektp.residents.population_plan import population_plan
from ektp.scenarios import load_scenario
from ektp.scheduling.campaign import load_campaign
from ektp.sites.capacity import ClosedDays, SessionTemplate, Site, holidays_for

START = dt.date(2011, 10, 3)
DEADLINE = dt.date(2011, 12, 31)
HORIZON = dt.date(2013, 12, 31)


def palembang() -> tuple[float, float, int | None]:
    """Return seconds for the inputs, for the answers, and the additional sets needed."""
    path = resources.files("ektp.scenarios").joinpath("palembang-2011.toml")
    with resources.as_file(path) as file:
        campaign = load_campaign(file)
    scenario = load_scenario("palembang-2011")
    plan, _ = population_plan(
        scenario=scenario, scenario_name="palembang-2011", city="16.71", edition="2016", scale=1
    )
    order = list(dict.fromkeys(site.kecamatan for site in campaign.sites))
    kecamatan = [
        KecamatanSites(kode, kode, plan.wajib_by_kecamatan[kode], campaign.sites_of(kode))
        for kode in order
    ]
    started = time.perf_counter()
    found = covering_input(
        kecamatan, closed=campaign.closed, first_day=campaign.start, deadline=campaign.deadline
    )
    built = time.perf_counter()
    answer = needs(found)
    allocate_budget(found, 20)
    return built - started, time.perf_counter() - built, answer.total_additional


def _sessions(rng: random.Random) -> tuple[tuple[SessionTemplate, ...], dict[str, float]]:
    weekdays = frozenset(range(6)) if rng.random() < 0.3 else frozenset(range(5))
    sessions = [
        SessionTemplate("pagi", dt.time(8), dt.time(12), weekdays),
        SessionTemplate("siang", dt.time(13), dt.time(16), weekdays),
    ]
    shares: dict[str, float] = {}
    if rng.random() < 0.6:
        sessions.append(SessionTemplate("malam", dt.time(16), dt.time(20), weekdays))
        shares["malam"] = rng.choice((0.1, 0.2, 0.25))
    return tuple(sessions), shares


def national(kabupaten: int, seed: int) -> tuple[int, float, float, int | None, str | None]:
    """Return kecamatan, seconds for the inputs and the answers, extra sets, latest finish."""
    rng = random.Random(seed)
    closed = ClosedDays()
    kecamatan: list[KecamatanSites] = []
    for number in range(kabupaten):
        sessions, shares = _sessions(rng)
        template = Site(
            code="",
            kecamatan="",
            sets=1,
            sessions=sessions,
            minutes_per_person=rng.randint(3, 6),
            reserve_shares=shares,
            closed_dates=frozenset({START + dt.timedelta(days=rng.randrange(60))}),
        )
        for index in range(rng.randint(7, 21)):
            kode = f"{number // 100 + 11:02d}.{number % 100 + 1:02d}.{index + 1:02d}"
            site = dataclasses.replace(template, code=kode, kecamatan=kode, sets=rng.randint(1, 4))
            kecamatan.append(KecamatanSites(kode, kode, rng.randint(5_000, 150_000), (site,)))
    started = time.perf_counter()
    found = planner_input(
        kecamatan, closed=closed, first_day=START, deadline=DEADLINE, last_day=HORIZON
    )
    built = time.perf_counter()
    answer = needs(found)
    budget = allocate_budget(found, 5_000)
    latest = budget.latest_finish_after
    return (
        len(kecamatan),
        built - started,
        time.perf_counter() - built,
        answer.total_additional,
        latest.isoformat() if latest else None,
    )


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kabupaten", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2011)
    args = parser.parse_args()
    # The holiday tables are loaded once per process (the library imports its country
    # modules on first use, ~1-2 s); a server or CLI pays it once, so it is timed apart.
    started = time.perf_counter()
    holidays_for(range(2011, 2015))
    print(f"holiday tables, first use: {time.perf_counter() - started:.2f} s (not counted)")
    inputs, answers, extra = palembang()
    print(
        f"palembang 16 kecamatan: inputs {inputs:.3f} s, answers {answers:.3f} s, "
        f"total {inputs + answers:.3f} s (goal < 1 s); additional sets {extra}"
    )
    count, inputs, answers, extra, latest = national(args.kabupaten, args.seed)
    print(
        f"national {args.kabupaten} kabupaten/kota, {count} kecamatan: inputs {inputs:.2f} s, "
        f"answers (needs + budget of 5,000) {answers:.2f} s, total {inputs + answers:.2f} s "
        f"(goal < 60 s); additional sets {extra}, latest finish with the budget {latest}"
    )


if __name__ == "__main__":
    main()

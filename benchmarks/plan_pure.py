"""Time the pure planner on a Palembang-sized city: 1.2 M wajib KTP, ~300 k KK, ~4,500 RTs.

Run: ``.venv/bin/python benchmarks/plan_pure.py`` (``--scale 0.05`` for a quick check).
The 16 kecamatan get residents in proportion to the 2010 census, one office each with 2 sets
(Ilir Timur II: 3), the default sessions and a 20 % malam reserve. Households hold 1 + a
Poisson(3) number of residents (mean about 4, as 1.2 M / 300 k). Prints seconds per stage
and the peak memory (Python allocations, numpy's included, and the process's peak RSS).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import resource
import time
import tracemalloc
from importlib import resources

import numpy as np

from ektp.scheduling.planner import SiteDemand, plan_site
from ektp.scheduling.report import KecamatanReport, kecamatan_report, site_outcome
from ektp.sites.calendar import calendar_covering
from ektp.sites.capacity import ClosedDays, SessionTemplate, Site, holidays_for

WAJIB_KTP = 1_200_000
RESIDENTS_PER_RT = 1_200_000 / 4_500
START = dt.date(2011, 10, 3)
DEADLINE = dt.date(2011, 12, 31)
SESSIONS = (
    SessionTemplate("pagi", dt.time(8), dt.time(12)),
    SessionTemplate("siang", dt.time(13), dt.time(16)),
    SessionTemplate("malam", dt.time(16), dt.time(20)),
)


def kecamatan_rows() -> list[tuple[str, str, int]]:
    """Return (kode, nama, 2010 census population) of Palembang's 16 kecamatan."""
    data = resources.files("ektp.regions").joinpath("data", "palembang-2011-kecamatan.csv")
    with data.open(encoding="utf-8") as handle:
        return [
            (row["kode"], row["nama"], int(row["penduduk_sensus_2010"]))
            for row in csv.DictReader(handle)
        ]


def synthetic_demand(kode: str, residents: int, rng: np.random.Generator) -> SiteDemand:
    """Return one kecamatan's RTs and households, adding up to ``residents`` exactly."""
    sizes = 1 + rng.poisson(3.0, size=residents // 3 + 10).astype(np.int64)
    cut = int(np.searchsorted(np.cumsum(sizes), residents))
    sizes = sizes[: cut + 1]
    sizes[-1] -= int(sizes.sum()) - residents
    sizes = sizes[sizes > 0]
    rts = max(1, round(residents / RESIDENTS_PER_RT))
    bounds = np.sort(rng.choice(np.arange(1, len(sizes)), size=rts - 1, replace=False))
    counts = np.diff(np.concatenate(([0], bounds, [len(sizes)]))).astype(np.int64)
    return SiteDemand(
        rt_keys=tuple(
            f"{kode}.{rt // 40 + 1001}/{rt % 40 // 8 + 1:03d}/{rt % 8 + 1:03d}" for rt in range(rts)
        ),
        household_counts=counts,
        household_sizes=sizes,
    )


def plan_city(
    rows: list[tuple[str, str, int]],
    sites: dict[str, Site],
    demands: dict[str, SiteDemand],
    closed: ClosedDays,
    seed: int,
) -> tuple[list[KecamatanReport], dict[str, float]]:
    """Return the kecamatan reports and the seconds each stage took."""
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    calendars = {
        kode: calendar_covering(sites[kode], START, closed, demands[kode].residents)
        for kode in demands
    }
    seconds["calendars"] = time.perf_counter() - began
    began = time.perf_counter()
    plans = {
        kode: plan_site(demands[kode], calendars[kode], seed=seed, kecamatan=kode)
        for kode in demands
    }
    seconds["rt_order + plan_site"] = time.perf_counter() - began
    began = time.perf_counter()
    invitations = sum(len(plan.resident_sessions()) for plan in plans.values())
    seconds["resident_sessions arrays"] = time.perf_counter() - began
    began = time.perf_counter()
    reports = [
        kecamatan_report(
            kode, nama, [site_outcome(calendars[kode], plans[kode], deadline=DEADLINE)]
        )
        for kode, nama, _ in rows
    ]
    seconds["reports (bounds, extra sets)"] = time.perf_counter() - began
    assert invitations == sum(demand.residents for demand in demands.values())
    assert all(plan.unplaced_residents == 0 for plan in plans.values())
    return reports, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 1.2 M to plan")
    parser.add_argument("--seed", type=int, default=2011)
    options = parser.parse_args()

    rng = np.random.default_rng(options.seed)
    rows = kecamatan_rows()
    census = sum(population for _, _, population in rows)
    wanted = round(WAJIB_KTP * options.scale)
    demands = {
        kode: synthetic_demand(kode, round(wanted * population / census), rng)
        for kode, _, population in rows
    }
    sites = {
        kode: Site(
            code=kode,
            kecamatan=kode,
            sets=3 if kode == "16.71.06" else 2,
            sessions=SESSIONS,
            reserve_shares={"malam": 0.2},
        )
        for kode, _, _ in rows
    }
    residents = sum(demand.residents for demand in demands.values())
    households = sum(len(demand.household_sizes) for demand in demands.values())
    rts = sum(len(demand.rt_keys) for demand in demands.values())
    print(f"city: {residents:,} residents, {households:,} households, {rts:,} RTs, 16 sites")

    closed = ClosedDays()
    began = time.perf_counter()
    holidays_for(range(START.year, START.year + 4))
    holidays_done = time.perf_counter()
    reports, seconds = plan_city(rows, sites, demands, closed, options.seed)
    tracemalloc.start()
    plan_city(rows, sites, demands, closed, options.seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"holidays 2011-2014 (first use): {holidays_done - began:7.3f} s")
    for stage, spent in seconds.items():
        print(f"{stage + ':':<32}{spent:7.3f} s")
    print(f"{'total without holidays:':<32}{sum(seconds.values()):7.3f} s")
    print(
        f"peak traced memory while planning: {peak / 2**20:.1f} MiB; process peak RSS: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB"
    )
    for report in reports:
        print(
            f"  {report.kode_kecamatan} {report.nama:<18} {report.residents:>8,} res "
            f"{report.sets} sets {report.daily_capacity}/day  last {report.last_day} "
            f"bound {report.lower_bound_last_day}  extra sets {report.extra_sets_needed}"
        )


if __name__ == "__main__":
    main()

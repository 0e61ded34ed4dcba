"""Small hand-made calendars, sites and cities shared by the planner tests."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ektp.scheduling.planner import SiteDemand
from ektp.sites.calendar import SessionCalendar
from ektp.sites.capacity import SessionTemplate, Site

SEED_IN_KEY_ORDER = 4
"""With kecamatan "K", this seed visits RTs "A", "B", "C", "D" in that order."""

MONDAY = dt.date(2011, 10, 3)
PAGI = SessionTemplate("pagi", dt.time(8), dt.time(12))
SIANG = SessionTemplate("siang", dt.time(13), dt.time(16))
MALAM = SessionTemplate("malam", dt.time(16), dt.time(20))


def calendar_of(
    bookable: list[int], *, per_day: int = 1, first_day: dt.date = MONDAY
) -> SessionCalendar:
    """Return a calendar whose sessions book exactly ``bookable`` (no reserve)."""
    count = len(bookable)
    return SessionCalendar(
        site_code="t",
        days=tuple(first_day + dt.timedelta(days=index // per_day) for index in range(count)),
        names=tuple(f"sesi{index % per_day}" for index in range(count)),
        sets=np.ones(count, dtype=np.int64),
        turns_per_set=np.asarray(bookable, dtype=np.int64),
        share_numerator=np.zeros(count, dtype=np.int64),
        share_denominator=np.ones(count, dtype=np.int64),
    )


def office(kecamatan: str, sets: int, *, code: str | None = None) -> Site:
    """Return a kecamatan office with the default sessions and a 20 % malam reserve."""
    return Site(
        code=code or kecamatan,
        kecamatan=kecamatan,
        sets=sets,
        sessions=(PAGI, SIANG, MALAM),
        reserve_shares={"malam": 0.2},
    )


def demand_of(*rts: list[int]) -> SiteDemand:
    """Return a demand with RTs "A", "B", ... holding households of the given sizes."""
    return SiteDemand.from_rts(
        {
            chr(ord("A") + rt): [(f"kk{rt}-{index}", size) for index, size in enumerate(sizes)]
            for rt, sizes in enumerate(rts)
        }
    )


REALISTIC_SIZES = (1, 2, 3, 4, 5, 6, 7)
REALISTIC_SHARES = (0.24, 0.34, 0.2, 0.12, 0.05, 0.03, 0.02)
"""Wajib KTP still to record per KK: mostly couples, singles and couples with a grown child."""


def realistic_demand(residents: int, rts: int, seed: int) -> SiteDemand:
    """Return ``rts`` RTs of random realistic households adding up to ``residents``."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice(REALISTIC_SIZES, size=residents, p=REALISTIC_SHARES).astype(np.int64)
    cut = int(np.searchsorted(np.cumsum(sizes), residents))
    sizes = sizes[: cut + 1]
    sizes[-1] -= int(sizes.sum()) - residents
    sizes = sizes[sizes > 0]
    bounds = np.sort(rng.choice(np.arange(1, len(sizes)), size=rts - 1, replace=False))
    counts = np.diff(np.concatenate(([0], bounds, [len(sizes)]))).astype(np.int64)
    return SiteDemand(
        rt_keys=tuple(f"RT{index:04d}" for index in range(rts)),
        household_counts=counts,
        household_sizes=sizes,
    )

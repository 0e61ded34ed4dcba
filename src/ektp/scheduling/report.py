"""How a plan stands against the deadline (pure): lower bound, extra sets, kecamatan reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ektp.scheduling.planner import IntArray, SiteDemand, SitePlan, plan_site
from ektp.sites.calendar import SessionCalendar, build_calendar, calendar_covering
from ektp.sites.capacity import ClosedDays, Site

_MOST_EXTRA_SETS = 10_000
_LONGEST_HORIZON = dt.timedelta(days=366 * 20)


def _room(calendar: SessionCalendar, booked: IntArray | None) -> IntArray:
    bookable = calendar.bookable
    return bookable if booked is None else np.maximum(bookable - booked, 0)


def lower_bound_last_day(
    calendar: SessionCalendar,
    residents: int,
    *,
    first_index: int = 0,
    booked: IntArray | None = None,
) -> dt.date | None:
    """Return the first day on which bookable turns summed from ``first_index`` reach
    ``residents``; no plan can end earlier. None when there is nobody, or not enough turns.
    """
    if residents <= 0:
        return None
    summed = np.cumsum(_room(calendar, booked)[first_index:])
    reached = int(np.searchsorted(summed, residents, side="left"))
    if reached == len(summed):
        return None
    return calendar.days[first_index + reached]


def _room_with(
    calendar: SessionCalendar, extra: int, first: int, end: int, booked: IntArray | None
) -> int:
    capacity = calendar.turns_per_set[first:end] * np.maximum(calendar.sets[first:end] + extra, 0)
    numerator = calendar.share_numerator[first:end]
    denominator = calendar.share_denominator[first:end]
    bookable = capacity - (-(-capacity * numerator // denominator))
    if booked is not None:
        bookable = np.maximum(bookable - booked[first:end], 0)
    return int(bookable.sum())


def extra_sets_needed(
    calendar: SessionCalendar,
    residents: int,
    deadline: dt.date,
    *,
    first_index: int = 0,
    booked: IntArray | None = None,
) -> int | None:
    """Return the fewest extra sets (working every session from ``first_index`` on) that
    bring the lower bound on or before ``deadline``: 0 when it already is, None when no
    number of sets can (no session before the deadline, or all of it held in reserve).

    Each extra set adds ``floor(minutes / minutes_per_person)`` turns to a session, and the
    session's reserve grows with it (it is a share of capacity), so the bookable turns are
    recomputed per candidate; they grow with the number of sets, so a binary search finds
    the fewest.
    """
    end = calendar.first_index_on_or_after(deadline + dt.timedelta(days=1))

    def enough(extra: int) -> bool:
        return _room_with(calendar, extra, first_index, end, booked) >= residents

    if residents <= 0 or enough(0):
        return 0
    high = 1
    while not enough(high):
        high *= 2
        if high > _MOST_EXTRA_SETS:
            return None
    low = high // 2
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle
    return high


@dataclass(frozen=True)
class SiteOutcome:
    """One site's plan against the deadline (the kecamatan report adds its sites up)."""

    site_code: str
    residents: int
    sets: int
    daily_capacity: int
    first_day: dt.date | None
    last_day: dt.date | None
    lower_bound_last_day: dt.date | None
    deadline_met: bool
    extra_sets_needed: int | None


def site_outcome(
    calendar: SessionCalendar,
    plan: SitePlan,
    *,
    deadline: dt.date,
    first_index: int = 0,
    booked: IntArray | None = None,
) -> SiteOutcome:
    """Return the site's figures: sets and capacity on its first day, days used, bounds.

    ``extra_sets_needed`` is 0 when the deadline is met, else at least 1: a plan can miss a
    deadline its lower bound meets (whole households leave a few turns empty), and one more
    set then closes the gap.
    """
    residents = int(plan.household_sizes.sum())
    used = plan.used_sessions()
    placed_all = plan.unplaced_residents == 0
    first_day = calendar.days[int(used[0])] if len(used) else None
    last_day = calendar.days[int(used[-1])] if len(used) and placed_all else None
    deadline_met = residents == 0 or (last_day is not None and last_day <= deadline)
    extra: int | None = 0
    if not deadline_met:
        needed = extra_sets_needed(
            calendar, residents, deadline, first_index=first_index, booked=booked
        )
        extra = None if needed is None else max(needed, 1)
    start = min(first_index, len(calendar) - 1)
    return SiteOutcome(
        site_code=calendar.site_code,
        residents=residents,
        sets=int(calendar.sets[start]) if len(calendar) else 0,
        daily_capacity=calendar.daily_capacity(calendar.days[start]) if len(calendar) else 0,
        first_day=first_day,
        last_day=last_day,
        lower_bound_last_day=lower_bound_last_day(
            calendar, residents, first_index=first_index, booked=booked
        ),
        deadline_met=deadline_met,
        extra_sets_needed=extra,
    )


@dataclass(frozen=True)
class KecamatanReport:
    """A kecamatan's plan in one line, as the Dinas reads it."""

    kode_kecamatan: str
    nama: str
    residents: int
    sets: int
    daily_capacity: int
    first_day: dt.date | None
    last_day: dt.date | None
    lower_bound_last_day: dt.date | None
    deadline_met: bool
    extra_sets_needed: int | None


def _earliest(days: Sequence[dt.date | None]) -> dt.date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _latest(days: Sequence[dt.date | None]) -> dt.date | None:
    known = [day for day in days if day is not None]
    return max(known) if known else None


def kecamatan_report(
    kode_kecamatan: str, nama: str, outcomes: Sequence[SiteOutcome]
) -> KecamatanReport:
    """Return the kecamatan's line from its sites' outcomes (sums, earliest, latest)."""
    extras = [outcome.extra_sets_needed for outcome in outcomes]
    return KecamatanReport(
        kode_kecamatan=kode_kecamatan,
        nama=nama,
        residents=sum(outcome.residents for outcome in outcomes),
        sets=sum(outcome.sets for outcome in outcomes),
        daily_capacity=sum(outcome.daily_capacity for outcome in outcomes),
        first_day=_earliest([outcome.first_day for outcome in outcomes]),
        last_day=_latest([outcome.last_day for outcome in outcomes]),
        lower_bound_last_day=_latest([outcome.lower_bound_last_day for outcome in outcomes]),
        deadline_met=all(outcome.deadline_met for outcome in outcomes),
        extra_sets_needed=None if None in extras else sum(extra or 0 for extra in extras),
    )


def plan_site_covering(
    site: Site,
    demand: SiteDemand,
    closed: ClosedDays,
    first_day: dt.date,
    *,
    seed: int,
    at_least_until: dt.date | None = None,
) -> tuple[SessionCalendar, SitePlan]:
    """Return a calendar from ``first_day`` long enough for everyone, and the plan on it."""
    calendar = calendar_covering(
        site, first_day, closed, demand.residents, at_least_until=at_least_until
    )
    while True:
        plan = plan_site(demand, calendar, seed=seed, kecamatan=site.kecamatan)
        if plan.unplaced_residents == 0:
            return calendar, plan
        span = max(calendar.days[-1] - first_day, dt.timedelta(days=31))
        if span > _LONGEST_HORIZON:
            raise ValueError(f"site {site.code} cannot place everyone within twenty years")
        calendar = build_calendar(site, first_day, first_day + 2 * span, closed)

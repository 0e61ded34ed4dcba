"""A site's sessions between two dates, with capacity, reserve and bookable turns (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ektp.sites.capacity import ClosedDays, Site, exact_share, sets_working

IntArray = npt.NDArray[np.int64]

_LONGEST_HORIZON = dt.timedelta(days=366 * 20)


def _ints(values: object) -> IntArray:
    return np.asarray(values, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class SessionCalendar:
    """Every session a site opens, in time order, as parallel arrays (one entry per session).

    ``turns_per_set`` is ``floor(minutes / minutes_per_person)``; capacity, reserve and
    bookable follow from it and from ``sets`` (see ``sites.capacity``). Sessions on a day
    with no working set stay in the calendar with capacity 0, so that extra sets can be
    added to them; the planner never books them.
    """

    site_code: str
    days: tuple[dt.date, ...]
    names: tuple[str, ...]
    sets: IntArray
    turns_per_set: IntArray
    share_numerator: IntArray
    share_denominator: IntArray
    capacity: IntArray = field(init=False)
    reserve: IntArray = field(init=False)
    bookable: IntArray = field(init=False)
    day_number: IntArray = field(init=False)
    working_days: tuple[dt.date, ...] = field(init=False)

    def __post_init__(self) -> None:
        size = len(self.days)
        if len(self.names) != size or any(
            len(array) != size
            for array in (
                self.sets,
                self.turns_per_set,
                self.share_numerator,
                self.share_denominator,
            )
        ):
            raise ValueError("calendar arrays must have one entry per session")
        if any(later < earlier for earlier, later in zip(self.days, self.days[1:], strict=False)):
            raise ValueError("calendar sessions must be in date order")
        capacity = self.turns_per_set * np.maximum(self.sets, 0)
        held_back = -(-capacity * self.share_numerator // self.share_denominator)
        working_days = tuple(sorted(set(self.days)))
        number_of = {day: number for number, day in enumerate(working_days)}
        object.__setattr__(self, "capacity", capacity)
        object.__setattr__(self, "reserve", held_back)
        object.__setattr__(self, "bookable", capacity - held_back)
        object.__setattr__(self, "working_days", working_days)
        object.__setattr__(self, "day_number", _ints([number_of[day] for day in self.days]))

    def __len__(self) -> int:
        return len(self.days)

    def with_extra_sets(self, extra: int, *, from_index: int = 0) -> SessionCalendar:
        """Return the same calendar with ``extra`` more sets from session ``from_index`` on."""
        sets = self.sets.copy()
        sets[from_index:] += extra
        return SessionCalendar(
            site_code=self.site_code,
            days=self.days,
            names=self.names,
            sets=sets,
            turns_per_set=self.turns_per_set,
            share_numerator=self.share_numerator,
            share_denominator=self.share_denominator,
        )

    def index_of(self, day: dt.date, name: str) -> int:
        """Return the index of the session ``name`` on ``day``, or -1 when there is none."""
        start = self.first_index_on_or_after(day)
        for index in range(start, len(self.days)):
            if self.days[index] != day:
                break
            if self.names[index] == name:
                return index
        return -1

    def first_index_on_or_after(self, day: dt.date) -> int:
        """Return the first session on or after ``day`` (``len(self)`` when none is)."""
        low, high = 0, len(self.days)
        while low < high:
            middle = (low + high) // 2
            if self.days[middle] < day:
                low = middle + 1
            else:
                high = middle
        return low

    def daily_capacity(self, day: dt.date) -> int:
        """Return the turns offered on ``day`` (reserve included), 0 on a closed day."""
        start = self.first_index_on_or_after(day)
        end = self.first_index_on_or_after(day + dt.timedelta(days=1))
        return int(self.capacity[start:end].sum())


def build_calendar(
    site: Site, first_day: dt.date, last_day: dt.date, closed: ClosedDays
) -> SessionCalendar:
    """Return the site's sessions from ``first_day`` to ``last_day``, both included.

    A day is skipped when ``closed`` or the site's own ``closed_dates`` list it, or when no
    session runs on its weekday (Sunday by default; Saturday unless a session lists it).
    """
    templates = sorted(site.sessions, key=lambda session: session.start)
    shares = {
        template.name: exact_share(site.reserve_share(template.name)) for template in templates
    }
    days: list[dt.date] = []
    names: list[str] = []
    sets: list[int] = []
    turns: list[int] = []
    numerators: list[int] = []
    denominators: list[int] = []
    day = first_day
    while day <= last_day:
        if day not in site.closed_dates and not closed.is_closed(day):
            working = sets_working(site, day)
            for template in templates:
                if day.weekday() in template.weekdays:
                    days.append(day)
                    names.append(template.name)
                    sets.append(working)
                    turns.append(template.minutes // site.minutes_per_person)
                    numerators.append(shares[template.name].numerator)
                    denominators.append(shares[template.name].denominator)
        day += dt.timedelta(days=1)
    return SessionCalendar(
        site_code=site.code,
        days=tuple(days),
        names=tuple(names),
        sets=_ints(sets),
        turns_per_set=_ints(turns),
        share_numerator=_ints(numerators),
        share_denominator=_ints(denominators),
    )


def calendar_covering(
    site: Site,
    first_day: dt.date,
    closed: ClosedDays,
    residents: int,
    *,
    at_least_until: dt.date | None = None,
) -> SessionCalendar:
    """Return a calendar from ``first_day`` long enough to book ``residents`` with room to spare.

    It reaches at least ``at_least_until`` and holds 5 % more bookable turns than residents
    (packing whole households loses a few turns); raises ValueError when the site never
    offers that much within twenty years (no sets, or every turn held in reserve).
    """
    wanted = residents + residents // 20 + 1
    span = max(dt.timedelta(days=62), ((at_least_until or first_day) - first_day))
    while True:
        calendar = build_calendar(site, first_day, first_day + span, closed)
        if int(calendar.bookable.sum()) >= wanted:
            return calendar
        if span > _LONGEST_HORIZON:
            raise ValueError(
                f"site {site.code} cannot book {residents} residents within twenty years"
            )
        span *= 2

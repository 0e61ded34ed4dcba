"""When will a kecamatan (or the city) finish recording? (pure)

Two answers, from figures a reader can redo by hand:

* **from the recent pace**: the residents recorded per working day, averaged per week over
  the last ``weeks`` weeks that have closed days (each week's rate is its recorded residents
  divided by its closed days), then the mean of those weekly rates. The remaining residents
  divided by that pace is the number of working days still needed; counting them off the
  calendar of remaining working days (holidays and Sundays are simply not in it) gives the
  expected finish. The interval comes from the spread of the weekly rates: mean + sd gives
  the earliest finish, mean - sd (never below zero) the latest.
* **from the remaining planned capacity**: the first working day on which the capacity of
  the sets, summed from the first remaining day, reaches the remaining residents: no plan
  can finish earlier.

On track means the pace's expected finish falls on or before the deadline; days late are
calendar days from the deadline to that finish.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby

DEFAULT_WEEKS = 4
"""Weeks of closed days the pace is taken from: a month, long enough to smooth one bad day,
short enough to follow a change of equipment."""


class Status(StrEnum):
    """How a forecast stands against the deadline."""

    DONE = "done"
    """Nobody remains: every wajib KTP resident is recorded."""
    ON_TRACK = "on_track"
    """The expected finish is on or before the deadline."""
    LATE = "late"
    """The expected finish is after the deadline."""
    STALLED = "stalled"
    """Closed days exist but nobody was recorded in the last weeks: no finish date."""
    NO_HISTORY = "no_history"
    """No day is closed yet: there is no pace to forecast from."""
    BEYOND_CALENDAR = "beyond_calendar"
    """The pace is so slow that the finish lies past the end of the calendar given."""


@dataclass(frozen=True)
class WorkingDay:
    """A remaining working day and what the sets can record on it (all turns)."""

    date: dt.date
    capacity: int


@dataclass(frozen=True)
class WeekRate:
    """One week of closed days: recorded residents per closed day."""

    monday: dt.date
    days: int
    recorded: int

    @property
    def rate(self) -> float:
        """Return the residents recorded per closed day of the week."""
        return self.recorded / self.days


@dataclass(frozen=True)
class Pace:
    """The recent pace: weekly rates, their mean, and the interval from their spread."""

    weeks: tuple[WeekRate, ...]
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Forecast:
    """A kecamatan's (or the city's) forecast against its deadline.

    ``expected``, ``earliest`` and ``latest`` come from the pace (None: no finish within the
    calendar, see ``status``); ``by_capacity`` from the sets' capacity. ``days_late`` is 0
    when on track and None when there is no finish date to count from.
    """

    kode: str
    nama: str
    deadline: dt.date
    remaining: int
    pace: Pace | None
    expected: dt.date | None
    earliest: dt.date | None
    latest: dt.date | None
    by_capacity: dt.date | None
    working_days_needed: int | None
    working_days_left: int
    capacity_until_deadline: int
    required_pace: float | None
    status: Status
    days_late: int | None

    @property
    def on_track(self) -> bool:
        """Return whether the campaign here finishes by the deadline at the recent pace."""
        return self.status in (Status.DONE, Status.ON_TRACK)

    @property
    def capacity_on_track(self) -> bool:
        """Return whether the sets can still record everyone by the deadline."""
        return self.remaining == 0 or (
            self.by_capacity is not None and self.by_capacity <= self.deadline
        )

    def as_json(self) -> dict[str, object]:
        """Return the forecast as a JSON-ready dict (dates as ISO text)."""

        def day(value: dt.date | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "kode": self.kode,
            "nama": self.nama,
            "deadline": self.deadline.isoformat(),
            "remaining": self.remaining,
            "pace_per_day": None if self.pace is None else round(self.pace.mean, 1),
            "pace_low": None if self.pace is None else round(self.pace.low, 1),
            "pace_high": None if self.pace is None else round(self.pace.high, 1),
            "expected": day(self.expected),
            "earliest": day(self.earliest),
            "latest": day(self.latest),
            "by_capacity": day(self.by_capacity),
            "working_days_needed": self.working_days_needed,
            "working_days_left": self.working_days_left,
            "required_pace": None if self.required_pace is None else round(self.required_pace, 1),
            "status": self.status.value,
            "on_track": self.on_track,
            "days_late": self.days_late,
        }


def weekly_rates(history: Sequence[tuple[dt.date, int]], weeks: int) -> tuple[WeekRate, ...]:
    """Return the rates of the last ``weeks`` calendar weeks (Monday to Sunday) that hold a
    closed day of ``history`` ((date, recorded) per closed working day), oldest first.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    ordered = sorted(history)

    def monday(item: tuple[dt.date, int]) -> dt.date:
        return item[0] - dt.timedelta(days=item[0].weekday())

    rates = [
        WeekRate(monday=key, days=len(days), recorded=sum(count for _, count in days))
        for key, group in groupby(ordered, key=monday)
        for days in [list(group)]
    ]
    return tuple(rates[-weeks:])


def recent_pace(history: Sequence[tuple[dt.date, int]], weeks: int = DEFAULT_WEEKS) -> Pace | None:
    """Return the mean of the last weeks' daily rates with mean ± sd as its interval (sd of
    the weekly rates; 0 with one week), or None when ``history`` is empty.
    """
    rates = weekly_rates(history, weeks)
    if not rates:
        return None
    values = [week.rate for week in rates]
    mean = statistics.fmean(values)
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return Pace(weeks=rates, mean=mean, low=max(mean - spread, 0.0), high=mean + spread)


def days_needed(remaining: int, rate: float) -> int | None:
    """Return the working days ``rate`` residents a day need for ``remaining`` (None: never)."""
    if remaining <= 0:
        return 0
    if rate <= 0:
        return None
    # A pace like 100.0000001 must not turn 1,000 residents into 11 days: round first.
    return max(math.ceil(round(remaining / rate, 9)), 1)


def finish_at_rate(
    remaining: int, rate: float, calendar: Sequence[WorkingDay]
) -> tuple[int | None, dt.date | None]:
    """Return the working days needed at ``rate`` and the day the last of them falls on
    (None when the calendar ends first, or never for a zero rate)."""
    needed = days_needed(remaining, rate)
    if needed is None or needed == 0 or needed > len(calendar):
        return needed, None
    return needed, calendar[needed - 1].date


def finish_by_capacity(remaining: int, calendar: Sequence[WorkingDay]) -> dt.date | None:
    """Return the first day on which the capacity summed from the calendar's start reaches
    ``remaining`` (None when it never does within the calendar, or nobody remains)."""
    if remaining <= 0:
        return None
    total = 0
    for day in calendar:
        total += day.capacity
        if total >= remaining:
            return day.date
    return None


def forecast(
    *,
    kode: str,
    nama: str,
    history: Sequence[tuple[dt.date, int]],
    remaining: int,
    calendar: Sequence[WorkingDay],
    deadline: dt.date,
    weeks: int = DEFAULT_WEEKS,
    finished_on: dt.date | None = None,
) -> Forecast:
    """Return the forecast of an area from its ``history`` ((date, recorded) per closed
    working day), its ``remaining`` residents and its ``calendar`` of remaining working days
    (in date order, each with the sets' capacity), against ``deadline``.

    ``finished_on`` is the finish date reported once nobody remains (default: the last day
    of the history).
    """
    days = sorted(calendar, key=lambda day: day.date)
    left = [day for day in days if day.date <= deadline]
    until_deadline = sum(day.capacity for day in left)
    required = remaining / len(left) if remaining > 0 and left else None
    pace = recent_pace(history, weeks)

    def made(
        expected: dt.date | None,
        earliest: dt.date | None,
        latest: dt.date | None,
        by_capacity: dt.date | None,
        needed: int | None,
        status: Status,
        late: int | None,
    ) -> Forecast:
        return Forecast(
            kode=kode,
            nama=nama,
            deadline=deadline,
            remaining=max(remaining, 0),
            pace=pace,
            expected=expected,
            earliest=earliest,
            latest=latest,
            by_capacity=by_capacity,
            working_days_needed=needed,
            working_days_left=len(left),
            capacity_until_deadline=until_deadline,
            required_pace=required,
            status=status,
            days_late=late,
        )

    if remaining <= 0:
        done = finished_on or max((day for day, _ in history), default=None)
        finished_late = max((done - deadline).days, 0) if done else 0
        return made(done, done, done, done, 0, Status.DONE, finished_late)
    by_capacity = finish_by_capacity(remaining, days)
    if pace is None or pace.mean <= 0:
        status = Status.NO_HISTORY if pace is None else Status.STALLED
        return made(None, None, None, by_capacity, None, status, None)
    needed, expected = finish_at_rate(remaining, pace.mean, days)
    _, earliest = finish_at_rate(remaining, pace.high, days)
    _, latest = finish_at_rate(remaining, pace.low, days)
    late: int | None = None
    if expected is None:
        status = Status.BEYOND_CALENDAR
    else:
        status = Status.ON_TRACK if expected <= deadline else Status.LATE
        late = max((expected - deadline).days, 0)
    return made(expected, earliest, latest, by_capacity, needed, status, late)


def combined_calendar(calendars: Sequence[Sequence[WorkingDay]]) -> list[WorkingDay]:
    """Return the union of several areas' calendars: a day any of them works, capacities
    summed (the city's calendar from its kecamatan's)."""
    totals: dict[dt.date, int] = {}
    for calendar in calendars:
        for day in calendar:
            totals[day.date] = totals.get(day.date, 0) + day.capacity
    return [WorkingDay(date=day, capacity=totals[day]) for day in sorted(totals)]


def combined_history(
    histories: Sequence[Sequence[tuple[dt.date, int]]],
) -> list[tuple[dt.date, int]]:
    """Return the union of several areas' histories, recorded summed per date."""
    totals: dict[dt.date, int] = {}
    for history in histories:
        for day, count in history:
            totals[day] = totals.get(day, 0) + count
    return sorted(totals.items())

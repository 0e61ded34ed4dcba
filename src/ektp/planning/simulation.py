"""One recording site over a day or a season, simulated with SimPy (pure, seeded).

Residents arrive by hour (invited ones at the hourly rates of ``arrivals``, of whom a share
do not come; walk-ins at their own rates), queue for one of the site's sets, and are served
in a time drawn around ``minutes_per_person``. Sets break down and are repaired. Sets serve
only while a session is open: between sessions the queue waits, and whoever has not reached
a set when the last session ends is sent home. Out come, per hour, the queue length (the
mean of minute-by-minute counts) and the waits of those served; per day the residents
recorded and each set's idle minutes. The same seed gives the same figures.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import simpy

ServiceKind = Literal["lognormal", "exponential", "fixed"]
_SETS_BUSY = -2
_BROKEN = -1
_RESIDENT = 0


@dataclass(frozen=True)
class Window:
    """A session's opening, in minutes after midnight: ``[start, end)``."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a session must end after it starts")


def evening_peak(
    per_day: float, windows: Sequence[Window], evening_from: float = 16 * 60
) -> dict[int, float]:
    """Return arrivals per hour adding up to ``per_day``: each open hour gets one share, each
    evening hour (from 16:00) two, as people come after work (the report's evening service).
    """
    hours: dict[int, float] = {}
    for window in windows:
        for hour in range(int(window.start // 60), math.ceil(window.end / 60)):
            open_minutes = min(window.end, (hour + 1) * 60) - max(window.start, hour * 60)
            weight = 2.0 if hour * 60 >= evening_from else 1.0
            hours[hour] = hours.get(hour, 0.0) + weight * open_minutes / 60
    total = sum(hours.values())
    return (
        {hour: per_day * weight / total for hour, weight in sorted(hours.items())} if total else {}
    )


@dataclass(frozen=True)
class SiteConfig:
    """What one site-day looks like; rates are residents per hour keyed by hour of the day."""

    windows: tuple[Window, ...]
    sets: int
    minutes_per_person: float
    arrivals: Mapping[int, float]
    no_show_share: float = 0.0
    walk_ins: Mapping[int, float] = field(default_factory=dict)
    service: ServiceKind = "lognormal"
    service_cv: float = 0.3
    breakdowns_per_set_hour: float = 0.0
    repair_minutes: float = 60.0

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("a site needs at least one session")
        ordered = sorted(self.windows, key=lambda window: window.start)
        if any(later.start < earlier.end for earlier, later in itertools.pairwise(ordered)):
            raise ValueError("sessions must not overlap")
        object.__setattr__(self, "windows", tuple(ordered))
        if self.sets < 1:
            raise ValueError("sets must be at least 1")
        if self.minutes_per_person <= 0:
            raise ValueError("minutes_per_person must be above 0")
        if not 0.0 <= self.no_show_share <= 1.0:
            raise ValueError("no_show_share must lie in [0, 1]")
        if self.service_cv < 0 or self.breakdowns_per_set_hour < 0 or self.repair_minutes < 0:
            raise ValueError("service_cv, breakdowns and repair minutes must not be negative")
        for name, rates in (("arrivals", self.arrivals), ("walk_ins", self.walk_ins)):
            if any(rate < 0 for rate in rates.values()):
                raise ValueError(f"{name} rates must not be negative")

    @property
    def opens(self) -> float:
        """Return the minute the first session opens."""
        return self.windows[0].start

    @property
    def closes(self) -> float:
        """Return the minute the last session closes."""
        return self.windows[-1].end

    @property
    def open_minutes(self) -> float:
        """Return the minutes the site is open in a day."""
        return sum(window.end - window.start for window in self.windows)


@dataclass(frozen=True)
class HourFigures:
    """One hour of a simulated day (``hour`` 16 is 16:00-17:00)."""

    hour: int
    arrived: int
    served: int
    mean_queue: float
    max_queue: int
    mean_wait: float | None
    max_wait: float | None


@dataclass(frozen=True)
class DayFigures:
    """One simulated day: arrivals, recorded, sent home, waits, idle and broken minutes."""

    day: int
    arrived: int
    no_shows: int
    walk_ins: int
    recorded: int
    sent_home: int
    mean_wait: float | None
    idle_minutes: float
    broken_minutes: float
    hours: tuple[HourFigures, ...]
    waits: tuple[float, ...] = field(repr=False, default=())


class _Day:
    """The SimPy processes of one day; figures gathered as the events happen."""

    def __init__(self, config: SiteConfig, rng: random.Random) -> None:
        self.config = config
        self.rng = rng
        self.env = simpy.Environment(initial_time=config.opens)
        self.sets = simpy.PriorityResource(self.env, capacity=config.sets)
        self.closing = self.env.timeout(config.closes - config.opens)
        self.waiting = 0
        self.changed_at = config.opens
        self.queue_area: dict[int, float] = {}
        self.queue_max: dict[int, int] = {}
        self.arrived: dict[int, int] = {}
        self.served: dict[int, int] = {}
        self.waits_by_hour: dict[int, list[float]] = {}
        self.waits: list[float] = []
        self.busy = 0.0
        self.broken = 0.0
        self.no_shows = 0
        self.walk_in_count = 0
        self.sent_home = 0

    def count_waiting(self, change: int) -> None:
        """Add the time-weighted queue length since the last change, hour by hour."""
        now = self.env.now
        moment = self.changed_at
        while moment < now:
            hour = int(moment // 60)
            until = min(now, (hour + 1) * 60.0)
            self.queue_area[hour] = self.queue_area.get(hour, 0.0) + self.waiting * (until - moment)
            moment = until
        self.changed_at = now
        self.waiting += change
        hour = int(now // 60)
        self.queue_max[hour] = max(self.queue_max.get(hour, 0), self.waiting)

    def service_time(self) -> float:
        mean = self.config.minutes_per_person
        if self.config.service == "fixed" or self.config.service_cv == 0:
            return mean
        if self.config.service == "exponential":
            return self.rng.expovariate(1.0 / mean)
        sigma2 = math.log(1.0 + self.config.service_cv**2)
        return self.rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))

    def resident(self) -> Generator[simpy.events.Event, Any, None]:
        arrived = self.env.now
        hour = int(arrived // 60)
        self.arrived[hour] = self.arrived.get(hour, 0) + 1
        self.count_waiting(+1)
        with self.sets.request(priority=_RESIDENT) as request:
            outcome = yield request | self.closing
            self.count_waiting(-1)
            if request not in outcome:
                self.sent_home += 1
                return
            wait = self.env.now - arrived
            self.waits.append(wait)
            self.waits_by_hour.setdefault(hour, []).append(wait)
            served = self.service_time()
            yield self.env.timeout(served)
            self.busy += served
            done = int(self.env.now // 60)
            self.served[done] = self.served.get(done, 0) + 1

    def arrivals(
        self, rates: Mapping[int, float], show_share: float, walk_in: bool
    ) -> Generator[simpy.events.Event, Any, None]:
        # Piecewise-constant Poisson arrivals: within each open stretch of an hour, gaps are
        # exponential at that hour's rate (memorylessness lets a stretch start afresh).
        for window in self.config.windows:
            for hour in range(int(window.start // 60), math.ceil(window.end / 60)):
                start = max(window.start, hour * 60.0)
                end = min(window.end, (hour + 1) * 60.0)
                open_share = (end - start) / 60.0
                per_minute = rates.get(hour, 0.0) / 60.0 / max(self.hour_open_share(hour), 1e-9)
                if per_minute <= 0 or open_share <= 0:
                    continue
                if self.env.now < start:
                    yield self.env.timeout(start - self.env.now)
                moment = start + self.rng.expovariate(per_minute)
                while moment < end:
                    yield self.env.timeout(moment - self.env.now)
                    if self.rng.random() < show_share:
                        if walk_in:
                            self.walk_in_count += 1
                        self.env.process(self.resident())
                    else:
                        self.no_shows += 1
                    moment += self.rng.expovariate(per_minute)

    def hour_open_share(self, hour: int) -> float:
        """Return the share of ``hour`` some session is open (a rate is spread over it)."""
        covered = sum(
            max(0.0, min(window.end, (hour + 1) * 60.0) - max(window.start, hour * 60.0))
            for window in self.config.windows
        )
        return covered / 60.0

    def breaks(self) -> Generator[simpy.events.Event, Any, None]:
        # Between sessions every set is taken (after its current resident) until reopening.
        for earlier, later in zip(self.config.windows, self.config.windows[1:], strict=False):
            if later.start <= earlier.end:
                continue
            yield self.env.timeout(earlier.end - self.env.now)
            self.env.process(self.hold_all(later.start))

    def hold_all(self, until: float) -> Generator[simpy.events.Event, Any, None]:
        requests = [self.sets.request(priority=_SETS_BUSY) for _ in range(self.config.sets)]
        yield self.env.timeout(max(until - self.env.now, 0.0))
        for request in requests:
            if request.triggered:
                self.sets.release(request)
            else:
                request.cancel()

    def breakdowns(self) -> Generator[simpy.events.Event, Any, None]:
        rate = self.config.breakdowns_per_set_hour / 60.0
        while True:
            yield self.env.timeout(self.rng.expovariate(rate))
            if self.env.now >= self.config.closes:
                return
            with self.sets.request(priority=_BROKEN) as request:
                yield request
                repair = min(
                    self.config.repair_minutes, max(self.config.closes - self.env.now, 0.0)
                )
                yield self.env.timeout(repair)
                self.broken += repair

    def run(self, day: int) -> DayFigures:
        config = self.config
        self.env.process(self.arrivals(config.arrivals, 1.0 - config.no_show_share, False))
        if config.walk_ins:
            self.env.process(self.arrivals(config.walk_ins, 1.0, True))
        self.env.process(self.breaks())
        if config.breakdowns_per_set_hour > 0:
            for _ in range(config.sets):
                self.env.process(self.breakdowns())
        # Residents reaching a set before closing are finished; nobody starts after.
        self.env.run(until=config.closes + 24 * 60)
        self.env = simpy.Environment(initial_time=config.closes)
        self.count_waiting(0)
        first, last = int(config.opens // 60), math.ceil(config.closes / 60)
        figures = []
        # The hours the site is open, and any after closing in which a resident who reached a
        # set before closing was finished.
        for hour in sorted(set(range(first, last)) | set(self.served)):
            open_minutes = self.hour_open_share(hour) * 60.0
            if open_minutes <= 0 and hour not in self.served:
                continue
            span = max(min(config.closes, (hour + 1) * 60.0) - max(config.opens, hour * 60.0), 0)
            waits = self.waits_by_hour.get(hour, [])
            figures.append(
                HourFigures(
                    hour=hour,
                    arrived=self.arrived.get(hour, 0),
                    served=self.served.get(hour, 0),
                    mean_queue=self.queue_area.get(hour, 0.0) / span if span > 0 else 0.0,
                    max_queue=self.queue_max.get(hour, 0),
                    mean_wait=sum(waits) / len(waits) if waits else None,
                    max_wait=max(waits) if waits else None,
                )
            )
        open_set_minutes = config.open_minutes * config.sets
        return DayFigures(
            day=day,
            arrived=sum(self.arrived.values()),
            no_shows=self.no_shows,
            walk_ins=self.walk_in_count,
            recorded=len(self.waits),
            sent_home=self.sent_home,
            mean_wait=sum(self.waits) / len(self.waits) if self.waits else None,
            idle_minutes=max(open_set_minutes - self.busy - self.broken, 0.0),
            broken_minutes=self.broken,
            hours=tuple(figures),
            waits=tuple(self.waits),
        )


def simulate_day(config: SiteConfig, *, seed: int, day: int = 0) -> DayFigures:
    """Return one simulated day of the site; ``seed`` and ``day`` fix every draw."""
    return _Day(config, random.Random(f"{seed}:{day}")).run(day)


@dataclass(frozen=True)
class SeasonFigures:
    """A season of simulated days and its totals."""

    days: tuple[DayFigures, ...]

    @property
    def recorded(self) -> int:
        """Return the residents recorded over the season."""
        return sum(day.recorded for day in self.days)

    @property
    def mean_wait(self) -> float | None:
        """Return the mean wait of every resident served over the season."""
        count = self.recorded
        total = sum((day.mean_wait or 0.0) * day.recorded for day in self.days)
        return total / count if count else None

    @property
    def idle_minutes(self) -> float:
        """Return the sets' idle minutes over the season."""
        return sum(day.idle_minutes for day in self.days)


def simulate_season(config: SiteConfig, *, days: int, seed: int) -> SeasonFigures:
    """Return ``days`` simulated days of the site, each seeded from ``seed`` and its number."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return SeasonFigures(
        days=tuple(simulate_day(config, seed=seed, day=day) for day in range(days))
    )

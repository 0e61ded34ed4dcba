"""Simulated campaign days for the demo: residents come (or not), check in, are recorded at
the sets through the device API, and each session and day is closed.

Each site's day is a small discrete-event simulation on a simulated clock (the server is
told the time through the queue API's ``clock`` dependency). Per session, about 15 % of the
invitees do not come (fewer in the evening, more in the morning); the others arrive by hour,
and walk-ins come mostly after work, so evenings are busiest, as the Palembang report says.
A set that is free calls the next number and records it with the simulated set of
``simulator.SimulatedSet`` (its timings, quality scores, retakes, exceptions and per person
stable templates). A session is closed once its queue is empty after its end; the day is
closed after the last session, the queue still waiting going home.

Everything random is drawn from ``random.Random`` seeded by the seed, site and day, in a
fixed order, so the same seed on the same registry gives the same history.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, text

from ektp.recording import closing
from ektp.recording.demo_days_desks import (
    Arrival,
    DeskBackend,
    SimClock,
    open_backend,
    simulation_accounts,
)
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import WIB, campaign_definition, site_calendar
from ektp.scheduling.models import LIVE_STATUSES, Invitation
from ektp.sites.capacity import Site, sets_working

SCENARIO = "palembang-2011"
BY = "simulasi"

ARRIVALS_PER_HOUR: dict[int, float] = {
    7: 0.5,
    8: 1.0,
    9: 1.1,
    10: 0.9,
    11: 0.6,
    13: 0.8,
    14: 1.0,
    15: 0.9,
    16: 1.2,
    17: 1.5,
    18: 1.4,
    19: 0.9,
}
"""Relative arrivals by local hour: a queue at the door before eight, a lull before lunch,
the evening rush after work."""
NO_SHOW: dict[str, float] = {"pagi": 0.18, "siang": 0.18, "malam": 0.10}
"""Share of invitees who do not come, per session (other sessions: 15 %)."""
DEFAULT_NO_SHOW = 0.15
TURNOUT_RANGE = (0.7, 1.3)
"""A kecamatan's absences relative to the mean, drawn once per seed: some turn out better."""
LOW_TURNOUT: dict[str, float] = {"16.71.05": 3.0, "16.71.06": 3.0}
"""Ilir Timur I and II: the report has them under 300 a day with their sets in place, a
turnout shortfall; their invitees stay away three times as often."""
WALK_INS: dict[str, float] = {"pagi": 0.04, "siang": 0.05, "malam": 0.30}
"""Walk-ins per session as a share of the session's invitees: most come after work."""
FAILURES = 0.012
"""Share of recordings that fail at the set (device error, reader fault): rescheduled."""
FAILURE_REASONS = ("perangkat sidik jari error", "kamera iris tidak merespons", "listrik padam")
PACE_RANGE = (0.8, 1.2)
"""A site's pace (1: the simulator's standard timings); some offices are slower."""


@dataclass(frozen=True)
class Window:
    """One session of a site's day, in UTC."""

    name: str
    start: dt.datetime
    end: dt.datetime


@dataclass
class DayTally:
    """What one simulated day did across its sites."""

    day: dt.date
    invited: int = 0
    no_shows: int = 0
    walk_ins: int = 0
    checked_in: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    recorded: int = 0
    failed: int = 0
    arrivals_by_hour: Counter[int] = field(default_factory=Counter)


@dataclass
class SimulationResult:
    """The simulated days, the requests sent and the wall-clock seconds taken."""

    days: list[DayTally]
    requests: int
    seconds: float
    through_api: bool


def _seeded(seed: int, *parts: object) -> random.Random:
    return random.Random("/".join(str(part) for part in (seed, *parts)))


def arrival_time(rng: random.Random, window: Window) -> dt.datetime:
    """Return an arrival inside ``window`` (from 30 minutes before it opens to 15 minutes
    before it ends), drawn by the hourly weights."""
    first = window.start - dt.timedelta(minutes=30)
    last = window.end - dt.timedelta(minutes=15)
    minutes = max(int((last - first).total_seconds() // 60), 1)
    weights = [
        ARRIVALS_PER_HOUR.get((first + dt.timedelta(minutes=m)).astimezone(WIB).hour, 0.3)
        for m in range(minutes)
    ]
    offset = rng.choices(range(minutes), weights=weights)[0]
    return first + dt.timedelta(minutes=offset, seconds=rng.randrange(60))


def day_windows(definition: Definition, site: Site, day: dt.date) -> list[Window]:
    """Return the site's sessions on ``day`` in time order (none on a closed day)."""
    templates = {template.name: template for template in site.sessions}
    calendar = site_calendar(definition, site, day, day)
    windows = []
    for name in calendar.names:
        template = templates[name]
        start = dt.datetime.combine(day, template.start, tzinfo=WIB).astimezone(dt.UTC)
        end = dt.datetime.combine(day, template.end, tzinfo=WIB).astimezone(dt.UTC)
        windows.append(Window(name, start, end))
    return sorted(windows, key=lambda window: window.start)


def ensure_campaign(runtime: Runtime, *, say: Callable[[str], None]) -> None:
    """Create the Palembang 2011 campaign and plan it, unless a campaign exists."""
    now = dt.datetime.now(dt.UTC)
    with runtime.transaction() as session:
        campaign = scheduling.active_campaign(session=session)
        if campaign is None:
            campaign = scheduling.create_campaign(session=session, scenario=SCENARIO, now=now)
            say(f"campaign created: {campaign.name}")
        planned = session.scalar(
            select(Invitation.id).where(Invitation.campaign_id == campaign.id).limit(1)
        )
        if planned is None:
            result = scheduling.plan(
                session=session,
                now=now,
                by=BY,
                today=scheduling.campaign_today(campaign, now),
            )
            say(f"campaign planned: {result.invited} residents invited")


def _days_to_simulate(runtime: Runtime, count: int) -> tuple[Definition, list[dt.date]]:
    with runtime.transaction() as session:
        campaign = scheduling.require_campaign(session=session)
        definition = campaign_definition(session=session, campaign=campaign)
        last = closing.last_closed_day(session=session)
    day = definition.start if last is None else max(definition.start, last + dt.timedelta(1))
    days: list[dt.date] = []
    while len(days) < count and day <= definition.deadline + dt.timedelta(days=366):
        if any(day_windows(definition, site, day) for site in definition.sites):
            days.append(day)
        day += dt.timedelta(days=1)
    return definition, days


_INVITEES_SQL = text(
    "SELECT i.id, i.attendance_code, i.misses FROM invitations i "
    "WHERE i.site_code = :site AND i.tanggal = :day AND i.session = :name "
    f"AND i.status IN ({', '.join(repr(s) for s in LIVE_STATUSES)}) ORDER BY i.id"
)
_LATER_TURNS_SQL = text(
    "SELECT r.nik FROM invitations i JOIN residents r ON r.id = i.resident_id "
    "WHERE i.site_code = :site AND i.tanggal > :day "
    f"AND i.status IN ({', '.join(repr(s) for s in LIVE_STATUSES)}) ORDER BY i.id LIMIT 3000"
)


def _invitees(runtime: Runtime, site: str, day: dt.date, name: str) -> list[tuple[int, str, int]]:
    with runtime.transaction() as session:
        rows = session.execute(_INVITEES_SQL, {"site": site, "day": day, "name": name})
        return [(int(i), str(code), int(misses)) for i, code, misses in rows]


def _walk_in_pool(runtime: Runtime, site: str, day: dt.date) -> list[str]:
    """Return NIKs of the site's residents whose turn is on a later day (they come early)."""
    with runtime.transaction() as session:
        return [
            str(nik) for (nik,) in session.execute(_LATER_TURNS_SQL, {"site": site, "day": day})
        ]


class SiteDay:
    """One site's day: arrivals, sets calling and recording, closings, on a simulated clock."""

    def __init__(
        self,
        runtime: Runtime,
        desk: DeskBackend,
        clock: SimClock,
        site: Site,
        windows: Sequence[Window],
        *,
        seed: int,
        tally: DayTally,
    ) -> None:
        self.runtime = runtime
        self.desk = desk
        self.clock = clock
        self.site = site
        self.windows = list(windows)
        self.day = self.windows[0].start.astimezone(WIB).date()
        self.rng = _seeded(seed, site.code, self.day)
        self.pace = self.rng.uniform(*PACE_RANGE)
        self.absence = LOW_TURNOUT.get(
            site.kecamatan, _seeded(seed, site.code).uniform(*TURNOUT_RANGE)
        )
        self.seed = seed
        self.tally = tally
        self.events: list[tuple[dt.datetime, int, str, object]] = []
        self.sequence = 0
        self.idle: set[int] = set()
        # The simulator is the only one at the door: it knows how many wait without asking.
        self.waiting = 0
        self.open_tickets: Counter[str] = Counter()
        self.ticket_session: dict[int, str] = {}
        self.closed: set[str] = set()
        self.walk_in_pool = _walk_in_pool(runtime, site.code, self.day)
        self.rng.shuffle(self.walk_in_pool)

    def push(self, at: dt.datetime, kind: str, payload: object = None) -> None:
        """Schedule an event; equal times keep the order they were scheduled in."""
        self.sequence += 1
        heapq.heappush(self.events, (at, self.sequence, kind, payload))

    def run(self) -> None:
        """Simulate the day from before the first session to the closing of the day."""
        for window in self.windows:
            self.push(window.start - dt.timedelta(minutes=30), "open", window)
            self.push(window.end, "try_close", window.name)
        for set_no in range(1, sets_working(self.site, self.day) + 1):
            self.push(self.windows[0].start, "free", set_no)
        last = self.windows[-1].end
        while self.events:
            at, _, kind, payload = heapq.heappop(self.events)
            self.clock.set(at)
            last = max(last, at)
            if kind == "open":
                assert isinstance(payload, Window)
                self._open(payload)
            elif kind == "arrive":
                assert isinstance(payload, Arrival)
                self._arrive(payload)
            elif kind == "free":
                assert isinstance(payload, int)
                self._free(payload)
            elif kind == "try_close":
                assert isinstance(payload, str)
                self._try_close(payload)
        self.clock.set(last + dt.timedelta(minutes=5))
        with self.runtime.transaction() as session:
            closing.close_day(
                session=session,
                site_code=self.site.code,
                tanggal=self.day,
                now=self.clock.now(),
                by=BY,
            )

    def _open(self, window: Window) -> None:
        invitees = _invitees(self.runtime, self.site.code, self.day, window.name)
        no_show = NO_SHOW.get(window.name, DEFAULT_NO_SHOW) * self.absence
        self.tally.invited += len(invitees)
        for invitation_id, code, misses in invitees:
            # Residents who missed a turn before come back less often.
            if self.rng.random() < min(no_show * (1 + misses), 0.9):
                self.tally.no_shows += 1
                continue
            arrival = Arrival(qr=f"EKTP:{invitation_id}:{code}", nik=None)
            self.push(arrival_time(self.rng, window), "arrive", arrival)
        walk_ins = round(len(invitees) * WALK_INS.get(window.name, 0.05))
        for _ in range(min(walk_ins, len(self.walk_in_pool))):
            arrival = Arrival(qr=None, nik=self.walk_in_pool.pop())
            self.tally.walk_ins += 1
            self.push(arrival_time(self.rng, window), "arrive", arrival)

    def _arrive(self, arrival: Arrival) -> None:
        self.tally.arrivals_by_hour[self.clock.now().astimezone(WIB).hour] += 1
        ticket = self.desk.check_in(self.site.code, arrival)
        if ticket.refused is not None:
            self.tally.refused[ticket.refused] += 1
            return
        assert ticket.ticket_id is not None and ticket.session is not None
        if ticket.ticket_id not in self.ticket_session:
            self.tally.checked_in += 1
            self.waiting += 1
            self.ticket_session[ticket.ticket_id] = ticket.session
            self.open_tickets[ticket.session] += 1
        for set_no in sorted(self.idle):
            self.push(self.clock.now(), "free", set_no)
        self.idle.clear()

    def _serving_window(self, at: dt.datetime) -> Window | None:
        return next((w for w in self.windows if w.start <= at < w.end), None)

    def _free(self, set_no: int) -> None:
        now = self.clock.now()
        if self._serving_window(now) is None:
            later = [w.start for w in self.windows if w.start > now]
            if later:
                self.push(later[0], "free", set_no)
            return
        ticket_id = self.desk.call(self.site.code, set_no) if self.waiting else None
        if ticket_id is None:
            self.idle.add(set_no)
            return
        self.waiting -= 1
        if self.rng.random() < FAILURES:
            reason = self.rng.choice(FAILURE_REASONS)
            self.desk.fail(self.site.code, set_no, ticket_id, reason=reason)
            recorded = False
        else:
            recorded = self.desk.record(self.site.code, set_no, ticket_id, pace=self.pace)
        if recorded:
            self.tally.recorded += 1
        else:
            self.tally.failed += 1
        session_name = self.ticket_session.get(ticket_id)
        if session_name is not None:
            self.open_tickets[session_name] -= 1
            window = next(w for w in self.windows if w.name == session_name)
            if self.clock.now() >= window.end:
                self.push(self.clock.now(), "try_close", session_name)
        self.push(self.clock.now(), "free", set_no)

    def _try_close(self, name: str) -> None:
        if name in self.closed or self.open_tickets[name] > 0:
            return
        try:
            with self.runtime.transaction() as session:
                closing.close_session(
                    session=session,
                    site_code=self.site.code,
                    tanggal=self.day,
                    session_name=name,
                    now=self.clock.now(),
                    by=BY,
                )
        except closing.ClosingError:
            return  # someone still waits: the day's closing sends them home
        self.closed.add(name)


def simulate(
    runtime: Runtime,
    *,
    days: int,
    seed: int,
    fast: bool = False,
    sites: Sequence[str] | None = None,
    say: Callable[[str], None] = lambda _line: None,
) -> SimulationResult:
    """Return what ``days`` campaign days did, simulated from the day after the last closed
    one (from the campaign's start at first), at every site or those listed.

    By default every resident goes through the HTTP API in-process (check-in, call, start,
    captures, complete) with the token of the kecamatan's operator; ``fast`` calls the
    services directly instead (same model, same seed, no HTTP).
    """
    started = time.perf_counter()
    definition, dates = _days_to_simulate(runtime, days)
    chosen = [site for site in definition.sites if sites is None or site.code in sites]
    clock = SimClock(dt.datetime.combine(definition.start, dt.time(0), tzinfo=dt.UTC))
    operators = simulation_accounts(runtime, [site.kecamatan for site in chosen])
    kecamatan_of = {site.code: site.kecamatan for site in chosen}
    tallies: list[DayTally] = []
    with open_backend(runtime, clock, operators, sites=kecamatan_of, fast=fast, seed=seed) as desk:
        for day in dates:
            tally = DayTally(day=day)
            for site in chosen:
                windows = day_windows(definition, site, day)
                if windows:
                    SiteDay(runtime, desk, clock, site, windows, seed=seed, tally=tally).run()
            tallies.append(tally)
            say(
                f"{day.isoformat()}: {tally.recorded} recorded, {tally.failed} failed, "
                f"{tally.no_shows} of {tally.invited} invitees absent, {tally.walk_ins} "
                f"walk-ins ({sum(tally.refused.values())} refused), "
                f"{time.perf_counter() - started:.0f} s"
            )
        requests = desk.requests
    return SimulationResult(
        days=tallies,
        requests=requests,
        seconds=time.perf_counter() - started,
        through_api=not fast,
    )

"""The planner's input from a campaign's sites, and the what-ifs that change them (pure).

A what-if is a change to the sites (evening sessions on or off, Saturday sessions, another
minutes-per-person) or to the sets (one moved from a kecamatan to another); the planner then
answers on the changed input, and ``compare`` puts both answers side by side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ektp.planning.equipment import NEVER, IntArray, Needs, PlannerInput, needs
from ektp.sites.calendar import build_calendar
from ektp.sites.capacity import SATURDAY, ClosedDays, SessionTemplate, Site, sets_working

EVENING_FROM = dt.time(16)
"""A session starting at or after 16:00 is an evening session (Palembang's malam)."""
_FIRST_SPAN = dt.timedelta(days=366)
_LONGEST_SPAN = dt.timedelta(days=366 * 20)
EVENING = SessionTemplate("malam", dt.time(16), dt.time(20))
EVENING_RESERVE = 0.2
"""The evening session added by "evening on" to a campaign without one, and its reserve."""


def per_set_daily(
    site: Site, first_day: dt.date, last_day: dt.date, closed: ClosedDays
) -> IntArray:
    """Return what one set of ``site`` books on each day from ``first_day`` to ``last_day``
    (reserve excluded, 0 when closed): per session ``floor(minutes / minutes per person)``
    less ``ceil(that * reserve share)``, summed per day.
    """
    one_set = dataclasses.replace(site, sets=1, sets_history=())
    calendar = build_calendar(one_set, first_day, last_day, closed)
    daily = np.zeros((last_day - first_day).days + 1, dtype=np.int64)
    offsets = np.asarray([(day - first_day).days for day in calendar.days], dtype=np.int64)
    if len(offsets):
        np.add.at(daily, offsets, calendar.bookable)
    return daily


def _config_key(site: Site) -> tuple[object, ...]:
    shares = tuple(sorted(site.reserve_shares.items()))
    return (site.sessions, site.minutes_per_person, shares, site.closed_dates)


@dataclass(frozen=True)
class KecamatanSites:
    """A kecamatan's remaining residents and its sites (the first one's sets stand for all)."""

    kode: str
    nama: str
    remaining: int
    sites: tuple[Site, ...]


def planner_input(
    kecamatan: Sequence[KecamatanSites],
    *,
    closed: ClosedDays,
    first_day: dt.date,
    deadline: dt.date,
    last_day: dt.date,
    sets_moved: Mapping[str, int] | None = None,
) -> PlannerInput:
    """Return the planner's input: per kecamatan its remaining residents, the sets working on
    ``first_day`` at all its sites (plus ``sets_moved``), and one set's daily turns at its
    first site, from ``first_day`` to ``last_day`` (at least the deadline).

    Sites with the same sessions, minutes and reserve share one calendar, so a national
    campaign builds a few hundred calendars, not one per kecamatan.
    """
    last_day = max(last_day, deadline, first_day)
    cache: dict[tuple[object, ...], IntArray] = {}
    rows: list[IntArray] = []
    sets: list[int] = []
    moved = dict(sets_moved or {})
    for entry in kecamatan:
        if not entry.sites:
            raise ValueError(f"kecamatan {entry.kode} has no recording site")
        key = _config_key(entry.sites[0])
        if key not in cache:
            cache[key] = per_set_daily(entry.sites[0], first_day, last_day, closed)
        rows.append(cache[key])
        sets.append(sum(sets_working(site, first_day) for site in entry.sites))
        sets[-1] += moved.pop(entry.kode, 0)
        if sets[-1] < 0:
            raise ValueError(f"kecamatan {entry.kode} would have fewer than zero sets")
    if moved:
        raise ValueError(f"no such kecamatan to move a set to or from: {', '.join(moved)}")
    return PlannerInput(
        first_day=first_day,
        deadline=deadline,
        codes=tuple(entry.kode for entry in kecamatan),
        names=tuple(entry.nama for entry in kecamatan),
        remaining=np.asarray([entry.remaining for entry in kecamatan], dtype=np.int64),
        sets_now=np.asarray(sets, dtype=np.int64),
        per_set=np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.int64),
    )


def covering_input(
    kecamatan: Sequence[KecamatanSites],
    *,
    closed: ClosedDays,
    first_day: dt.date,
    deadline: dt.date,
    sets_moved: Mapping[str, int] | None = None,
) -> PlannerInput:
    """Return ``planner_input`` over a horizon long enough for every kecamatan that has sets
    to finish with them (a year past the deadline, doubled as needed, at most twenty years).
    """
    start = max(deadline, first_day)
    span = _FIRST_SPAN
    while True:
        found = planner_input(
            kecamatan,
            closed=closed,
            first_day=first_day,
            deadline=deadline,
            last_day=start + span,
            sets_moved=sets_moved,
        )
        finish = found.finish_indexes(found.sets_now)
        stuck = (finish == NEVER) & (found.sets_now > 0) & (found.cumulative[:, -1] > 0)
        if not stuck.any() or span * 2 > _LONGEST_SPAN:
            return found
        span *= 2


@dataclass(frozen=True)
class WhatIf:
    """A change to try: None leaves that part of the campaign as it is."""

    evening: bool | None = None
    saturday: bool | None = None
    minutes_per_person: int | None = None
    move_from: str | None = None
    move_to: str | None = None
    move_sets: int = 1

    def __post_init__(self) -> None:
        if self.minutes_per_person is not None and self.minutes_per_person < 1:
            raise ValueError("minutes_per_person must be at least 1")
        if (self.move_from is None) != (self.move_to is None):
            raise ValueError("a move needs both move_from and move_to")
        if self.move_from is not None and self.move_from == self.move_to:
            raise ValueError("a set is moved between two different kecamatan")
        if self.move_sets < 1:
            raise ValueError("move_sets must be at least 1")

    @property
    def is_empty(self) -> bool:
        """Return whether the what-if changes nothing."""
        return (
            self.evening is None
            and self.saturday is None
            and self.minutes_per_person is None
            and self.move_from is None
        )

    def moved(self) -> dict[str, int]:
        """Return the change of sets per kecamatan the move makes."""
        if self.move_from is None or self.move_to is None:
            return {}
        return {self.move_from: -self.move_sets, self.move_to: self.move_sets}


def _is_evening(session: SessionTemplate) -> bool:
    return session.start >= EVENING_FROM


def changed_site(site: Site, change: WhatIf) -> Site:
    """Return the site with the what-if's sessions and minutes per person."""
    sessions = list(site.sessions)
    shares = dict(site.reserve_shares)
    if change.evening is False:
        sessions = [session for session in sessions if not _is_evening(session)]
        shares = {
            name: share for name, share in shares.items() if name in {s.name for s in sessions}
        }
    elif change.evening is True and not any(
        _is_evening(session) or session.end > EVENING.start for session in sessions
    ):
        weekdays = frozenset().union(*(session.weekdays for session in sessions))
        sessions.append(dataclasses.replace(EVENING, weekdays=weekdays or EVENING.weekdays))
        shares[EVENING.name] = EVENING_RESERVE
    if change.saturday is not None:
        sessions = [
            dataclasses.replace(
                session,
                weekdays=session.weekdays | {SATURDAY}
                if change.saturday
                else session.weekdays - {SATURDAY},
            )
            for session in sessions
        ]
    return dataclasses.replace(
        site,
        sessions=tuple(sessions),
        reserve_shares=shares,
        minutes_per_person=change.minutes_per_person or site.minutes_per_person,
    )


def apply(kecamatan: Sequence[KecamatanSites], change: WhatIf) -> list[KecamatanSites]:
    """Return the kecamatan with the what-if's changes made to every site."""
    return [
        dataclasses.replace(entry, sites=tuple(changed_site(site, change) for site in entry.sites))
        for entry in kecamatan
    ]


@dataclass(frozen=True)
class Comparison:
    """A what-if's answer next to the campaign as it is."""

    change: WhatIf
    before: Needs
    after: Needs

    @property
    def additional_sets_saved(self) -> int | None:
        """Return how many fewer additional sets the change needs (negative: more)."""
        if self.before.total_additional is None or self.after.total_additional is None:
            return None
        return self.before.total_additional - self.after.total_additional


def compare(
    kecamatan: Sequence[KecamatanSites],
    change: WhatIf,
    *,
    closed: ClosedDays,
    first_day: dt.date,
    deadline: dt.date,
) -> Comparison:
    """Return answer (a) for the campaign as it is and with ``change`` made."""
    base = covering_input(kecamatan, closed=closed, first_day=first_day, deadline=deadline)
    changed = covering_input(
        apply(kecamatan, change),
        closed=closed,
        first_day=first_day,
        deadline=deadline,
        sets_moved=change.moved(),
    )
    return Comparison(change=change, before=needs(base), after=needs(changed))

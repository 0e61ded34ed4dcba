"""Recording sites and what they can record (pure): sessions, equipment sets, closed days.

Capacity follows MOSIP's slot formula: a session of ``m`` minutes at a site where one set needs
``p`` minutes per person offers ``floor(m / p) * sets`` turns. A share of some sessions (by
default 20 % of ``malam``) is held back for walk-ins and re-invited residents; the rest is
bookable by the planner.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, get_args

import holidays

DEFAULT_MINUTES_PER_PERSON = 3
"""Minutes one equipment set needs per resident, when a site does not say otherwise.

Why 3: the Palembang report has Ilir Barat II serving "over 380" wajib KTP a day with two sets,
with service from 08:00 to 20:00. The default sessions (pagi 08-12, siang 13-16, malam 16-20)
give 660 minutes a day, so 380 people on 2 sets means at most 660 / 190 = 3.47 minutes each.
Three minutes gives 80 + 60 + 80 = 220 turns per set per day: 440 a day with two sets, 408 of
them bookable once 20 % of malam (32) is held back. That fits Ilir Barat II's 380+, and makes the
Sekda's complaint about Ilir Timur I and II (fewer than 300 a day with sets in place) a
turnout shortfall, not a capacity limit, as the report describes it. Four minutes would cap two
sets at 330 a day, below what Ilir Barat II did. Field reports of 5-10 minutes per person
elsewhere would make 380 a day impossible on two sets; a site that measures its own pace sets
``minutes_per_person`` itself.
"""

WORKING_WEEKDAYS = frozenset(range(5))
"""Monday to Friday (``date.weekday()`` numbers); Sunday is never a default working day."""
SATURDAY = 5

SetChangeReason = Literal["added", "broken", "repaired", "moved"]
SET_CHANGE_REASONS: tuple[str, ...] = get_args(SetChangeReason)


@dataclass(frozen=True)
class SessionTemplate:
    """An opening session repeated on some weekdays, e.g. ``malam`` 16:00-20:00 Mon-Fri."""

    name: str
    start: dt.time
    end: dt.time
    weekdays: frozenset[int] = WORKING_WEEKDAYS

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"session {self.name!r} must end after it starts")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"session {self.name!r}: weekdays are 0 (Monday) to 6 (Sunday)")

    @property
    def minutes(self) -> int:
        """Return the length of the session in whole minutes."""
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


@dataclass(frozen=True)
class SetChange:
    """A dated change in a site's working sets; it counts from ``date`` on, that day included.

    ``added`` and ``repaired`` are positive, ``broken`` negative, ``moved`` either (a set
    moved in or out).
    """

    date: dt.date
    change: int
    reason: SetChangeReason

    def __post_init__(self) -> None:
        if self.change == 0:
            raise ValueError("a set change must change the number of sets")
        if self.reason in ("added", "repaired") and self.change < 0:
            raise ValueError(f"{self.reason!r} must add sets (a positive change)")
        if self.reason == "broken" and self.change > 0:
            raise ValueError("'broken' must remove sets (a negative change)")


@dataclass(frozen=True)
class Site:
    """A recording site: its sets, sessions and rules; by default the kecamatan office.

    ``kelurahan`` empty means the site serves every kelurahan of its kecamatan that no other
    site claims. ``sets`` is the number working before the first event of ``sets_history``.
    """

    code: str
    kecamatan: str
    sets: int
    sessions: tuple[SessionTemplate, ...]
    name: str = ""
    kelurahan: frozenset[str] = frozenset()
    minutes_per_person: int = DEFAULT_MINUTES_PER_PERSON
    reserve_shares: Mapping[str, float] = field(default_factory=dict, hash=False)
    sets_history: tuple[SetChange, ...] = ()
    closed_dates: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if self.sets < 0:
            raise ValueError(f"site {self.code}: sets must not be negative")
        if self.minutes_per_person < 1:
            raise ValueError(f"site {self.code}: minutes_per_person must be at least 1")
        names = [session.name for session in self.sessions]
        if len(set(names)) != len(names):
            raise ValueError(f"site {self.code}: session names must be unique")
        for name, share in self.reserve_shares.items():
            if name not in names:
                raise ValueError(f"site {self.code}: reserve share for unknown session {name!r}")
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"site {self.code}: reserve share of {name!r} not in [0, 1]")
        ordered = sorted(self.sets_history, key=lambda change: change.date)
        object.__setattr__(self, "sets_history", tuple(ordered))
        running = self.sets
        for change in ordered:
            running += change.change
            if running < 0:
                raise ValueError(
                    f"site {self.code}: on {change.date} fewer than zero sets would be working"
                )

    def reserve_share(self, session_name: str) -> float:
        """Return the share of a session held back for walk-ins and re-invitations."""
        return self.reserve_shares.get(session_name, 0.0)


def sets_working(site: Site, day: dt.date) -> int:
    """Return how many of the site's sets work on ``day`` (changes count from their date)."""
    return site.sets + sum(change.change for change in site.sets_history if change.date <= day)


def session_capacity(minutes: int, minutes_per_person: int, sets: int) -> int:
    """Return the turns a session offers: ``floor(minutes / minutes_per_person) * sets``."""
    if minutes_per_person < 1:
        raise ValueError("minutes_per_person must be at least 1")
    return (minutes // minutes_per_person) * max(sets, 0)


def exact_share(share: float) -> Fraction:
    """Return a reserve share as an exact fraction (0.07 -> 7/100), from its decimal spelling.

    ``100 * 0.07`` is ``7.000000000000001`` in floating point, which a ceiling would turn
    into 8; going through the shortest decimal repr keeps 0.07 exactly seven hundredths.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"a reserve share must lie in [0, 1], not {share}")
    return Fraction(repr(float(share)))


def reserve(capacity: int, share: float) -> int:
    """Return the turns held back from a session: ``ceil(capacity * share)``.

    Rounding up means the reserve is never smaller than the share asks for: a 20 % reserve
    of 81 turns holds back 17, not 16. The planner books the rest.
    """
    fraction = exact_share(share)
    return -(-capacity * fraction.numerator // fraction.denominator)


@functools.cache
def _holidays_of_year(year: int, cuti_bersama: bool) -> Mapping[dt.date, str]:
    categories = ("public", "government") if cuti_bersama else ("public",)
    found = holidays.country_holidays("ID", years=year, categories=categories, language="id")
    return MappingProxyType(dict(sorted(found.items())))


def holidays_for(years: Iterable[int], *, cuti_bersama: bool = True) -> dict[dt.date, str]:
    """Return Indonesia's public holidays of ``years`` (date -> Indonesian name).

    With ``cuti_bersama`` the government's collective leave days are included too (in 2011:
    29 Aug, 1-2 Sep, 26 Dec); kecamatan offices are staffed by civil servants, who are off.
    """
    found: dict[dt.date, str] = {}
    for year in years:
        found.update(_holidays_of_year(year, cuti_bersama))
    return found


@dataclass(frozen=True)
class ClosedDays:
    """The days no site of a campaign opens: listed dates plus, optionally, holidays."""

    dates: frozenset[dt.date] = frozenset()
    public_holidays: bool = True
    cuti_bersama: bool = True

    def reason(self, day: dt.date) -> str | None:
        """Return why ``day`` is closed (holiday name or "ditutup"), or None when open."""
        if day in self.dates:
            return "ditutup"
        if self.public_holidays:
            return _holidays_of_year(day.year, self.cuti_bersama).get(day)
        return None

    def is_closed(self, day: dt.date) -> bool:
        """Return whether nobody is received on ``day``."""
        return self.reason(day) is not None

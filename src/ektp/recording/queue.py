"""The check-in queue's rules (pure): numbers, which session a newcomer joins, the walk-in
reserve, the calling order and the estimated wait.

Numbers run per site and day from 1, across the day's sessions, so that the number on a
ticket is never given twice on one day. Tickets are called by number, but those of a
session that has started go first: a resident invited for the evening who comes at nine does
not take a morning resident's turn, yet is served early when a set would otherwise be idle.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

QR_PREFIX = "EKTP"
_QR = re.compile(r"^\s*EKTP:(\d{1,12}):([A-Za-z0-9]{4,12})\s*$")

KINDS = ("invited", "walk_in", "reinvited")
SET_STATUSES = ("working", "broken")

SERVICE_WINDOW = 12
"""How many of the latest calls the service time is measured on (about the last hour)."""
LONGEST_SERVICE_MINUTES = 30.0
"""A longer gap between two calls at one set is a break (lunch, a broken set), not service."""


class CheckInRefused(ValueError):
    """Raised when a resident cannot be given a ticket; the message says why and what to do.

    ``next_free`` is the next session whose walk-in reserve still has room, when the refusal
    is for want of room; ``reason`` is a short word for programs (``wrong_code``,
    ``other_site``, ``unknown``, ``full``, ``closed``, ``recorded``, ``not_wajib``, ``bad_qr``).
    """

    def __init__(
        self, message: str, next_free: tuple[dt.date, str] | None = None, *, reason: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.next_free = next_free
        self.reason = reason


class QueueError(ValueError):
    """Raised when a queue or set action cannot be done: unknown or broken set, bad status."""


class UnknownSetError(QueueError, LookupError):
    """Raised for a set number the site does not have."""


@dataclass(frozen=True)
class SessionWindow:
    """One of a day's sessions at a site, as the queue sees it."""

    name: str
    start: dt.time
    end: dt.time


def display_number(number: int) -> str:
    """Return a queue number as it is printed and called: three digits at least (``007``)."""
    return f"{number:03d}"


def next_number(highest: int | None) -> int:
    """Return the number after the day's highest (1 for the first ticket of the day)."""
    return 1 if highest is None else highest + 1


def parse_qr(payload: str) -> tuple[int, str]:
    """Return (invitation id, attendance code) from a letter's QR payload ``EKTP:<id>:<code>``.

    Raises ValueError for anything else (a scanner may type stray characters or another code).
    """
    match = _QR.match(payload)
    if match is None:
        raise ValueError(f"not an e-KTP letter code (expected {QR_PREFIX}:<number>:<code>)")
    return int(match.group(1)), match.group(2).upper()


def session_for_arrival(windows: Sequence[SessionWindow], at: dt.time) -> SessionWindow | None:
    """Return the session a walk-in arriving at ``at`` joins: the one running, else the next
    one that day; None when the day's last session has ended (or there is none).
    """
    for window in sorted(windows, key=lambda window: window.start):
        if at < window.end:
            return window
    return None


def started_sessions(windows: Iterable[SessionWindow], at: dt.time) -> frozenset[str]:
    """Return the names of the sessions that have started by ``at`` (ended ones included)."""
    return frozenset(window.name for window in windows if window.start <= at)


def call_order(tickets: Iterable[tuple[int, str]], started: frozenset[str]) -> list[int]:
    """Return the ticket numbers of (number, session) in calling order: the started
    sessions' tickets by number, then the others by number.
    """
    return [
        number
        for _, number in sorted((session not in started, number) for number, session in tickets)
    ]


def walk_in_room(*, reserve: int, bookable: int, booked: int, walk_ins: int) -> int:
    """Return how many more walk-ins a session's reserve takes.

    Turns given beyond the bookable part (re-invitations after missed turns, kept turns of a
    set that broke) already sit in the reserve; walk-ins take what is left of it.
    """
    overflow = max(booked - bookable, 0)
    return max(reserve - overflow - walk_ins, 0)


def first_with_room(
    sessions: Iterable[tuple[dt.date, str, int]],
) -> tuple[dt.date, str] | None:
    """Return the first (date, session) of ``sessions`` (in time order) with room, else None."""
    for day, name, room in sessions:
        if room > 0:
            return day, name
    return None


def service_minutes(
    calls_by_set: Mapping[int, Sequence[dt.datetime]],
    *,
    default: float,
    window: int = SERVICE_WINDOW,
    longest: float = LONGEST_SERVICE_MINUTES,
) -> float:
    """Return the minutes one set currently needs per resident: the median gap between two
    calls at the same set over the latest ``window`` gaps, breaks left out; ``default``
    before there are any.

    The median, not the mean, so that one resident whose fingerprints took ten tries does
    not double every estimate on the display.
    """
    gaps: list[tuple[dt.datetime, float]] = []
    for calls in calls_by_set.values():
        ordered = sorted(calls)
        for earlier, later in itertools.pairwise(ordered):
            minutes = (later - earlier).total_seconds() / 60
            if 0 < minutes <= longest:
                gaps.append((later, minutes))
    if not gaps:
        return float(default)
    latest = sorted(gaps)[-window:]
    return float(statistics.median(minutes for _, minutes in latest))


def estimated_wait_minutes(ahead: int, minutes_per_person: float, sets_working: int) -> int | None:
    """Return the minutes until a resident with ``ahead`` people before them is called, or
    None when no set works (nobody can say).

    The sets serve in parallel: ``ahead`` people take ``ahead / sets`` service times.
    """
    if sets_working <= 0:
        return None
    return math.ceil(max(ahead, 0) * minutes_per_person / sets_working)


def ticket_kind(*, turn_today_here: bool, misses: int) -> str:
    """Return a ticket's kind: ``invited`` or ``reinvited`` (after a missed turn) for a turn
    today at this site, else ``walk_in``.
    """
    if not turn_today_here:
        return "walk_in"
    return "reinvited" if misses > 0 else "invited"


def local_time(now: dt.datetime, zone: dt.tzinfo) -> dt.time:
    """Return the wall-clock time at the site; a naive ``now`` is taken as local already."""
    if now.tzinfo is None:
        return now.time()
    return now.astimezone(zone).time().replace(tzinfo=None)


@dataclass(frozen=True)
class CheckInResult:
    """A resident's ticket: number, kind and session; ``already`` when an earlier check-in
    of the same day gave it (a second scan returns the same ticket).
    """

    ticket_id: int
    number: int
    display: str
    kind: str
    session_name: str
    resident_id: int
    site_code: str
    tanggal: dt.date
    already: bool


@dataclass(frozen=True)
class WaitingTicket:
    """A number waiting to be called, with the minutes until its turn (None: no set works)."""

    number: int
    display: str
    session: str
    kind: str
    minutes: int | None


@dataclass(frozen=True)
class SetView:
    """One set of the site today: its state and the last number called to it."""

    set_no: int
    status: str
    number: int | None
    display: str | None
    called_at: dt.datetime | None


@dataclass(frozen=True)
class QueueState:
    """A site's queue on a day: waiting numbers, each set's last call, the estimated wait.

    Holds no names: it is what the waiting room sees. ``session`` is the session a walk-in
    would join now, ``walk_in_room`` the room left in its reserve.
    """

    site_code: str
    site_name: str
    tanggal: dt.date
    session: str | None
    waiting: list[WaitingTicket]
    sets: list[SetView]
    sets_working: int
    minutes_per_person: float
    estimated_wait_minutes: int | None
    walk_in_room: int
    served: int


@dataclass(frozen=True)
class SetStatusResult:
    """What marking a set broken or working did: the sets working today after it and, when
    it changed anything, how many later turns the re-plan moved and which sessions inside
    the letters' freeze window now hold more turns than they can serve.
    """

    site_code: str
    set_no: int
    status: str
    changed: bool
    sets_working: int
    moved: int
    overbooked: list[tuple[dt.date, str]]

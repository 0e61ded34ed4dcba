"""Changing a plan after the fact (pure): re-planning after capacity changes, re-inviting
residents who missed their turn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ektp.scheduling.planner import UNPLACED, IntArray, SiteDemand, SitePlan, plan_site
from ektp.sites.calendar import SessionCalendar

BoolArray = npt.NDArray[np.bool_]

NO_INVITATION = -1
"""Old session of a resident who had no live invitation."""
VANISHED = -2
"""Old session of a resident whose invitation's session is not in the new calendar (its day
was closed since, or the session dropped); the caller maps (date, session name) with
``SessionCalendar.index_of`` and writes this where that gives -1."""

DEFAULT_FREEZE_DAYS = 7


def freeze_until(replan_day: dt.date, freeze_days: int = DEFAULT_FREEZE_DAYS) -> dt.date:
    """Return the first day whose invitations may still change: letters for the days before
    it are already out. Calendar days, since letters travel on weekends too.
    """
    return replan_day + dt.timedelta(days=freeze_days)


@dataclass(frozen=True, eq=False)
class Replan:
    """A re-plan: every resident's session, and who moved from where to where.

    Residents are those of the demand (members in order, households in order). ``moved``
    lists residents whose live invitation changed; ``overbooked`` lists sessions whose kept
    invitations exceed the bookable turns (a set broke inside the freeze window): the
    reserve and the queue absorb them, so the operator must be told.
    """

    plan: SitePlan
    resident_session: IntArray
    kept: BoolArray
    moved: IntArray
    moved_from: IntArray
    moved_to: IntArray
    overbooked: IntArray


def replan(
    demand: SiteDemand,
    calendar: SessionCalendar,
    old_resident_session: IntArray,
    *,
    replan_day: dt.date,
    seed: int,
    kecamatan: str,
    freeze_days: int = DEFAULT_FREEZE_DAYS,
) -> Replan:
    """Return a new plan on ``calendar`` that keeps every invitation before the freeze
    boundary and re-plans all the others (and residents without one) from it on.

    ``old_resident_session`` gives each resident of ``demand`` the index of its session in
    the *new* calendar, ``NO_INVITATION`` or ``VANISHED``. The re-planned residents keep the
    seed's RT order, so a re-plan after sets are added pulls later RTs forward in turn.
    """
    old = np.asarray(old_resident_session, dtype=np.int64)
    sizes = demand.household_sizes
    if len(old) != int(sizes.sum()):
        raise ValueError("old_resident_session needs one entry per resident")
    boundary = calendar.first_index_on_or_after(freeze_until(replan_day, freeze_days))
    kept = (old >= 0) & (old < boundary)
    kept_booked = np.bincount(old[kept], minlength=len(calendar)).astype(np.int64)
    household_of_resident = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    kept_per_household = np.bincount(household_of_resident[kept], minlength=len(sizes))
    rest = dataclasses.replace(demand, household_sizes=sizes - kept_per_household)
    plan = plan_site(
        rest, calendar, seed=seed, kecamatan=kecamatan, first_index=boundary, booked=kept_booked
    )
    sessions = old.copy()
    sessions[~kept] = plan.resident_sessions()
    had_invitation = (old >= 0) | (old == VANISHED)
    moved = np.flatnonzero(had_invitation & ~kept & (sessions != old))
    return Replan(
        plan=plan,
        resident_session=sessions,
        kept=kept,
        moved=moved,
        moved_from=old[moved],
        moved_to=sessions[moved],
        overbooked=np.flatnonzero(kept_booked > calendar.bookable),
    )


@dataclass(frozen=True, eq=False)
class Reinvitation:
    """Where missed residents go: per group its first session (``UNPLACED`` when no reserve
    was left, or when the group missed too often), per resident its session.
    """

    group_session: IntArray
    resident_session: IntArray
    follow_up: IntArray
    reserve_used: IntArray


def reinvite_missed(
    calendar: SessionCalendar,
    group_sizes: IntArray,
    *,
    first_index: int,
    reserve_used: IntArray | None = None,
    misses: IntArray | None = None,
    max_misses: int = 3,
    session_names: Collection[str] = ("malam",),
) -> Reinvitation:
    """Return turns for missed residents in the reserve of the next ``malam`` sessions.

    Groups (a household's members who missed together) come first come, first served: each
    takes the earliest session from ``first_index`` whose unused reserve holds it whole; a
    group larger than any session's free reserve is spread over the earliest ones with room.
    No session gets more than its reserve. A group that has missed ``max_misses`` times or
    more gets no turn and is listed in ``follow_up``: the kelurahan must call on it.
    """
    sizes = np.asarray(group_sizes, dtype=np.int64)
    used = (
        np.zeros(len(calendar), dtype=np.int64)
        if reserve_used is None
        else np.asarray(reserve_used, dtype=np.int64).copy()
    )
    names = set(session_names)
    eligible = np.array([name in names for name in calendar.names], dtype=bool)
    eligible[:first_index] = False
    free = np.where(eligible, np.maximum(calendar.reserve - used, 0), 0)
    group_session = np.full(len(sizes), UNPLACED, dtype=np.int64)
    resident_session = np.full(int(sizes.sum()), UNPLACED, dtype=np.int64)
    first_resident = np.cumsum(sizes) - sizes
    too_often = (
        np.zeros(len(sizes), dtype=bool)
        if misses is None
        else np.asarray(misses, dtype=np.int64) >= max_misses
    )
    open_sessions = [int(session) for session in np.flatnonzero(free > 0)]
    for group, size in enumerate(sizes.tolist()):
        if too_often[group] or size == 0:
            continue
        at = int(first_resident[group])
        whole = next((session for session in open_sessions if free[session] >= size), None)
        if whole is not None:
            parts = [(whole, size)]
        elif int(free.sum()) >= size:
            parts, wanted = [], size
            for session in open_sessions:
                if wanted == 0:
                    break
                members = min(int(free[session]), wanted)
                if members:
                    parts.append((session, members))
                    wanted -= members
        else:
            continue
        group_session[group] = parts[0][0]
        for session, members in parts:
            free[session] -= members
            used[session] += members
            resident_session[at : at + members] = session
            at += members
        if any(free[session] == 0 for session, _ in parts):
            open_sessions = [session for session in open_sessions if free[session] > 0]
    return Reinvitation(
        group_session=group_session,
        resident_session=resident_session,
        follow_up=np.flatnonzero(too_often),
        reserve_used=used,
    )

"""The turns per site and day that a plan or re-plan left, stored with its run.

The Dinas chart (``queries.daily_load``) reads them: counting a city's 1.2 million
invitations by site and day on every request took about a second. The figures are made
from what the run already holds in memory (the live turns it read, the turns it placed), so
storing them costs the run no extra scan.

A run's figures, per site and day: from its first day on, the live turns it kept plus those
it gave; before that day, the figures of the previous run (those days were planned then).
Turns moved, missed, re-invited or recorded as walk-ins after the run do not change them;
the next plan or re-plan counts them again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.scheduling.bulk import NewTurns
from ektp.scheduling.models import Campaign, PlanRun

SiteDays = dict[str, dict[dt.date, int]]
"""Turns per site code, per day."""


def held_of_booked(booked: Mapping[str, Mapping[tuple[dt.date, str], int]]) -> SiteDays:
    """Return the live turns per site and day from a plan's booked turns per session."""
    held: SiteDays = defaultdict(lambda: defaultdict(int))
    for site_code, sessions in booked.items():
        for (day, _), count in sessions.items():
            held[site_code][day] += count
    return held


def held_of_live(
    turn: npt.NDArray[np.int64],
    turns: Sequence[tuple[str, dt.date, str]],
    invitation_id: npt.NDArray[np.int64],
    moved_ids: Iterable[int],
) -> SiteDays:
    """Return the live turns per site and day that a re-plan kept: each resident's turn
    (an index into ``turns``, the (site, day, session) keys) unless its invitation moved.
    """
    moved = np.fromiter(moved_ids, dtype=np.int64)
    kept = (turn >= 0) & ~np.isin(invitation_id, moved)
    counts = np.bincount(turn[kept], minlength=len(turns))
    held: SiteDays = defaultdict(lambda: defaultdict(int))
    for at in np.flatnonzero(counts).tolist():
        site_code, day, _ = turns[at]
        held[site_code][day] += int(counts[at])
    return held


def _placed(batches: Iterable[NewTurns]) -> SiteDays:
    placed: SiteDays = defaultdict(lambda: defaultdict(int))
    for batch in batches:
        counts = np.bincount(batch.sessions, minlength=len(batch.days))
        for at in np.flatnonzero(counts).tolist():
            placed[batch.site_code][dt.date.fromisoformat(batch.days[at])] += int(counts[at])
    return placed


def store_day_loads(
    session: Session,
    run: PlanRun,
    *,
    from_day: dt.date,
    held: SiteDays,
    batches: Iterable[NewTurns],
    carried: Collection[str] = (),
) -> None:
    """Store on ``run`` its turns per site and day: from ``from_day`` on, those ``held``
    (kept live) plus the new ``batches``; before it, the previous run's figures, as for
    every day of the ``carried`` sites (those the run left alone).
    """
    previous = _latest(session, run.campaign_id, before=run.id)
    loads: SiteDays = defaultdict(lambda: defaultdict(int))
    for site_days in (held, _placed(batches)):
        for site_code, days in site_days.items():
            if previous is not None and site_code in carried:
                continue
            for day, count in days.items():
                if previous is None or day >= from_day:
                    loads[site_code][day] += count
    for site_code, days in (previous or {}).items():
        for day, count in days.items():
            if day < from_day or site_code in carried:
                loads[site_code][day] += count
    run.day_loads = json.dumps(
        {
            site_code: {day.isoformat(): count for day, count in sorted(days.items()) if count}
            for site_code, days in sorted(loads.items())
        }
    )


def stored_day_loads(*, session: Session, campaign: Campaign) -> SiteDays:
    """Return the turns per site and day of the campaign's latest plan or re-plan (empty
    before any).
    """
    return _latest(session, campaign.id) or {}


def _latest(session: Session, campaign_id: int, before: int | None = None) -> SiteDays | None:
    query = select(PlanRun.day_loads).where(
        PlanRun.campaign_id == campaign_id, PlanRun.day_loads.is_not(None)
    )
    if before is not None:
        query = query.where(PlanRun.id < before)
    stored = session.execute(query.order_by(PlanRun.id.desc()).limit(1)).scalar_one_or_none()
    if stored is None:
        return None
    return {
        site_code: {dt.date.fromisoformat(day): int(count) for day, count in days.items()}
        for site_code, days in json.loads(stored).items()
    }

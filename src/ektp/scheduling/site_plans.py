"""Pieces shared by planning and re-planning: calendars long enough, a site's figures
against the deadline, plan runs, and new turns ready for the bulk writer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.regions import service as regions_service
from ektp.scheduling.bulk import NewTurns
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import kecamatan_names, session_index, utc
from ektp.scheduling.models import Campaign, PlanRun, SetChangeEvent
from ektp.scheduling.planner import IntArray
from ektp.scheduling.report import (
    KecamatanReport,
    SiteOutcome,
    extra_sets_needed,
    kecamatan_report,
    lower_bound_last_day,
)
from ektp.scheduling.schemas import report_as_json
from ektp.sites.calendar import SessionCalendar, build_calendar, calendar_covering
from ektp.sites.capacity import Site

_LONGEST_HORIZON = dt.timedelta(days=366 * 20)


def calendar_for(
    definition: Definition, site: Site, first_day: dt.date, residents: int, until: dt.date
) -> SessionCalendar:
    """Return a calendar from ``first_day`` with room for ``residents``, or up to ``until``
    when the site can never hold them (no sets): the plan then leaves the rest unplaced.
    """
    try:
        return calendar_covering(
            site, first_day, definition.closed, residents, at_least_until=until
        )
    except ValueError:
        return build_calendar(site, first_day, max(until, first_day), definition.closed)


def longer_calendar(
    definition: Definition, site: Site, first_day: dt.date, calendar: SessionCalendar
) -> SessionCalendar | None:
    """Return the calendar twice as long, or None past twenty years or with no turns at all."""
    last = calendar.days[-1] if len(calendar) else first_day
    span = max(last - first_day, dt.timedelta(days=31))
    never_open = span > dt.timedelta(days=366) and not calendar.bookable.any()
    if span > _LONGEST_HORIZON or never_open:
        return None
    return build_calendar(site, first_day, first_day + 2 * span, definition.closed)


def site_outcome_of(
    calendar: SessionCalendar,
    *,
    fixed: IntArray,
    placed: IntArray,
    movable: int,
    unplaced: int,
    first_index: int,
    deadline: dt.date,
) -> SiteOutcome:
    """Return a site's figures for all its turns: ``fixed`` stay where they are, ``placed``
    were booked by this run for ``movable`` residents (``unplaced`` found no session).

    The lower bound and the extra sets concern the movable residents, from ``first_index``
    on, around the fixed turns: they say what any plan of this run could have done.
    """
    booked = fixed + placed
    residents = int(booked.sum()) + unplaced
    used = np.flatnonzero(booked > 0)
    first_day = calendar.days[int(used[0])] if len(used) else None
    last_day = calendar.days[int(used[-1])] if len(used) and unplaced == 0 else None
    deadline_met = residents == 0 or (last_day is not None and last_day <= deadline)
    if movable > 0:
        bound = lower_bound_last_day(calendar, movable, first_index=first_index, booked=fixed)
        needed = extra_sets_needed(
            calendar, movable, deadline, first_index=first_index, booked=fixed
        )
    else:
        bound = lower_bound_last_day(calendar, residents)
        needed = extra_sets_needed(calendar, residents, deadline)
    extra = 0 if deadline_met else (None if needed is None else max(needed, 1))
    start = min(first_index, len(calendar) - 1)
    return SiteOutcome(
        site_code=calendar.site_code,
        residents=residents,
        sets=int(calendar.sets[start]) if len(calendar) else 0,
        daily_capacity=calendar.daily_capacity(calendar.days[start]) if len(calendar) else 0,
        first_day=first_day,
        last_day=last_day,
        lower_bound_last_day=bound,
        deadline_met=deadline_met,
        extra_sets_needed=extra,
    )


def kecamatan_reports(
    session: Session, definition: Definition, outcomes: dict[str, list[SiteOutcome]]
) -> list[KecamatanReport]:
    """Return one report line per kecamatan with a site, in the campaign's order."""
    order = list(dict.fromkeys(site.kecamatan for site in definition.sites))
    names = kecamatan_names(session=session, codes=order)
    return [kecamatan_report(kode, names[kode], outcomes.get(kode, [])) for kode in order]


def serving_sites(session: Session, definition: Definition) -> dict[str, int]:
    """Return the site number serving each loaded kelurahan of the campaign's city."""
    numbers = {site.code: number for number, site in enumerate(definition.sites)}
    served: dict[str, int] = {}
    for kode in regions_service.kelurahan_codes(session=session, city=definition.city):
        site = definition.site_for_kelurahan(kode)
        if site is not None:
            served[kode] = numbers[site.code]
    return served


def booked_array(calendar: SessionCalendar, counts: dict[tuple[dt.date, str], int]) -> IntArray:
    """Return per session of ``calendar`` the turns counted by (day, name); others dropped."""
    array = np.zeros(len(calendar), dtype=np.int64)
    index = session_index(calendar)
    for key, count in counts.items():
        at = index.get(key)
        if at is not None:
            array[at] += count
    return array


def new_turns(
    *,
    campaign_id: int,
    plan_run_id: int,
    site_code: str,
    calendar: SessionCalendar,
    resident_ids: IntArray,
    sessions: IntArray,
    misses: IntArray,
) -> NewTurns:
    """Return the new ``planned`` turns of one site, ready for ``insert_turns``."""
    return NewTurns(
        campaign_id=campaign_id,
        plan_run_id=plan_run_id,
        site_code=site_code,
        days=[day.isoformat() for day in calendar.days],
        names=list(calendar.names),
        resident_ids=resident_ids,
        sessions=sessions,
        misses=misses,
    )


def start_run(
    session: Session, campaign: Campaign, kind: str, seed: int, now: dt.datetime, by: str | None
) -> PlanRun:
    """Return a new plan run row (flushed, so it has its id)."""
    run = PlanRun(
        campaign_id=campaign.id,
        kind=kind,
        seed=seed,
        started_at=utc(now),
        invited=0,
        moved=0,
        created_by=by,
        set_changes_seen=session.scalar(
            select(func.coalesce(func.max(SetChangeEvent.id), 0)).where(
                SetChangeEvent.campaign_id == campaign.id
            )
        ),
    )
    session.add(run)
    session.flush()
    return run


def latest_run(session: Session, campaign: Campaign) -> PlanRun | None:
    """Return the campaign's latest plan or re-plan (re-invitations aside), or None."""
    return session.execute(
        select(PlanRun)
        .where(PlanRun.campaign_id == campaign.id, PlanRun.kind.in_(("plan", "replan")))
        .order_by(PlanRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def baseline_run(session: Session, campaign: Campaign) -> PlanRun | None:
    """Return the run that last placed every live turn on the capacity of its day: the
    latest re-plan, else the first plan (a later plan only adds newcomers around the turns
    already given), or None before any plan."""
    latest_replan = session.execute(
        select(PlanRun)
        .where(PlanRun.campaign_id == campaign.id, PlanRun.kind == "replan")
        .order_by(PlanRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest_replan is not None:
        return latest_replan
    return session.execute(
        select(PlanRun)
        .where(PlanRun.campaign_id == campaign.id, PlanRun.kind == "plan")
        .order_by(PlanRun.id)
        .limit(1)
    ).scalar_one_or_none()


def sites_changed_since(session: Session, campaign: Campaign, seen: int) -> set[str]:
    """Return the codes of the sites whose sets changed after the set change ``seen``."""
    return set(
        session.execute(
            select(SetChangeEvent.site_code)
            .where(SetChangeEvent.campaign_id == campaign.id, SetChangeEvent.id > seen)
            .distinct()
        ).scalars()
    )


def finish_run(
    session: Session, run: PlanRun, reports: Sequence[KecamatanReport], now: dt.datetime
) -> None:
    """Store the run's report as JSON and its end time."""
    run.report = json.dumps([report_as_json(report) for report in reports])
    run.finished_at = utc(now)
    session.flush()

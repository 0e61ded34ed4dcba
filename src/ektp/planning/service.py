"""The equipment planner and the site simulation on the stored campaign (use cases).

The planner's input comes from the other areas' services: the campaign and its sites (with
their set history) from ``scheduling``, the remaining wajib KTP per kecamatan from the
forecast's ``monitoring.forecast_service`` (so both pages show the same remaining), the last
closed day from ``recording.daily``, a site's turns from ``scheduling.queries``. Functions
take a keyword-only ``session`` and never write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ektp.monitoring.forecast_service import area_histories, first_open_day
from ektp.planning import equipment, simulation, whatif
from ektp.recording.daily import last_closed_day
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import (
    campaign_definition,
    campaign_today,
    require_campaign,
    site_of,
)
from ektp.scheduling.queries import sessions_overview
from ektp.sites.capacity import sets_working

DEFAULT_NO_SHOW_SHARE = 0.15
DEFAULT_WALK_IN_FILL = 0.5
"""Share of the held-back (reserve) turns that walk-ins fill in a simulated day."""


@dataclass(frozen=True)
class PlanningState:
    """What the planner starts from: the campaign, its first day to plan, each kecamatan."""

    definition: Definition
    first_day: dt.date
    deadline: dt.date
    kecamatan: tuple[whatif.KecamatanSites, ...]


def planning_today(*, session: Session, now: dt.datetime) -> dt.date:
    """Return the day the planner counts from: Palembang's date at ``now``, or, for a replay
    of a past campaign, its last closed day (its start before any), as the dashboards do."""
    campaign = require_campaign(session=session)
    today = campaign_today(campaign, now)
    closed = last_closed_day(session=session)
    return max(today, closed) if closed is not None else today


def first_day_to_plan(*, session: Session, now: dt.datetime) -> dt.date:
    """Return the first day still ahead: today until it is closed, then the day after the
    last closed day; never before the campaign's start (the forecast's first day too)."""
    campaign = require_campaign(session=session)
    return first_open_day(
        start=campaign.start,
        today=planning_today(session=session, now=now),
        last_closed=last_closed_day(session=session),
    )


def planning_state(
    *,
    session: Session,
    now: dt.datetime,
    deadline: dt.date | None = None,
    first_day: dt.date | None = None,
) -> PlanningState:
    """Return the planner's starting point on the planner's today at ``now``
    (``planning_state_on``)."""
    return planning_state_on(
        session=session,
        today=planning_today(session=session, now=now),
        deadline=deadline,
        first_day=first_day,
    )


def planning_state_on(
    *,
    session: Session,
    today: dt.date,
    deadline: dt.date | None = None,
    first_day: dt.date | None = None,
) -> PlanningState:
    """Return the planner's starting point as of ``today``: per kecamatan with a site, its
    remaining wajib KTP and its sites (set history from the database), from the first day
    not yet closed (or ``first_day``).

    Remaining is the forecast's (``forecast_service.area_histories``): wajib KTP on
    ``today`` less the recorded of the closed days up to it, read from the closed days'
    reports (a few thousand rows), never by counting recordings.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    areas, last_closed = area_histories(
        session=session, campaign_id=campaign.id, definition=definition, today=today
    )
    start = first_day or first_open_day(
        start=definition.start, today=today, last_closed=last_closed
    )
    by_kode = {area.kode: area for area in areas}
    order = list(dict.fromkeys(site.kecamatan for site in definition.sites))
    return PlanningState(
        definition=definition,
        first_day=start,
        deadline=deadline or definition.deadline,
        kecamatan=tuple(
            whatif.KecamatanSites(
                kode=kode,
                nama=by_kode[kode].nama,
                remaining=by_kode[kode].remaining,
                sites=definition.sites_of(kode),
            )
            for kode in order
        ),
    )


def planner_input(
    state: PlanningState, change: whatif.WhatIf | None = None
) -> equipment.PlannerInput:
    """Return the planner's input for ``state``, with ``change`` made when given."""
    kecamatan = list(state.kecamatan)
    if change is not None:
        known = {entry.kode for entry in kecamatan}
        for kode in (change.move_from, change.move_to):
            if kode is not None and kode not in known:
                raise ValueError(f"the campaign has no site in kecamatan {kode}")
        kecamatan = whatif.apply(kecamatan, change)
    return whatif.covering_input(
        kecamatan,
        closed=state.definition.closed,
        first_day=state.first_day,
        deadline=state.deadline,
        sets_moved=change.moved() if change is not None else None,
    )


def equipment_needs(
    *,
    session: Session,
    now: dt.datetime,
    deadline: dt.date | None = None,
    first_day: dt.date | None = None,
    change: whatif.WhatIf | None = None,
) -> whatif.Comparison:
    """Return answer (a) for the campaign as it is, and with ``change`` (the same when none)."""
    state = planning_state(session=session, now=now, deadline=deadline, first_day=first_day)
    before = equipment.needs(planner_input(state))
    if change is None or change.is_empty:
        return whatif.Comparison(change=change or whatif.WhatIf(), before=before, after=before)
    return whatif.Comparison(
        change=change, before=before, after=equipment.needs(planner_input(state, change))
    )


def needs_on(*, session: Session, today: dt.date) -> equipment.Needs:
    """Return answer (a) as of ``today`` (the Sekda's report of that day)."""
    return equipment.needs(planner_input(planning_state_on(session=session, today=today)))


def budget_plan(
    *,
    session: Session,
    now: dt.datetime,
    budget: int,
    deadline: dt.date | None = None,
    first_day: dt.date | None = None,
    change: whatif.WhatIf | None = None,
) -> equipment.BudgetPlan:
    """Return answer (b): where ``budget`` more sets make the latest finish earliest."""
    state = planning_state(session=session, now=now, deadline=deadline, first_day=first_day)
    return equipment.allocate_budget(planner_input(state, change), budget)


def sites_by_kecamatan(*, session: Session) -> dict[str, list[tuple[str, str]]]:
    """Return the campaign's sites per kecamatan as (site code, name), in file order."""
    definition = campaign_definition(session=session, campaign=require_campaign(session=session))
    found: dict[str, list[tuple[str, str]]] = {}
    for site in definition.sites:
        found.setdefault(site.kecamatan, []).append((site.code, site.name or site.code))
    return found


def site_config(
    *,
    session: Session,
    site_code: str,
    day: dt.date,
    no_show_share: float = DEFAULT_NO_SHOW_SHARE,
    walk_in_fill: float = DEFAULT_WALK_IN_FILL,
    breakdowns_per_set_hour: float = 0.02,
) -> simulation.SiteConfig:
    """Return the simulation's picture of a site on ``day``: its sessions and working sets,
    invited residents per hour from its turns of that day (its bookable turns when none
    were given), walk-ins filling part of the reserve, weighted to the evening.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    loads = sessions_overview(session=session, site_code=site.code, from_day=day, days=1)
    if not loads:
        raise ValueError(f"site {site.code} is closed on {day.isoformat()}")
    windows = tuple(
        simulation.Window(
            load.start.hour * 60 + load.start.minute, load.end.hour * 60 + load.end.minute
        )
        for load in loads
    )
    arrivals: dict[int, float] = {}
    reserve = 0
    for window, load in zip(windows, loads, strict=True):
        invited = load.planned + load.attended + load.missed or load.bookable
        reserve += load.reserve
        minutes = window.end - window.start
        for hour in range(int(window.start // 60), -(-int(window.end) // 60)):
            open_minutes = min(window.end, (hour + 1) * 60) - max(window.start, hour * 60)
            arrivals[hour] = arrivals.get(hour, 0.0) + invited * open_minutes / minutes
    return simulation.SiteConfig(
        windows=windows,
        sets=max(sets_working(site, day), 1),
        minutes_per_person=site.minutes_per_person,
        arrivals=arrivals,
        no_show_share=no_show_share,
        walk_ins=simulation.evening_peak(reserve * walk_in_fill, windows),
        breakdowns_per_set_hour=breakdowns_per_set_hour,
    )


def simulate_site(
    *,
    session: Session,
    site_code: str,
    now: dt.datetime,
    days: int,
    seed: int = 2011,
    day: dt.date | None = None,
) -> tuple[simulation.SiteConfig, simulation.SeasonFigures]:
    """Return the site's simulated days (each like the first day to plan, or ``day``)."""
    chosen = day or first_day_to_plan(session=session, now=now)
    definition = campaign_definition(session=session, campaign=require_campaign(session=session))
    site = site_of(definition, site_code)
    # Skip to the site's next open day: a Sunday or a holiday has nothing to simulate.
    for _ in range(14):
        if sessions_overview(session=session, site_code=site.code, from_day=chosen, days=1):
            break
        chosen += dt.timedelta(days=1)
    config = site_config(session=session, site_code=site.code, day=chosen)
    return config, simulation.simulate_season(config, days=days, seed=seed)

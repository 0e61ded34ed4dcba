"""Plan and re-plan a campaign in the database: read demand set-wise, run the pure planner
per site, write the turns in bulk, store the RT order and the report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from ektp.regions import service as regions_service
from ektp.scheduling import demand as demand_sql
from ektp.scheduling.bulk import (
    INVITATION_COLUMNS,
    bulk_insert,
    indexes_set_aside,
    new_codes,
    stamp_text,
)
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import (
    campaign_definition,
    kecamatan_names,
    local_day,
    require_campaign,
    session_index,
    utc,
)
from ektp.scheduling.models import LIVE_STATUSES, Campaign, Invitation, PlanRun
from ektp.scheduling.planner import IntArray, plan_site, rt_order
from ektp.scheduling.replan import VANISHED, freeze_until
from ektp.scheduling.replan import replan as replan_site
from ektp.scheduling.report import (
    KecamatanReport,
    SiteOutcome,
    extra_sets_needed,
    kecamatan_report,
    lower_bound_last_day,
)
from ektp.scheduling.schemas import (
    MovedTurn,
    OverbookedSession,
    PlanResult,
    ReplanResult,
    report_as_json,
    report_from_json,
)
from ektp.sites.calendar import SessionCalendar, build_calendar, calendar_covering
from ektp.sites.capacity import Site

_LONGEST_HORIZON = dt.timedelta(days=366 * 20)


def _calendar(
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


def _longer(
    definition: Definition, site: Site, first_day: dt.date, calendar: SessionCalendar
) -> SessionCalendar | None:
    last = calendar.days[-1] if len(calendar) else first_day
    span = max(last - first_day, dt.timedelta(days=31))
    if span > _LONGEST_HORIZON:
        return None
    return build_calendar(site, first_day, first_day + 2 * span, definition.closed)


def _outcome(
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


def _reports(
    session: Session, definition: Definition, outcomes: dict[str, list[SiteOutcome]]
) -> list[KecamatanReport]:
    order = list(dict.fromkeys(site.kecamatan for site in definition.sites))
    names = kecamatan_names(session=session, codes=order)
    return [kecamatan_report(kode, names[kode], outcomes.get(kode, [])) for kode in order]


def _site_numbers(session: Session, definition: Definition) -> dict[str, int]:
    """Return the site number serving each loaded kelurahan of the campaign's city."""
    numbers = {site.code: number for number, site in enumerate(definition.sites)}
    served: dict[str, int] = {}
    for kode in regions_service.kelurahan_codes(session=session, city=definition.city):
        site = definition.site_for_kelurahan(kode)
        if site is not None:
            served[kode] = numbers[site.code]
    return served


def _booked(
    session: Session, campaign_id: int, from_day: dt.date
) -> dict[str, dict[tuple[dt.date, str], int]]:
    sql = demand_sql.dated_sql(
        "SELECT site_code, tanggal, session, COUNT(*) FROM invitations "
        f"WHERE campaign_id = :campaign AND status IN {demand_sql.LIVE_SQL} "
        "AND tanggal >= :from_day GROUP BY site_code, tanggal, session",
        "from_day",
    )
    booked: dict[str, dict[tuple[dt.date, str], int]] = {}
    for site_code, tanggal, name, count in session.execute(
        sql, {"campaign": campaign_id, "from_day": from_day}
    ):
        booked.setdefault(str(site_code), {})[(demand_sql.as_date(tanggal), str(name))] = int(count)
    return booked


def _as_array(calendar: SessionCalendar, counts: dict[tuple[dt.date, str], int]) -> IntArray:
    array = np.zeros(len(calendar), dtype=np.int64)
    index = session_index(calendar)
    for key, count in counts.items():
        at = index.get(key)
        if at is not None:
            array[at] += count
    return array


def _invitation_rows(
    *,
    campaign_id: int,
    plan_run_id: int,
    site_code: str,
    calendar: SessionCalendar,
    resident_ids: IntArray,
    sessions: IntArray,
    misses: IntArray,
    stamp: str,
) -> Iterator[tuple[Any, ...]]:
    days = np.array([day.isoformat() for day in calendar.days], dtype=object)
    names = np.array(calendar.names, dtype=object)
    # In resident id order both resident indexes grow at their end instead of all over.
    order = np.argsort(resident_ids, kind="stable")
    resident_ids, sessions, misses = resident_ids[order], sessions[order], misses[order]
    return zip(
        repeat(campaign_id),
        resident_ids.tolist(),
        repeat(site_code),
        days[sessions].tolist(),
        names[sessions].tolist(),
        new_codes(len(resident_ids)),
        repeat("planned"),
        misses.tolist(),
        repeat(plan_run_id),
        repeat(stamp),
        strict=False,
    )


def _start_run(
    session: Session, campaign: Campaign, kind: str, seed: int, now: dt.datetime, by: str | None
) -> PlanRun:
    run = PlanRun(
        campaign_id=campaign.id,
        kind=kind,
        seed=seed,
        started_at=utc(now),
        invited=0,
        moved=0,
        created_by=by,
    )
    session.add(run)
    session.flush()
    return run


def _finish_run(
    session: Session, run: PlanRun, reports: Sequence[KecamatanReport], now: dt.datetime
) -> None:
    run.report = json.dumps([report_as_json(report) for report in reports])
    run.finished_at = utc(now)
    session.flush()


def _store_rt_order(
    session: Session, campaign: Campaign, definition: Definition, seed: int
) -> None:
    served = _site_numbers(session, definition)
    units = demand_sql.rt_units_of(session=session, kelurahan=served)
    session.execute(
        text("DELETE FROM rt_turns WHERE campaign_id = :campaign"), {"campaign": campaign.id}
    )
    rows: list[tuple[Any, ...]] = []
    for number, site in enumerate(definition.sites):
        by_key = {
            regions_service.rt_code(*unit): unit
            for kode, site_number in served.items()
            if site_number == number
            for unit in units[kode]
        }
        for position, key in enumerate(rt_order(by_key, seed, site.kecamatan)):
            kode, rw, rt = by_key[key]
            rows.append((campaign.id, site.code, position, kode, rw, rt))
    bulk_insert(
        session,
        "rt_turns",
        ("campaign_id", "site_code", "position", "kode_kelurahan", "rw", "rt"),
        rows,
    )


def plan(
    *,
    session: Session,
    now: dt.datetime,
    seed: int | None = None,
    by: str | None = None,
    today: dt.date | None = None,
) -> PlanResult:
    """Return the report after giving a turn to every wajib KTP resident who has none.

    Demand is counted on the campaign's start date, or ``today`` (default: ``now``'s date in
    Palembang) when that is later; turns start that day. Live turns already given count
    as booked. ``seed`` overrides the campaign's (it draws the RT order).
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    seed = campaign.seed if seed is None else seed
    first_day = max(definition.start, today or local_day(now))
    residents = demand_sql.eligible_uninvited(
        session=session, campaign_id=campaign.id, city=definition.city, as_of=first_day
    )
    served = _site_numbers(session, definition)
    site_numbers = demand_sql.site_of_residents(residents, served)
    booked = _booked(session, campaign.id, first_day)
    run = _start_run(session, campaign, "plan", seed, now, by)
    stamp = stamp_text(session, now)
    outcomes: dict[str, list[SiteOutcome]] = {}
    batches: list[Iterable[tuple[Any, ...]]] = []
    for number, site in enumerate(definition.sites):
        group = demand_sql.site_residents(residents, np.flatnonzero(site_numbers == number))
        booked_here = booked.get(site.code, {})
        latest = max((day for day, _ in booked_here), default=definition.deadline)
        calendar = _calendar(
            definition,
            site,
            first_day,
            group.demand.residents + sum(booked_here.values()),
            max(latest, definition.deadline),
        )
        while True:
            fixed = _as_array(calendar, booked_here)
            site_plan = plan_site(
                group.demand, calendar, seed=seed, kecamatan=site.kecamatan, booked=fixed
            )
            longer = None
            if site_plan.unplaced_residents:
                longer = _longer(definition, site, first_day, calendar)
            if longer is None:
                break
            calendar = longer
        sessions = site_plan.resident_sessions()
        placed = sessions >= 0
        batches.append(
            _invitation_rows(
                campaign_id=campaign.id,
                plan_run_id=run.id,
                site_code=site.code,
                calendar=calendar,
                resident_ids=residents.resident_id[group.positions][placed],
                sessions=sessions[placed],
                misses=residents.misses[group.positions][placed],
                stamp=stamp,
            )
        )
        run.invited += int(placed.sum())
        outcomes.setdefault(site.kecamatan, []).append(
            _outcome(
                calendar,
                fixed=fixed,
                placed=site_plan.booked,
                movable=group.demand.residents,
                unplaced=site_plan.unplaced_residents,
                first_index=0,
                deadline=definition.deadline,
            )
        )
    with indexes_set_aside(session, cast(Table, Invitation.__table__), run.invited):
        bulk_insert(session, "invitations", INVITATION_COLUMNS, (row for b in batches for row in b))
    _store_rt_order(session, campaign, definition, seed)
    reports = _reports(session, definition, outcomes)
    _finish_run(session, run, reports, now)
    return PlanResult(
        plan_run_id=run.id,
        invited=run.invited,
        reports=reports,
        unserved=int((site_numbers < 0).sum()),
    )


def plan_report(*, session: Session, campaign: Campaign | None = None) -> list[KecamatanReport]:
    """Return the per-kecamatan report of the latest plan or re-plan (empty before any).

    It is the report stored when that run finished: turns moved, missed or attended since
    do not change it, so the Dinas reads the figures the plan was made on.
    """
    campaign = campaign or require_campaign(session=session)
    stored = session.execute(
        select(PlanRun.report)
        .where(PlanRun.campaign_id == campaign.id, PlanRun.report.is_not(None))
        .order_by(PlanRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if stored is None:
        return []
    return [report_from_json(line) for line in json.loads(stored)]


def _plan_seed(session: Session, campaign: Campaign) -> int:
    seed = session.execute(
        select(PlanRun.seed)
        .where(PlanRun.campaign_id == campaign.id, PlanRun.kind == "plan")
        .order_by(PlanRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return campaign.seed if seed is None else int(seed)


def replan(
    *,
    session: Session,
    replan_day: dt.date,
    now: dt.datetime,
    by: str | None = None,
    freeze_days: int | None = None,
) -> ReplanResult:
    """Return who moved after re-planning every live turn on today's capacity.

    Turns before ``replan_day + freeze_days`` (letters already out) stay; later ones are
    planned again from that boundary, in the latest plan's RT order. A moved turn's old
    invitation becomes ``moved`` and a new ``planned`` one (with a new code) takes its place.
    """
    from ektp.scheduling.bulk import set_status

    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    freeze = definition.freeze_days if freeze_days is None else freeze_days
    boundary_day = freeze_until(replan_day, freeze)
    seed = _plan_seed(session, campaign)
    live = demand_sql.live_turns(session=session, campaign_id=campaign.id)
    site_numbers = demand_sql.site_of_residents(live, _site_numbers(session, definition))
    run = _start_run(session, campaign, "replan", seed, now, by)
    stamp = stamp_text(session, now)
    outcomes: dict[str, list[SiteOutcome]] = {}
    moved: list[MovedTurn] = []
    overbooked: list[OverbookedSession] = []
    old_ids: list[int] = []
    batches: list[Iterable[tuple[Any, ...]]] = []
    for number, site in enumerate(definition.sites):
        group = demand_sql.site_residents(live, np.flatnonzero(site_numbers == number))
        turn_ids = live.turn[group.positions]
        turns = [live.turns[int(turn)] for turn in np.unique(turn_ids)]
        first_day = min([replan_day, *(day for _, day, _ in turns)])
        latest = max([definition.deadline, *(day for _, day, _ in turns)])
        calendar = _calendar(definition, site, first_day, len(group.positions), latest)
        while True:
            index = session_index(calendar)
            lookup = np.full(len(live.turns) or 1, VANISHED, dtype=np.int64)
            for turn, (site_code, day, name) in enumerate(live.turns):
                if site_code == site.code:
                    lookup[turn] = index.get((day, name), VANISHED)
            old = lookup[turn_ids]
            result = replan_site(
                group.demand,
                calendar,
                old,
                replan_day=replan_day,
                seed=seed,
                kecamatan=site.kecamatan,
                freeze_days=freeze,
            )
            longer = None
            if result.plan.unplaced_residents:
                longer = _longer(definition, site, first_day, calendar)
            if longer is None:
                break
            calendar = longer
        boundary = calendar.first_index_on_or_after(boundary_day)
        kept = np.bincount(old[result.kept], minlength=len(calendar)).astype(np.int64)
        for session_at in result.overbooked.tolist():
            overbooked.append(
                OverbookedSession(
                    site_code=site.code,
                    date=calendar.days[session_at],
                    session=calendar.names[session_at],
                    booked=int(kept[session_at]),
                    bookable=int(calendar.bookable[session_at]),
                )
            )
        going = result.moved[result.moved_to >= 0]
        to = result.resident_session[going]
        at = group.positions[going]
        old_ids.extend(live.invitation_id[at].tolist())
        for resident, turn, new in zip(
            live.resident_id[at].tolist(), live.turn[at].tolist(), to.tolist(), strict=True
        ):
            _, from_day, from_name = live.turns[turn]
            moved.append(
                MovedTurn.model_construct(
                    resident_id=resident,
                    site_code=site.code,
                    from_date=from_day,
                    from_session=from_name,
                    to_date=calendar.days[new],
                    to_session=calendar.names[new],
                )
            )
        batches.append(
            _invitation_rows(
                campaign_id=campaign.id,
                plan_run_id=run.id,
                site_code=site.code,
                calendar=calendar,
                resident_ids=live.resident_id[at],
                sessions=to,
                misses=live.misses[at],
                stamp=stamp,
            )
        )
        outcomes.setdefault(site.kecamatan, []).append(
            _outcome(
                calendar,
                fixed=kept,
                placed=result.plan.booked,
                movable=int(result.plan.household_sizes.sum()),
                unplaced=result.plan.unplaced_residents,
                first_index=boundary,
                deadline=definition.deadline,
            )
        )
    # The old turns must stop being live before the new ones arrive: one live turn each.
    set_status(
        session,
        old_ids,
        status="moved",
        now=now,
        by=by,
        note=f"re-plan {run.id}",
        from_statuses=LIVE_STATUSES,
    )
    bulk_insert(session, "invitations", INVITATION_COLUMNS, (row for b in batches for row in b))
    run.moved = len(moved)
    run.invited = len(moved)
    reports = _reports(session, definition, outcomes)
    _finish_run(session, run, reports, now)
    return ReplanResult(
        plan_run_id=run.id,
        freeze_until=boundary_day,
        moved=moved,
        overbooked=overbooked,
        reports=reports,
    )

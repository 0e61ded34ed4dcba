"""Plan a campaign in the database: read the demand set-wise, run the pure planner per
site, write the turns in bulk, store the RT order and the report.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from ektp.regions import service as regions_service
from ektp.scheduling import demand as demand_sql
from ektp.scheduling.bulk import (
    NewTurns,
    bulk_insert,
    collector_paused,
    indexes_set_aside,
    insert_turns,
    stamp_text,
)
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import campaign_definition, local_day, require_campaign
from ektp.scheduling.day_loads import held_of_booked, store_day_loads
from ektp.scheduling.models import Campaign, Invitation, PlanRun
from ektp.scheduling.planner import plan_site, rt_order
from ektp.scheduling.report import KecamatanReport, SiteOutcome
from ektp.scheduling.schemas import PlanResult, report_from_json
from ektp.scheduling.site_plans import (
    booked_array,
    calendar_for,
    finish_run,
    kecamatan_reports,
    longer_calendar,
    new_turns,
    serving_sites,
    site_outcome_of,
    start_run,
)


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


def _store_rt_order(
    session: Session, campaign: Campaign, definition: Definition, seed: int
) -> None:
    served = serving_sites(session, definition)
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
    with collector_paused():
        return _plan(session=session, now=now, seed=seed, by=by, today=today)


def _plan(
    *,
    session: Session,
    now: dt.datetime,
    seed: int | None = None,
    by: str | None = None,
    today: dt.date | None = None,
) -> PlanResult:
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    seed = campaign.seed if seed is None else seed
    first_day = max(definition.start, today or local_day(now))
    residents = demand_sql.eligible_uninvited(
        session=session, campaign_id=campaign.id, city=definition.city, as_of=first_day
    )
    served = serving_sites(session, definition)
    site_numbers = demand_sql.site_of_residents(residents, served)
    booked = _booked(session, campaign.id, first_day)
    run = start_run(session, campaign, "plan", seed, now, by)
    stamp = stamp_text(session, now)
    outcomes: dict[str, list[SiteOutcome]] = {}
    batches: list[NewTurns] = []
    for number, site in enumerate(definition.sites):
        group = demand_sql.site_residents(residents, np.flatnonzero(site_numbers == number))
        booked_here = booked.get(site.code, {})
        latest = max((day for day, _ in booked_here), default=definition.deadline)
        calendar = calendar_for(
            definition,
            site,
            first_day,
            group.demand.residents + sum(booked_here.values()),
            max(latest, definition.deadline),
        )
        while True:
            fixed = booked_array(calendar, booked_here)
            site_plan = plan_site(
                group.demand, calendar, seed=seed, kecamatan=site.kecamatan, booked=fixed
            )
            longer = None
            if site_plan.unplaced_residents:
                longer = longer_calendar(definition, site, first_day, calendar)
            if longer is None:
                break
            calendar = longer
        sessions = site_plan.resident_sessions()
        placed = sessions >= 0
        batches.append(
            new_turns(
                campaign_id=campaign.id,
                plan_run_id=run.id,
                site_code=site.code,
                calendar=calendar,
                resident_ids=residents.resident_id[group.positions][placed],
                sessions=sessions[placed],
                misses=residents.misses[group.positions][placed],
            )
        )
        run.invited += int(placed.sum())
        outcomes.setdefault(site.kecamatan, []).append(
            site_outcome_of(
                calendar,
                fixed=fixed,
                placed=site_plan.booked,
                movable=group.demand.residents,
                unplaced=site_plan.unplaced_residents,
                first_index=0,
                deadline=definition.deadline,
            )
        )
    with indexes_set_aside(session, cast(Table, Invitation.__table__), run.invited) as rebuilt:
        insert_turns(session, batches, stamp, indexes_rebuilt=rebuilt)
    _store_rt_order(session, campaign, definition, seed)
    reports = kecamatan_reports(session, definition, outcomes)
    store_day_loads(session, run, from_day=first_day, held=held_of_booked(booked), batches=batches)
    finish_run(session, run, reports, now)
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

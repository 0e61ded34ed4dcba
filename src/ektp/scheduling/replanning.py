"""Re-plan a campaign after its capacity changed: turns in the freeze window stay, later
ones are planned again on the sets working now, and the result says who moved.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.scheduling import demand as demand_sql
from ektp.scheduling.bulk import NewTurns, collector_paused, insert_turns, set_status, stamp_text
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import campaign_definition, require_campaign, session_index
from ektp.scheduling.day_loads import held_of_live, store_day_loads
from ektp.scheduling.models import LIVE_STATUSES, Campaign, PlanRun
from ektp.scheduling.replan import VANISHED, freeze_until
from ektp.scheduling.replan import replan as replan_site
from ektp.scheduling.report import KecamatanReport, SiteOutcome
from ektp.scheduling.schemas import MovedTurn, OverbookedSession, ReplanResult, report_from_json
from ektp.scheduling.site_plans import (
    baseline_run,
    calendar_for,
    finish_run,
    kecamatan_reports,
    latest_run,
    longer_calendar,
    new_turns,
    serving_sites,
    site_outcome_of,
    sites_changed_since,
    start_run,
)


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
    all_sites: bool = False,
) -> ReplanResult:
    """Return who moved after re-planning the live turns on today's capacity.

    The kecamatan re-planned are those with a site whose sets changed since the latest
    re-plan, else since the first plan (``site_plans.baseline_run``); every one with
    ``all_sites``, or after a run that did not note its set changes. Elsewhere nothing
    changed, and turns a resident moved or a missed turn got in the evening reserve stay
    where they are; those kecamatan keep the report lines of the latest run and their turns
    per day.

    Turns before ``replan_day + freeze_days`` (letters already out) stay; later ones are
    planned again from that boundary, in the latest plan's RT order. A moved turn's old
    invitation becomes ``moved`` and a new ``planned`` one (with a new code) takes its place.
    """
    with collector_paused():
        return _replan(
            session=session,
            replan_day=replan_day,
            now=now,
            by=by,
            freeze_days=freeze_days,
            all_sites=all_sites,
        )


def _sites_to_replan(
    session: Session, campaign: Campaign, definition: Definition, all_sites: bool
) -> tuple[set[str], PlanRun | None]:
    """Return the codes of the sites to re-plan, and the run whose report the others keep."""
    everything = {site.code for site in definition.sites}
    previous = latest_run(session, campaign)
    baseline = baseline_run(session, campaign)
    if all_sites or baseline is None or baseline.set_changes_seen is None:
        return everything, previous
    changed = sites_changed_since(session, campaign, baseline.set_changes_seen)
    # A kecamatan's report adds its sites up: all of them, or none.
    kecamatan = {site.kecamatan for site in definition.sites if site.code in changed}
    return {site.code for site in definition.sites if site.kecamatan in kecamatan}, previous


def _kept_reports(
    reports: list[KecamatanReport], previous: PlanRun | None, *, replanned: set[str]
) -> list[KecamatanReport]:
    """Return ``reports`` with the lines of the kecamatan not ``replanned`` (codes) as
    ``previous`` had them."""
    before = {}
    if previous is not None and previous.report is not None:
        before = {line["kode_kecamatan"]: line for line in json.loads(previous.report)}
    return [
        report
        if report.kode_kecamatan in replanned or report.kode_kecamatan not in before
        else report_from_json(before[report.kode_kecamatan])
        for report in reports
    ]


def _replan(
    *,
    session: Session,
    replan_day: dt.date,
    now: dt.datetime,
    by: str | None = None,
    freeze_days: int | None = None,
    all_sites: bool = False,
) -> ReplanResult:
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    freeze = definition.freeze_days if freeze_days is None else freeze_days
    boundary_day = freeze_until(replan_day, freeze)
    seed = _plan_seed(session, campaign)
    replanned, previous = _sites_to_replan(session, campaign, definition, all_sites)
    served = serving_sites(session, definition)
    numbers = {number for number, site in enumerate(definition.sites) if site.code in replanned}
    live = demand_sql.live_turns(
        session=session,
        campaign_id=campaign.id,
        kelurahan=None
        if len(numbers) == len(definition.sites)
        else [kode for kode, number in served.items() if number in numbers],
    )
    site_numbers = demand_sql.site_of_residents(live, served)
    run = start_run(session, campaign, "replan", seed, now, by)
    stamp = stamp_text(session, now)
    outcomes: dict[str, list[SiteOutcome]] = {}
    moved: list[MovedTurn] = []
    overbooked: list[OverbookedSession] = []
    old_ids: list[int] = []
    batches: list[NewTurns] = []
    for number, site in enumerate(definition.sites):
        if number not in numbers:
            continue
        group = demand_sql.site_residents(live, np.flatnonzero(site_numbers == number))
        turn_ids = live.turn[group.positions]
        turns = [live.turns[int(turn)] for turn in np.unique(turn_ids)]
        first_day = min([replan_day, *(day for _, day, _ in turns)])
        latest = max([definition.deadline, *(day for _, day, _ in turns)])
        calendar = calendar_for(definition, site, first_day, len(group.positions), latest)
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
                longer = longer_calendar(definition, site, first_day, calendar)
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
                MovedTurn(
                    resident_id=resident,
                    site_code=site.code,
                    from_date=from_day,
                    from_session=from_name,
                    to_date=calendar.days[new],
                    to_session=calendar.names[new],
                )
            )
        batches.append(
            new_turns(
                campaign_id=campaign.id,
                plan_run_id=run.id,
                site_code=site.code,
                calendar=calendar,
                resident_ids=live.resident_id[at],
                sessions=to,
                misses=live.misses[at],
            )
        )
        outcomes.setdefault(site.kecamatan, []).append(
            site_outcome_of(
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
    insert_turns(session, batches, stamp)
    run.moved = len(moved)
    run.invited = len(moved)
    reports = _kept_reports(
        kecamatan_reports(session, definition, outcomes), previous, replanned=set(outcomes)
    )
    held = held_of_live(live.turn, live.turns, live.invitation_id, old_ids)
    store_day_loads(
        session,
        run,
        from_day=replan_day,
        held=held,
        batches=batches,
        carried={site.code for site in definition.sites} - replanned,
    )
    finish_run(session, run, reports, now)
    return ReplanResult(
        plan_run_id=run.id,
        freeze_until=boundary_day,
        sites=sorted(replanned),
        moved=moved,
        overbooked=overbooked,
        reports=reports,
    )

"""Equipment sets (alat perekaman) of the recording sites: one row per set, which the desks
and the queue call by number, and their downtime.

Capacity itself lives in the campaign's set history (``sites.service.change_sets``); marking
a set broken or working again records a change there and re-plans the coming turns, so the
rows here and the capacity the planner uses never disagree. Functions take a keyword-only
``session`` and never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, bindparam, select, text, update
from sqlalchemy.orm import Session

from ektp.recording.models import EquipmentSet
from ektp.recording.queue import SET_STATUSES, QueueError, SetStatusResult, UnknownSetError
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaigns import campaign_definition, site_of, utc
from ektp.scheduling.models import Campaign
from ektp.sites import service as sites_service
from ektp.sites.capacity import Site

_PRESENT_REASONS = ("added", "moved")
"""Changes that bring sets to the site or take them away; broken sets are still there."""

_INSERT_SETS = text(
    "INSERT INTO equipment_sets (campaign_id, site_code, set_no, status, updated_at) "
    "VALUES (:campaign, :site, :set_no, 'working', :at) "
    "ON CONFLICT (campaign_id, site_code, set_no) DO NOTHING"
).bindparams(bindparam("at", type_=DateTime(timezone=True)))


def sets_present(site: Site, day: dt.date | None = None) -> int:
    """Return how many sets stand at the site on ``day``, broken ones included (None: the
    most the site ever has, so that sets added later get their row in advance).
    """
    running = site.sets
    most = running
    for change in site.sets_history:
        if day is not None and change.date > day:
            break
        if change.reason in _PRESENT_REASONS:
            running += change.change
            most = max(most, running)
    return most if day is None else running


def ensure_equipment_sets(
    *,
    session: Session,
    campaign: Campaign,
    site_code: str | None = None,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Create the missing set rows 1..N of each site (or of ``site_code``) as ``working``.

    N is the number of sets at the site on ``day`` (default: the most it ever has). Safe to
    run at once from two requests: a row another one created first is left as it is.
    """
    definition = campaign_definition(session=session, campaign=campaign)
    sites = [site_of(definition, site_code)] if site_code is not None else definition.sites
    wanted = {site.code: sets_present(site, day) for site in sites}
    query = select(EquipmentSet.site_code, EquipmentSet.set_no).where(
        EquipmentSet.campaign_id == campaign.id, EquipmentSet.site_code.in_(wanted)
    )
    have = {(str(code), int(number)) for code, number in session.execute(query)}
    stamp = utc(now or dt.datetime.now(dt.UTC))
    missing = [
        {"campaign": campaign.id, "site": code, "set_no": number, "at": stamp}
        for code, count in wanted.items()
        for number in range(1, count + 1)
        if (code, number) not in have
    ]
    if missing:
        session.execute(_INSERT_SETS, missing)


_SET_ROWS = select(EquipmentSet.set_no, EquipmentSet.status).where(
    EquipmentSet.campaign_id == bindparam("campaign"), EquipmentSet.site_code == bindparam("site")
)


def _set_rows(session: Session, campaign_id: int, site_code: str) -> dict[int, str]:
    rows = session.execute(_SET_ROWS, {"campaign": campaign_id, "site": site_code}).all()
    return {int(set_no): str(state) for set_no, state in rows}


def _listed(status: dict[int, str], site: Site, day: dt.date) -> list[tuple[int, str]]:
    return [
        (number, status.get(number, "working")) for number in range(1, sets_present(site, day) + 1)
    ]


def site_sets(
    *, session: Session, campaign_id: int, site: Site, day: dt.date
) -> list[tuple[int, str]]:
    """Return (set number, status) of the sets at the site on ``day``, by number.

    A set without a row yet counts as working: that is how the campaign declares it.
    """
    return _listed(_set_rows(session, campaign_id, site.code), site, day)


def ensured_site_sets(
    *, session: Session, campaign: Campaign, site: Site, day: dt.date, now: dt.datetime
) -> list[tuple[int, str]]:
    """Return ``site_sets``, after creating the site's missing set rows (``ensure_equipment_sets``).

    One read when every row exists, as it does after the site's first call of the campaign.
    """
    status = _set_rows(session, campaign.id, site.code)
    if len(status) < sets_present(site):
        ensure_equipment_sets(session=session, campaign=campaign, site_code=site.code, now=now)
        status = _set_rows(session, campaign.id, site.code)
    return _listed(status, site, day)


def lock_site(
    *, session: Session, campaign_id: int, site_code: str, set_no: int | None = None
) -> None:
    """Hold the site's queue (or one set's calls, with ``set_no``) for the rest of the
    transaction, so that check-ins at one site take their numbers and the walk-in reserve
    one after the other, and calls to one set follow each other.
    """
    rows = [EquipmentSet.campaign_id == campaign_id, EquipmentSet.site_code == site_code]
    if set_no is not None:
        rows.append(EquipmentSet.set_no == set_no)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(EquipmentSet.id).where(*rows).order_by(EquipmentSet.set_no).with_for_update()
        )
        return
    # SQLite has no row locks: a write takes the database's write lock until commit. The
    # engine begins transactions IMMEDIATE, which holds it already; this write keeps the
    # guarantee should a connection begin deferred (a concurrent check-in stays out).
    session.execute(
        update(EquipmentSet)
        .where(*rows)
        .values(updated_at=EquipmentSet.updated_at)
        .execution_options(synchronize_session=False)
    )


def set_status(
    *,
    session: Session,
    site_code: str,
    set_no: int,
    status: str,
    now: dt.datetime,
    by: str | None,
    replan: bool = True,
) -> SetStatusResult:
    """Return the outcome of marking a set ``broken`` or ``working`` (repaired) from today on.

    A change is recorded in the site's set history and, with ``replan``, the coming turns
    beyond the letters' freeze window are planned again on the new capacity. Marking a set
    with the state it already has changes nothing (two operators clicking at once, a
    double click): the row is updated only where its status differs.
    """
    if status not in SET_STATUSES:
        raise QueueError(f"a set's status is one of {', '.join(SET_STATUSES)}, not {status!r}")
    campaign = scheduling.require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    today = scheduling.campaign_today(campaign, now)
    ensure_equipment_sets(session=session, campaign=campaign, site_code=site.code, now=now)
    present = sets_present(site, today)
    if not 1 <= set_no <= present:
        raise UnknownSetError(f"{site.name or site.code} has sets 1 to {present}, not set {set_no}")
    before = "broken" if status == "working" else "working"
    changed = cast(
        CursorResult[Any],
        session.execute(
            update(EquipmentSet)
            .where(
                EquipmentSet.campaign_id == campaign.id,
                EquipmentSet.site_code == site.code,
                EquipmentSet.set_no == set_no,
                EquipmentSet.status == before,
            )
            .values(status=status, updated_at=utc(now))
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if not changed:
        return SetStatusResult(
            site_code=site.code,
            set_no=set_no,
            status=status,
            changed=False,
            sets_working=sites_service.sets_working(
                session=session, site_code=site.code, day=today
            ),
            moved=0,
            overbooked=[],
        )
    view = sites_service.change_sets(
        session=session,
        site_code=site.code,
        tanggal=today,
        change=-1 if status == "broken" else 1,
        reason="broken" if status == "broken" else "repaired",
        now=now,
        by=by,
        note=f"set {set_no}",
    )
    moved, overbooked = 0, []
    if replan:
        outcome = scheduling.replan(session=session, replan_day=today, now=now, by=by)
        moved = len(outcome.moved)
        overbooked = [
            (line.date, line.session) for line in outcome.overbooked if line.site_code == site.code
        ]
    return SetStatusResult(
        site_code=site.code,
        set_no=set_no,
        status=status,
        changed=True,
        sets_working=view.sets_after,
        moved=moved,
        overbooked=overbooked,
    )

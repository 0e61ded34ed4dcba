"""Closing a session: who did not come missed their turn and is re-invited into the
evening reserve; after too many misses the kelurahan follows them up.
"""

from __future__ import annotations

import datetime as dt
from itertools import repeat

import numpy as np
from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.orm import Session

from ektp.scheduling import demand as demand_sql
from ektp.scheduling.bulk import INVITATION_COLUMNS, bulk_insert, new_codes, set_status, stamp_text
from ektp.scheduling.campaigns import (
    campaign_definition,
    require_campaign,
    site_calendar,
    site_of,
    utc,
)
from ektp.scheduling.errors import ScheduleError
from ektp.scheduling.models import LIVE_STATUSES, PlanRun
from ektp.scheduling.replan import reinvite_missed
from ektp.scheduling.schemas import CloseResult, Turn

REINVITE_HORIZON = dt.timedelta(days=62)
"""How far ahead missed residents may be re-invited (two months of evening reserves)."""

_SESSION_TURNS_SQL = f"""
SELECT i.id, i.resident_id, i.status, i.misses, r.kode_kelurahan, r.rw, r.rt, r.no_kk
FROM invitations i JOIN residents r ON r.id = i.resident_id
WHERE i.campaign_id = :campaign AND i.site_code = :site AND i.tanggal = :tanggal
  AND i.session = :session AND i.status IN {demand_sql.TAKEN_SQL}
ORDER BY r.kode_kelurahan, r.rw, r.rt, r.no_kk, r.id
"""

_SITE_LOAD_SQL = f"""
SELECT tanggal, session, COUNT(*) FROM invitations
WHERE campaign_id = :campaign AND site_code = :site AND status IN {demand_sql.LIVE_SQL}
  AND tanggal >= :tanggal
GROUP BY tanggal, session
"""


def close_session(
    *,
    session: Session,
    site_code: str,
    tanggal: dt.date,
    session_name: str,
    now: dt.datetime,
    by: str | None = None,
) -> CloseResult:
    """Return what closing a session did: its live turns become ``missed``, and each missed
    household gets one turn in the reserve of the reserve sessions (``malam``) from the next
    day on.

    A household that has now missed ``max_misses`` times gets no new turn: it goes to the
    kelurahan's follow-up list. Households for whom no reserve is left wait for the next plan.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    horizon = max(definition.deadline, tanggal) + REINVITE_HORIZON
    calendar = site_calendar(definition, site, tanggal, horizon)
    closing = calendar.index_of(tanggal, session_name)
    if closing < 0:
        raise ScheduleError(f"{site.code} has no session {session_name!r} on {tanggal}")
    params = {"campaign": campaign.id, "site": site.code, "tanggal": tanggal}
    rows = session.execute(
        demand_sql.dated_sql(_SESSION_TURNS_SQL, "tanggal"), {**params, "session": session_name}
    ).all()
    absent = [row for row in rows if row[2] in LIVE_STATUSES]
    attended = len(rows) - len(absent)
    set_status(
        session,
        [int(row[0]) for row in absent],
        status="missed",
        now=now,
        by=by,
        note=f"session {session_name} {tanggal.isoformat()} closed",
        from_statuses=LIVE_STATUSES,
    )
    group_start = [
        index == 0 or absent[index][4:8] != absent[index - 1][4:8] for index in range(len(absent))
    ]
    group_of = np.cumsum(group_start) - 1
    groups = int(group_of[-1]) + 1 if absent else 0
    sizes = np.bincount(group_of, minlength=groups).astype(np.int64) if absent else np.zeros(0)
    misses = np.zeros(groups, dtype=np.int64)
    for group, row in zip(group_of.tolist(), absent, strict=True):
        misses[group] = max(misses[group], int(row[3]) + 1)
    load = np.zeros(len(calendar), dtype=np.int64)
    index = {key: at for at, key in enumerate(zip(calendar.days, calendar.names, strict=True))}
    for day, name, count in session.execute(
        demand_sql.dated_sql(_SITE_LOAD_SQL, "tanggal"), params
    ):
        at = index.get((demand_sql.as_date(day), str(name)))
        if at is not None:
            load[at] = int(count)
    reserve_names = [s.name for s in definition.sessions if site.reserve_share(s.name) > 0]
    placed = reinvite_missed(
        calendar,
        sizes.astype(np.int64),
        # Not this evening: the new letter cannot reach the household the same day.
        first_index=next(
            (at for at, day in enumerate(calendar.days) if day > tanggal), len(calendar)
        ),
        reserve_used=np.maximum(load - calendar.bookable, 0),
        misses=misses,
        max_misses=definition.max_misses,
        session_names=reserve_names or ["malam"],
    )
    resident_ids = [int(row[1]) for row in absent]
    member_misses = misses[group_of] if absent else np.zeros(0, dtype=np.int64)
    going = np.flatnonzero(placed.resident_session >= 0)
    run = PlanRun(
        campaign_id=campaign.id,
        kind="reinvite",
        seed=campaign.seed,
        started_at=utc(now),
        finished_at=utc(now),
        invited=len(going),
        moved=0,
        created_by=by,
    )
    session.add(run)
    session.flush()
    stamp = stamp_text(session, now)
    days = [calendar.days[int(at)] for at in placed.resident_session[going]]
    names = [calendar.names[int(at)] for at in placed.resident_session[going]]
    bulk_insert(
        session,
        "invitations",
        INVITATION_COLUMNS,
        zip(
            repeat(campaign.id),
            [resident_ids[at] for at in going],
            repeat(site.code),
            [day.isoformat() for day in days],
            names,
            new_codes(len(going)),
            repeat("planned"),
            member_misses[going].tolist(),
            repeat(run.id),
            repeat(stamp),
            strict=False,
        ),
    )
    follow_groups = set(placed.follow_up.tolist())
    follow = [
        (resident_ids[at], int(member_misses[at]))
        for at in range(len(absent))
        if int(group_of[at]) in follow_groups
    ]
    _add_follow_ups(session, campaign.id, follow, now)
    sent = set(going.tolist())
    return CloseResult(
        site_code=site.code,
        date=tanggal,
        session=session_name,
        attended=attended,
        missed=len(absent),
        reinvited=[
            Turn(resident_id=resident_ids[at], date=day, session=name)
            for at, day, name in zip(going.tolist(), days, names, strict=True)
        ],
        follow_up=[resident for resident, _ in follow],
        not_reinvited=[
            resident_ids[at]
            for at in range(len(absent))
            if at not in sent and int(group_of[at]) not in follow_groups
        ],
    )


def _add_follow_ups(
    session: Session, campaign_id: int, residents: list[tuple[int, int]], now: dt.datetime
) -> None:
    """Put residents on the follow-up list (once; a later listing updates the misses)."""
    if not residents:
        return
    stamp = utc(now)
    session.execute(
        text(
            "INSERT INTO follow_ups (campaign_id, resident_id, misses, created_at) "
            "VALUES (:campaign, :resident, :misses, :at) "
            "ON CONFLICT (campaign_id, resident_id) DO UPDATE SET misses = excluded.misses, "
            "resolved_at = NULL"
        ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
        [
            {"campaign": campaign_id, "resident": resident, "misses": misses, "at": stamp}
            for resident, misses in residents
        ],
    )

"""Read-only views of a campaign: load per day and per session, RT progress, follow-ups,
and the CSV export of every live turn.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from sqlalchemy import text
from sqlalchemy.orm import Session

from ektp.regions.wilayah import dotted
from ektp.scheduling import day_loads
from ektp.scheduling import demand as demand_sql
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import (
    campaign_definition,
    campaign_today,
    require_campaign,
    site_calendar,
    site_of,
)
from ektp.scheduling.models import LIVE_STATUSES
from ektp.scheduling.schemas import (
    DailyLoad,
    FollowUpRow,
    RtSchedule,
    SessionLoad,
    SiteInfo,
)
from ektp.sites.capacity import sets_working

EXPORT_HEADER = (
    "nik",
    "kode_kecamatan",
    "site",
    "date",
    "session",
    "start_time",
    "end_time",
    "attendance_code",
    "kode_kelurahan",
    "rw",
    "rt",
    "no_kk",
)
EXPORT_CHUNK = 50_000


def daily_load(*, session: Session, kecamatan: str | None = None) -> list[DailyLoad]:
    """Return, per open day of the campaign, the turns of the latest plan or re-plan against
    today's capacity, for the whole city or one kecamatan. Days run from the start to the
    deadline or the last turn.

    The turns are those the run stored (``day_loads``): what the plan gave, as the
    per-kecamatan report is what it was made on. Moves, misses, re-invitations and walk-ins
    since show on the kecamatan's sessions (``sessions_overview``), counted live for one
    site; counting them here would group a city's invitations on every request. Capacity
    follows the set changes at once, so a broken set shows against the plan.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    wanted = None if kecamatan is None else dotted(kecamatan)
    codes = {site.code for site in definition.sites if wanted in (None, site.kecamatan)}
    given: dict[dt.date, int] = defaultdict(int)
    for site_code, days in day_loads.stored_day_loads(session=session, campaign=campaign).items():
        if site_code in codes:
            for day, count in days.items():
                given[day] += count
    last_day = max([definition.deadline, *given])
    capacity = _capacity_by_day(definition, wanted, last_day)
    return [
        DailyLoad(
            date=day,
            planned=given.get(day, 0),
            bookable_capacity=capacity.get(day, (0, 0))[1],
            capacity=capacity.get(day, (0, 0))[0],
        )
        for day in sorted(set(capacity) | set(given))
    ]


@functools.lru_cache(maxsize=64)
def _capacity_by_day(
    definition: Definition, kecamatan: str | None, last_day: dt.date
) -> Mapping[dt.date, tuple[int, int]]:
    """Return (capacity, bookable) per open day of the kecamatan's sites (None: the city).

    Cached per definition (its set history included), so a set change makes a new entry:
    sixteen calendars over a campaign take about 0.1 s, too much for every request.
    """
    totals: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for site in definition.sites:
        if kecamatan not in (None, site.kecamatan):
            continue
        calendar = site_calendar(definition, site, definition.start, last_day)
        for day, offered, free in zip(
            calendar.days, calendar.capacity.tolist(), calendar.bookable.tolist(), strict=True
        ):
            totals[day][0] += offered
            totals[day][1] += free
    return MappingProxyType({day: (pair[0], pair[1]) for day, pair in totals.items()})


def sessions_overview(
    *, session: Session, site_code: str, from_day: dt.date, days: int
) -> list[SessionLoad]:
    """Return the site's sessions from ``from_day`` for ``days`` calendar days with their
    capacity and turns: live (planned), attended and missed.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    last_day = from_day + dt.timedelta(days=max(days, 1) - 1)
    calendar = site_calendar(definition, site, from_day, last_day)
    counts: dict[tuple[dt.date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = session.execute(
        demand_sql.dated_sql(
            "SELECT tanggal, session, status, COUNT(*) FROM invitations "
            "WHERE campaign_id = :campaign AND site_code = :site "
            "AND tanggal >= :first AND tanggal <= :last GROUP BY tanggal, session, status",
            "first",
            "last",
        ),
        {"campaign": campaign.id, "site": site.code, "first": from_day, "last": last_day},
    )
    for tanggal, name, status, count in rows:
        counts[(demand_sql.as_date(tanggal), str(name))][str(status)] += int(count)
    templates = {template.name: template for template in definition.sessions}
    found: dict[tuple[dt.date, str], SessionLoad] = {}
    for at, key in enumerate(zip(calendar.days, calendar.names, strict=True)):
        found[key] = _session_load(
            key,
            templates[key[1]].start,
            templates[key[1]].end,
            (int(calendar.capacity[at]), int(calendar.reserve[at]), int(calendar.bookable[at])),
            counts.get(key, {}),
        )
    # Turns on a day closed since they were given still show, with no capacity.
    for key, by_status in counts.items():
        if key not in found and key[1] in templates:
            template = templates[key[1]]
            found[key] = _session_load(key, template.start, template.end, (0, 0, 0), by_status)
    order = {template.name: template.start for template in definition.sessions}
    return [found[key] for key in sorted(found, key=lambda key: (key[0], order[key[1]]))]


def _session_load(
    key: tuple[dt.date, str],
    start: dt.time,
    end: dt.time,
    capacity: tuple[int, int, int],
    by_status: dict[str, int],
) -> SessionLoad:
    return SessionLoad(
        date=key[0],
        session=key[1],
        start=start,
        end=end,
        capacity=capacity[0],
        reserve=capacity[1],
        bookable=capacity[2],
        planned=sum(by_status.get(status, 0) for status in LIVE_STATUSES),
        attended=by_status.get("attended", 0),
        missed=by_status.get("missed", 0),
    )


def sites_of_kecamatan(
    *, session: Session, kecamatan: str, day: dt.date | None = None
) -> list[SiteInfo]:
    """Return the kecamatan's sites with the sets working on ``day`` (default: the
    campaign's today).
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    on = day or campaign_today(campaign, dt.datetime.now(dt.UTC))
    return [
        SiteInfo(
            code=site.code,
            name=site.name or site.code,
            kecamatan=site.kecamatan,
            sets=sets_working(site, on),
            kelurahan=sorted(site.kelurahan),
        )
        for site in definition.sites_of(dotted(kecamatan))
    ]


def rt_schedule(*, session: Session, kode_kelurahan: str) -> list[RtSchedule]:
    """Return the kelurahan's RTs in turn order with their days and letters' progress."""
    campaign = require_campaign(session=session)
    kode = dotted(kode_kelurahan)
    params = {"campaign": campaign.id, "kelurahan": kode}
    positions = {
        (int(rw), int(rt)): int(position)
        for rw, rt, position in session.execute(
            text(
                "SELECT rw, rt, position FROM rt_turns "
                "WHERE campaign_id = :campaign AND kode_kelurahan = :kelurahan"
            ),
            params,
        )
    }
    progress = {
        (int(rw), int(rt)): (first, last, int(invited), int(printed or 0), int(delivered or 0))
        for rw, rt, first, last, invited, printed, delivered in session.execute(
            text(
                "SELECT r.rw, r.rt, MIN(i.tanggal), MAX(i.tanggal), COUNT(*), "
                "SUM(CASE WHEN i.status IN ('letter_printed', 'delivered') THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN i.status = 'delivered' THEN 1 ELSE 0 END) "
                "FROM residents r JOIN invitations i ON i.resident_id = r.id "
                "WHERE r.kode_kelurahan = :kelurahan AND i.campaign_id = :campaign "
                f"AND i.status IN {demand_sql.LIVE_SQL} GROUP BY r.rw, r.rt"
            ),
            params,
        )
    }
    schedule = []
    for unit in set(positions) | set(progress):
        first, last, invited, printed, delivered = progress.get(unit, (None, None, 0, 0, 0))
        schedule.append(
            RtSchedule(
                rw=unit[0],
                rt=unit[1],
                position=positions.get(unit),
                first_day=None if first is None else demand_sql.as_date(first),
                last_day=None if last is None else demand_sql.as_date(last),
                invited=invited,
                letters_printed=printed,
                delivered=delivered,
            )
        )
    unordered = 1 << 30
    schedule.sort(
        key=lambda row: (unordered if row.position is None else row.position, row.rw, row.rt)
    )
    return schedule


def follow_up_list(*, session: Session, kode_kelurahan: str) -> list[FollowUpRow]:
    """Return the kelurahan's residents who missed too many turns and still need a visit.

    Personal data: the caller checks the user's role and area and records the view.
    """
    campaign = require_campaign(session=session)
    rows = session.execute(
        text(
            "SELECT r.id, r.nik, r.nama, r.rw, r.rt, f.misses "
            "FROM follow_ups f JOIN residents r ON r.id = f.resident_id "
            "WHERE f.campaign_id = :campaign AND f.resolved_at IS NULL "
            "AND r.kode_kelurahan = :kelurahan ORDER BY r.rw, r.rt, r.nama, r.id"
        ),
        {"campaign": campaign.id, "kelurahan": dotted(kode_kelurahan)},
    )
    return [
        FollowUpRow(resident_id=rid, nik=nik, nama=nama, rw=rw, rt=rt, misses=misses)
        for rid, nik, nama, rw, rt, misses in rows
    ]


_EXPORT_SQL = f"""
SELECT r.nik, i.site_code, i.tanggal, i.session, i.attendance_code,
       r.kode_kelurahan, r.rw, r.rt, r.no_kk
FROM invitations i JOIN residents r ON r.id = i.resident_id
WHERE i.campaign_id = :campaign AND i.status IN {demand_sql.LIVE_SQL}
ORDER BY i.site_code, i.tanggal, i.id
"""


def export_invitations(*, session: Session, out: Path) -> int:
    """Write every live turn of the campaign to ``out`` as CSV (EXPORT_HEADER); return the
    number of rows. Rows are streamed in chunks, never all held at once.
    """
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    times = {
        template.name: (template.start.strftime("%H:%M"), template.end.strftime("%H:%M"))
        for template in definition.sessions
    }
    written = 0
    result = session.execute(
        text(_EXPORT_SQL),
        {"campaign": campaign.id},
        execution_options={"yield_per": EXPORT_CHUNK},
    )
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        for rows in result.partitions(EXPORT_CHUNK):
            writer.writerows(
                (
                    nik,
                    kelurahan[:8],
                    site_code,
                    str(tanggal)[:10],
                    name,
                    *times.get(name, ("", "")),
                    code,
                    kelurahan,
                    rw,
                    rt,
                    no_kk,
                )
                for nik, site_code, tanggal, name, code, kelurahan, rw, rt, no_kk in rows
            )
            written += len(rows)
    return written

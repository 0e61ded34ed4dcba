"""The daily report as the Dinas reads it: each kecamatan's closed day, its sites' frozen
figures summed, against the kecamatan's target. Reads ``daily_reports`` only; functions take
a keyword-only ``session`` and never write.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.recording import reports
from ektp.recording.models import DailyReport
from ektp.recording.reports import KecamatanDay, SiteDay
from ektp.scheduling.campaigns import kecamatan_names

DAY = "hari"
"""``DailyReport.session`` of a whole day's row (the sessions have their own rows)."""


def last_closed_day(*, session: Session) -> dt.date | None:
    """Return the latest date with a closed day at any site, or None when none is."""
    found = session.scalar(select(func.max(DailyReport.tanggal)).where(DailyReport.session == DAY))
    if found is None:
        return None
    return found if isinstance(found, dt.date) else dt.date.fromisoformat(str(found))


def closed_days(*, session: Session) -> list[dt.date]:
    """Return every date with a closed day at some site, latest first."""
    found = session.execute(
        select(DailyReport.tanggal)
        .where(DailyReport.session == DAY)
        .distinct()
        .order_by(DailyReport.tanggal.desc())
    ).scalars()
    return list(found)


def _site_day(row: DailyReport) -> SiteDay:
    return SiteDay(
        site_code=row.site_code,
        recorded=row.recorded,
        failed=row.failed,
        walk_ins=row.walk_ins,
        missed=row.missed,
        mean_minutes=row.mean_minutes,
        idle_minutes=row.idle_minutes,
        target=row.target,
        sets_working=row.sets_working,
    )


def daily_report(*, session: Session, tanggal: dt.date | None = None) -> list[KecamatanDay]:
    """Return one line per kecamatan with a closed day on ``tanggal`` (default: the last
    closed day), its sites' figures summed; empty when no day was closed.
    """
    day = tanggal or last_closed_day(session=session)
    if day is None:
        return []
    rows = session.execute(
        select(DailyReport)
        .where(DailyReport.tanggal == day, DailyReport.session == DAY)
        .order_by(DailyReport.kode_kecamatan, DailyReport.site_code)
    ).scalars()
    by_kecamatan: dict[str, list[DailyReport]] = defaultdict(list)
    for row in rows:
        by_kecamatan[row.kode_kecamatan].append(row)
    names = kecamatan_names(session=session, codes=by_kecamatan)
    return [
        reports.kecamatan_day(
            tanggal=day,
            kode_kecamatan=kode,
            nama=names.get(kode, kode),
            sites=[_site_day(row) for row in sites],
        )
        for kode, sites in sorted(by_kecamatan.items())
    ]

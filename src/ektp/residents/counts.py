"""Resident and wajib KTP counts per kelurahan and per RW/RT, fast enough for the region browser.

A full GROUP BY over 1.8 million residents per page view is too slow, so ``resident_counts``
keeps residents per (kelurahan, birth year, ever married). Whole birth years come from that
summary; inside a boundary year (the year of ``as_of`` for residents, the year of the 17-year
cutoff for wajib KTP) the residents born before or after the boundary day, whichever part of
the year is shorter, are counted live through the index on ``tanggal_lahir`` and added or
subtracted, so the answer is exact for any day. While ``registry_state.stats_stale`` is
set (an import or generation wrote residents since the last refresh) everything is counted live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Integer,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from ektp.residents.eligibility import NEVER_MARRIED, latest_birth_date_for_age
from ektp.residents.models import RegistryState, Resident, ResidentCount

Counts = tuple[int, int]
"""(residents, wajib_ktp)"""


def refresh_counts(*, session: Session) -> None:
    """Rebuild ``resident_counts`` from ``residents`` and clear the stale flag (no commit)."""
    birth_year = cast(extract("year", Resident.tanggal_lahir), Integer)
    ever_married = Resident.status_kawin != NEVER_MARRIED
    grouped = select(Resident.kode_kelurahan, birth_year, ever_married, func.count()).group_by(
        Resident.kode_kelurahan, birth_year, ever_married
    )
    session.execute(delete(ResidentCount))
    session.execute(
        insert(ResidentCount).from_select(
            ["kode_kelurahan", "birth_year", "ever_married", "residents"], grouped
        )
    )
    session.execute(update(RegistryState).where(RegistryState.id == 1).values(stats_stale=False))


def counts_are_stale(*, session: Session) -> bool:
    """Return whether residents changed since the summary was last rebuilt."""
    stale = session.execute(
        select(RegistryState.stats_stale).where(RegistryState.id == 1)
    ).scalar_one_or_none()
    return stale is None or bool(stale)


def counts_by_kelurahan(
    *, session: Session, kelurahan: Collection[str], as_of: dt.date
) -> dict[str, Counts]:
    """Return (residents, wajib_ktp) on ``as_of`` for each kelurahan code; unknown ones (0, 0)."""
    wanted = set(kelurahan)
    totals = dict.fromkeys(wanted, (0, 0))
    if not wanted:
        return totals
    if counts_are_stale(session=session):
        rows = _live_counts(session, wanted, as_of)
    else:
        rows = _summary_counts(session, wanted, as_of)
    for kode, residents, wajib_ktp in rows:
        if kode in totals:
            before = totals[kode]
            totals[kode] = (before[0] + int(residents or 0), before[1] + int(wajib_ktp or 0))
    return totals


def counts_by_unit(
    *, session: Session, kode_kelurahan: str, as_of: dt.date, rw: int | None = None
) -> dict[int, Counts]:
    """Return (residents, wajib_ktp) per RW of a kelurahan, or per RT of one RW when ``rw``."""
    unit = Resident.rw if rw is None else Resident.rt
    residents, wajib_ktp = _count_columns(as_of)
    query = (
        select(unit, residents, wajib_ktp)
        .where(Resident.kode_kelurahan == kode_kelurahan)
        .group_by(unit)
    )
    if rw is not None:
        query = query.where(Resident.rw == rw)
    rows = session.execute(query)
    return {int(number): (int(r), int(w)) for number, r, w in rows if r}


def _count_columns(as_of: dt.date) -> tuple[ColumnElement[int], ColumnElement[int]]:
    # The birth date is tested here, not in WHERE: psycopg prepares a statement after five
    # runs, and PostgreSQL's generic plan for "kode_kelurahan = $1 AND tanggal_lahir <= $2"
    # ANDs a bitmap of the whole birth-date index (6x slower). This must agree with is_wajib_ktp.
    cutoff = latest_birth_date_for_age(as_of)
    born = Resident.tanggal_lahir <= as_of
    wajib = born & ((Resident.status_kawin != NEVER_MARRIED) | (Resident.tanggal_lahir <= cutoff))
    return func.sum(case((born, 1), else_=0)), func.sum(case((wajib, 1), else_=0))


def _live_counts(
    session: Session, kelurahan: set[str], as_of: dt.date
) -> Iterable[tuple[str, int, int]]:
    residents, wajib_ktp = _count_columns(as_of)
    query = (
        select(Resident.kode_kelurahan, residents, wajib_ktp)
        .where(Resident.kode_kelurahan.in_(sorted(kelurahan)))
        .group_by(Resident.kode_kelurahan)
    )
    return [(kode, int(r), int(w)) for kode, r, w in session.execute(query)]


@dataclass(frozen=True)
class _Boundary:
    """How a boundary year is split between the summary and a live count.

    Counting "born on or before ``day``" takes the summary's whole years up to ``last_year``
    plus ``sign`` times the residents born in [``first``, ``last``]: either the days of the
    year up to ``day`` (+1, summary before the year) or the days after it (-1, summary up to
    and including the year), whichever is shorter, so at most half a year is counted live.
    """

    last_year: int
    first: dt.date
    last: dt.date
    sign: int


def _boundary(day: dt.date) -> _Boundary:
    year_start, year_end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if day - year_start <= year_end - day:
        return _Boundary(day.year - 1, year_start, day, 1)
    return _Boundary(day.year, day + dt.timedelta(days=1), year_end, -1)


def _summary_counts(
    session: Session, kelurahan: set[str], as_of: dt.date
) -> Iterable[tuple[str, int, int]]:
    born = _boundary(as_of)
    # Never-married residents are wajib KTP when born on or before the 17-year cutoff.
    old_enough = _boundary(latest_birth_date_for_age(as_of))
    summary = ResidentCount
    whole_years = (
        select(
            summary.kode_kelurahan,
            func.sum(case((summary.birth_year <= born.last_year, summary.residents), else_=0)),
            func.sum(
                case(
                    (
                        summary.ever_married & (summary.birth_year <= born.last_year),
                        summary.residents,
                    ),
                    (
                        ~summary.ever_married & (summary.birth_year <= old_enough.last_year),
                        summary.residents,
                    ),
                    else_=0,
                )
            ),
        )
        .where(summary.kode_kelurahan.in_(sorted(kelurahan)))
        .group_by(summary.kode_kelurahan)
    )
    rows: list[tuple[str, int, int]] = [
        (kode, int(r or 0), int(w or 0)) for kode, r, w in session.execute(whole_years)
    ]
    # The live counts filter on the birth date only, so that both planners walk the
    # tanggal_lahir index (half a year of births is ~1% of a city); other cities' rows are
    # dropped by the caller. Filtering on kode_kelurahan too tempts SQLite into the area index
    # and a scan of every resident of the kecamatan.
    married = Resident.status_kawin != NEVER_MARRIED
    if born.first <= born.last:
        born_live = (
            select(Resident.kode_kelurahan, func.count(), func.sum(case((married, 1), else_=0)))
            .where(Resident.tanggal_lahir >= born.first, Resident.tanggal_lahir <= born.last)
            .group_by(Resident.kode_kelurahan)
        )
        rows += [
            (kode, born.sign * int(r), born.sign * int(w))
            for kode, r, w in session.execute(born_live)
        ]
    if old_enough.first <= old_enough.last:
        old_enough_live = (
            select(Resident.kode_kelurahan, func.sum(case((married, 0), else_=1)))
            .where(
                Resident.tanggal_lahir >= old_enough.first,
                Resident.tanggal_lahir <= old_enough.last,
            )
            .group_by(Resident.kode_kelurahan)
        )
        rows += [
            (kode, 0, old_enough.sign * int(w)) for kode, w in session.execute(old_enough_live)
        ]
    return rows

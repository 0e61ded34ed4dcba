"""Who needs a turn, read set-wise: one unordered query into numpy arrays, sorted there and
cut into site demands.

The database returns the rows as it finds them (a plain scan: no sort, no index walk) and
numpy sorts them by (kelurahan, RW, RT, No. KK, id) on integer keys, so an RT's residents
are adjacent and so are a household's: the planner's ``SiteDemand`` is then a matter of
finding where the key changes. No ORM object is made per resident; at 1.2 million rows the
arrays take about 30 MB.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from sqlalchemy import Date, TextClause, bindparam, text
from sqlalchemy.orm import Session

from ektp.regions.service import rt_code
from ektp.residents.eligibility import NEVER_MARRIED, latest_birth_date_for_age
from ektp.scheduling.models import LIVE_STATUSES
from ektp.scheduling.planner import SiteDemand
from ektp.scheduling.resident_arrays import Collector, IntArray, Residents
from ektp.scheduling.resident_arrays import as_date as as_date  # used as demand.as_date
from ektp.storage.read_ahead import read_ahead

FETCH_ROWS = 100_000
STREAM_ROWS = 10_000
"""Rows per chunk that libpq receives while PostgreSQL streams a read."""
WORK_MEMORY = "256MB"
"""PostgreSQL's ``work_mem`` while reading a city's rows (hash joins of 1.2 M rows)."""
LIVE_SQL = "({})".format(", ".join(f"'{status}'" for status in LIVE_STATUSES))
"""The live states as an SQL list, for ``status IN ...`` (constants, never user input)."""
TAKEN_SQL = "({})".format(", ".join(f"'{status}'" for status in (*LIVE_STATUSES, "attended")))
"""States that mean a resident needs no new turn: holds one, or is recorded."""

# ``{kk}`` is the No. KK. SQLite reads it as a number, -1 when it is not 16 digits with a
# non-zero first digit (see ``household_keys``): converting it there costs far less than a
# Python string per resident. PostgreSQL sends the text: a digits test per row (a regular
# expression, or even ``ltrim``) took its single-threaded cursor 0.7-2 s longer at 1.2 M
# rows than numpy takes to convert the texts, and an unguarded cast fails on a bad row.
_KK_COLUMN = {
    # A 16-character text whose integer prefix reaches 10^15 is 16 digits: CAST reads digits
    # only (no sign, spaces or exponent gets a 16-digit value).
    "sqlite": (
        "CASE WHEN length(r.no_kk) = 16 AND CAST(r.no_kk AS INTEGER) >= 1000000000000000 "
        "THEN CAST(r.no_kk AS INTEGER) ELSE -1 END"
    ),
    "postgresql": "r.no_kk",
}
_UNUSUAL_KK_SQL = "SELECT id, no_kk FROM residents WHERE id IN :ids"

# ``{scan}`` is "NOT INDEXED" on SQLite: left to itself it walks an index (birth date,
# campaign) and looks every row up at random, several times slower than reading in order.
_ELIGIBLE_SQL = f"""
SELECT r.id, r.kode_kelurahan, r.rw, r.rt, {{kk}}
FROM residents r {{scan}}
WHERE r.kode_kelurahan LIKE :city_prefix
  AND r.tanggal_lahir <= :as_of
  AND (r.tanggal_lahir <= :adult OR r.status_kawin <> '{NEVER_MARRIED}')
"""

_NOT_TAKEN_SQL = f"""
  AND NOT EXISTS (
      SELECT 1 FROM invitations i WHERE i.resident_id = r.id AND i.status IN {TAKEN_SQL}
  )
"""
_ANY_TAKEN_SQL = f"SELECT 1 FROM invitations WHERE status IN {TAKEN_SQL} LIMIT 1"

_NOT_FOLLOWED_UP_SQL = """
  AND NOT EXISTS (
      SELECT 1 FROM follow_ups f
      WHERE f.resident_id = r.id AND f.campaign_id = :campaign AND f.resolved_at IS NULL
  )
"""
_ANY_FOLLOW_UP_SQL = (
    "SELECT 1 FROM follow_ups WHERE campaign_id = :campaign AND resolved_at IS NULL LIMIT 1"
)

_MISSES_SQL = """
SELECT resident_id, COUNT(*) FROM invitations
WHERE campaign_id = :campaign AND status = 'missed' GROUP BY resident_id
"""

_LIVE_TURNS_SQL = f"""
SELECT r.id, r.kode_kelurahan, r.rw, r.rt, {{kk}}, i.misses,
       i.id, i.site_code, i.tanggal, i.session
FROM invitations i {{scan}} JOIN residents r ON r.id = i.resident_id
WHERE i.campaign_id = :campaign AND i.status IN {LIVE_SQL}
"""


def dated_sql(sql: str, *date_params: str) -> TextClause:
    """Return ``sql`` with ``date_params`` bound as dates (SQLite stores them as ISO text)."""
    return text(sql).bindparams(*(bindparam(name, type_=Date) for name in date_params))


_NAMED_PARAM = re.compile(r"(?<![:\w]):(\w+)")


def raw_chunks(
    session: Session,
    sql: str,
    params: dict[str, Any],
    size: int = FETCH_ROWS,
    *,
    ahead: bool = False,
) -> Iterator[Sequence[Any]]:
    """Yield the rows of ``sql`` (``:name`` parameters; dates as dates) in chunks, straight
    from the driver: SQLAlchemy's row objects would double the time at 1.2 M rows.
    PostgreSQL streams them (libpq's chunked rows); with ``ahead``, a thread reads the next
    chunk while the caller works on the last (``storage.read_ahead``): worth it when the
    server's part is the larger one (a join), not when this process is the slower side.
    """
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    postgresql = session.get_bind().dialect.name == "postgresql"
    sql = sql.replace("{scan}", "" if postgresql else "NOT INDEXED")
    sql = sql.replace("{kk}", _KK_COLUMN["postgresql" if postgresql else "sqlite"])
    cursor = dbapi.cursor()
    try:
        if postgresql:
            # Until the transaction ends: join a city's rows in memory, not in temp files.
            session.execute(text(f"SET LOCAL work_mem = '{WORK_MEMORY}'"))
            # A stream, not a server-side cursor: it holds a chunk at a time, and PostgreSQL
            # may send the next rows while this process converts the last ones.
            stream = cursor.stream(_NAMED_PARAM.sub(r"%(\1)s", sql), params, size=STREAM_ROWS)
            chunks = _chunks_of(stream, size)
            yield from read_ahead(chunks, depth=1) if ahead else chunks
            return
        # SQLite stores dates as ISO text and compares them as text.
        as_text = {
            key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in params.items()
        }
        cursor.execute(sql, as_text)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def _chunks_of(rows: Generator[Any, None, None], size: int) -> Generator[list[Any], None, None]:
    try:
        while chunk := list(islice(rows, size)):
            yield chunk
    finally:
        # A stream left early cancels its query here, in the thread that read it.
        rows.close()


def _fetch(
    session: Session,
    sql: str,
    params: dict[str, Any],
    with_turns: bool,
    misses: tuple[IntArray, IntArray] | None = None,
) -> Residents:
    collector = Collector()
    # Live turns come from a join that keeps PostgreSQL busier than their conversion keeps
    # this process: read ahead (1.2 M turns: 2.5-3.2 s instead of 3.5-4.4 s); the demand
    # scan is quicker than its conversion, and a reader thread only slowed it.
    for rows in raw_chunks(session, sql, params, ahead=with_turns):
        collector.take(rows, with_turns)
    return collector.residents(misses, _kk_texts(session, collector.unusual_kk()))


def _kk_texts(session: Session, ids: IntArray) -> dict[int, str]:
    """Return the No. KK texts of the residents ``ids`` (few: only unusual ones)."""
    found: dict[int, str] = {}
    query = text(_UNUSUAL_KK_SQL).bindparams(bindparam("ids", expanding=True))
    listed = ids.tolist()
    for start in range(0, len(listed), 5_000):
        for resident, no_kk in session.execute(query, {"ids": listed[start : start + 5_000]}):
            found[int(resident)] = str(no_kk)
    return found


def _misses(session: Session, campaign_id: int) -> tuple[IntArray, IntArray]:
    """Return the residents (ids ascending) who missed turns in the campaign, and how many."""
    rows = session.execute(text(_MISSES_SQL), {"campaign": campaign_id}).all()
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    counts = np.array([row[1] for row in rows], dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    return ids[order], counts[order]


def eligible_uninvited(
    *, session: Session, campaign_id: int, city: str, as_of: dt.date
) -> Residents:
    """Return the city's wajib KTP on ``as_of`` who are not recorded, hold no live turn and
    are not on the follow-up list; ``misses`` counts the turns each missed in the campaign.
    """
    params = {
        "campaign": campaign_id,
        "city_prefix": city + ".%",
        "as_of": as_of,
        "adult": latest_birth_date_for_age(as_of),
    }
    # Each anti-join costs a lookup per resident: skip the ones with nothing to find, as
    # on a first plan.
    sql = _ELIGIBLE_SQL
    if session.execute(text(_ANY_TAKEN_SQL)).first() is not None:
        sql += _NOT_TAKEN_SQL
    if session.execute(text(_ANY_FOLLOW_UP_SQL), {"campaign": campaign_id}).first() is not None:
        sql += _NOT_FOLLOWED_UP_SQL
    return _fetch(session, sql, params, with_turns=False, misses=_misses(session, campaign_id))


def live_turns(
    *, session: Session, campaign_id: int, kelurahan: Collection[str] | None = None
) -> Residents:
    """Return every resident holding a live turn in the campaign (living in ``kelurahan``
    only, when given), with that turn."""
    sql = _LIVE_TURNS_SQL
    params: dict[str, Any] = {"campaign": campaign_id}
    if kelurahan is not None:
        codes = sorted(kelurahan)
        if session.get_bind().dialect.name == "postgresql":
            sql += "  AND r.kode_kelurahan = ANY(:kelurahan)\n"
            params["kelurahan"] = codes
        else:  # sqlite3 binds no lists: the codes as one JSON array
            sql += "  AND r.kode_kelurahan IN (SELECT value FROM json_each(:kelurahan))\n"
            params["kelurahan"] = json.dumps(codes)
    return _fetch(session, sql, params, with_turns=True)


@dataclass(frozen=True, eq=False)
class SiteResidents:
    """One site's residents (positions into ``Residents``) and the demand they make."""

    positions: IntArray
    demand: SiteDemand
    rt_units: tuple[tuple[str, int, int], ...]


def site_of_residents(residents: Residents, site_of_kelurahan: dict[str, int]) -> IntArray:
    """Return each resident's site number (-1 when no site serves their kelurahan)."""
    lookup = np.array(
        [site_of_kelurahan.get(kode, -1) for kode in residents.kelurahan_codes] or [-1],
        dtype=np.int64,
    )
    return lookup[residents.kelurahan] if len(residents) else np.zeros(0, dtype=np.int64)


def site_residents(residents: Residents, positions: IntArray) -> SiteResidents:
    """Return the demand of the residents at ``positions`` (ascending): RTs, households."""
    kelurahan = residents.kelurahan[positions]
    rw = residents.rw[positions]
    rt = residents.rt[positions]
    count = len(positions)
    rt_change = np.ones(count, dtype=bool)
    if count > 1:
        rt_change[1:] = (
            (kelurahan[1:] != kelurahan[:-1]) | (rw[1:] != rw[:-1]) | (rt[1:] != rt[:-1])
        )
    household_start = np.flatnonzero(rt_change | residents.new_household[positions])
    rt_start = np.flatnonzero(rt_change)
    household_rt = np.cumsum(rt_change)[household_start] - 1
    codes = residents.kelurahan_codes
    units = tuple(
        (codes[int(kelurahan[start])], int(rw[start]), int(rt[start])) for start in rt_start
    )
    demand = SiteDemand(
        rt_keys=tuple(rt_code(*unit) for unit in units),
        household_counts=np.bincount(household_rt, minlength=len(rt_start)).astype(np.int64),
        household_sizes=np.diff(np.append(household_start, count)).astype(np.int64),
    )
    return SiteResidents(positions=positions, demand=demand, rt_units=units)


def rt_units_of(
    *, session: Session, kelurahan: Iterable[str]
) -> dict[str, list[tuple[str, int, int]]]:
    """Return the RT units of each kelurahan (kode -> [(kode, rw, rt)]), all of them."""
    wanted = sorted(set(kelurahan))
    found: dict[str, list[tuple[str, int, int]]] = {kode: [] for kode in wanted}
    if not wanted:
        return found
    city_prefixes = sorted({kode.rsplit(".", 2)[0] for kode in wanted})
    for prefix in city_prefixes:
        rows = session.execute(
            text(
                "SELECT kode_kelurahan, rw, rt FROM rukun_tetangga "
                "WHERE kode_kelurahan LIKE :prefix ORDER BY kode_kelurahan, rw, rt"
            ),
            {"prefix": prefix + ".%"},
        )
        for kode, rw, rt in rows:
            if kode in found:
                found[kode].append((str(kode), int(rw), int(rt)))
    return found

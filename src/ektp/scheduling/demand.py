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
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Date, TextClause, bindparam, text
from sqlalchemy.orm import Session

from ektp.regions.service import rt_code
from ektp.residents.eligibility import NEVER_MARRIED, latest_birth_date_for_age
from ektp.scheduling.models import LIVE_STATUSES
from ektp.scheduling.planner import SiteDemand

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

FETCH_ROWS = 100_000
WORK_MEMORY = "256MB"
"""PostgreSQL's ``work_mem`` while reading a city's rows (hash joins of 1.2 M rows)."""
LIVE_SQL = "({})".format(", ".join(f"'{status}'" for status in LIVE_STATUSES))
"""The live states as an SQL list, for ``status IN ...`` (constants, never user input)."""
TAKEN_SQL = "({})".format(", ".join(f"'{status}'" for status in (*LIVE_STATUSES, "attended")))
"""States that mean a resident needs no new turn: holds one, or is recorded."""
KK_DIGITS = 16

# ``{scan}`` is "NOT INDEXED" on SQLite: left to itself it walks an index (birth date,
# campaign) and looks every row up at random, several times slower than reading in order.
_ELIGIBLE_SQL = f"""
SELECT r.id, r.kode_kelurahan, r.rw, r.rt, r.no_kk
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
SELECT r.id, r.kode_kelurahan, r.rw, r.rt, r.no_kk, i.misses,
       i.id, i.site_code, i.tanggal, i.session
FROM invitations i {{scan}} JOIN residents r ON r.id = i.resident_id
WHERE i.campaign_id = :campaign AND i.status IN {LIVE_SQL}
"""


def as_date(value: Any) -> dt.date:
    """Return a date column's value as a date (raw SQL on SQLite gives ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True, eq=False)
class Residents:
    """Residents in (kelurahan, RW, RT, No. KK, id) order, as parallel arrays.

    ``kelurahan`` indexes ``kelurahan_codes``; ``new_household`` marks a resident whose
    No. KK differs from the previous resident's. For live turns, ``invitation_id`` and
    ``turn`` (an index into ``turns``: site code, date, session name) say what each holds.
    """

    resident_id: IntArray
    kelurahan: IntArray
    kelurahan_codes: tuple[str, ...]
    rw: IntArray
    rt: IntArray
    new_household: BoolArray
    misses: IntArray
    invitation_id: IntArray
    turn: IntArray
    turns: tuple[tuple[str, dt.date, str], ...]

    def __len__(self) -> int:
        return len(self.resident_id)


class _Codes(dict[Any, int]):
    """Numbers values in the order first seen; ``map(codes.__getitem__, ...)`` runs in C."""

    def __missing__(self, key: Any) -> int:
        number = self[key] = len(self)
        return number


def _numbered(codes: _Codes, values: Sequence[Any], count: int) -> IntArray:
    return np.fromiter(map(codes.__getitem__, values), dtype=np.int64, count=count)


def _ranks(codes: _Codes) -> tuple[IntArray, tuple[Any, ...]]:
    """Return each code's rank among the values in sorted order, and the sorted values."""
    values = list(codes)
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values), dtype=np.int64)
    return rank, tuple(values[at] for at in order)


def household_keys(no_kk: npt.NDArray[np.str_]) -> IntArray:
    """Return integers that sort and compare as the No. KK texts do (byte order).

    The registry's No. KK is 16 digits, read as one int64 in a few vectorised passes;
    anything else (tests, old rows) falls back to ranking the texts, which sorts them.
    """
    if len(no_kk) == 0:
        return np.zeros(0, dtype=np.int64)
    if no_kk.dtype.itemsize == 4 * KK_DIGITS:
        points = no_kk.view(np.uint32).reshape(-1, KK_DIGITS)
        if bool(((points >= ord("0")) & (points <= ord("9"))).all()):
            return no_kk.astype(f"S{KK_DIGITS}").astype(np.int64)
    # Code point order is the byte order of UTF-8, the databases' binary collation.
    _, rank = np.unique(no_kk, return_inverse=True)
    return rank.astype(np.int64).reshape(-1)


class _Collector:
    """Turns row chunks into arrays without keeping a Python object per row."""

    def __init__(self) -> None:
        self.kelurahan = _Codes()
        self.sites = _Codes()
        self.days = _Codes()
        self.names = _Codes()
        self.parts: dict[str, list[np.ndarray[Any, Any]]] = {}

    def add(self, name: str, values: np.ndarray[Any, Any]) -> None:
        self.parts.setdefault(name, []).append(values)

    def take(self, rows: Sequence[Sequence[Any]], with_turns: bool) -> None:
        columns = list(zip(*rows, strict=True))
        count = len(rows)
        self.add("resident_id", np.fromiter(columns[0], dtype=np.int64, count=count))
        self.add("kelurahan", _numbered(self.kelurahan, columns[1], count))
        self.add("rw", np.fromiter(columns[2], dtype=np.int64, count=count))
        self.add("rt", np.fromiter(columns[3], dtype=np.int64, count=count))
        self.add("no_kk", np.array(columns[4], dtype=str))
        if with_turns:
            self.add("misses", np.fromiter(columns[5], dtype=np.int64, count=count))
            self.add("invitation_id", np.fromiter(columns[6], dtype=np.int64, count=count))
            self.add("site", _numbered(self.sites, columns[7], count))
            self.add("day", _numbered(self.days, columns[8], count))
            self.add("name", _numbered(self.names, columns[9], count))

    def joined(self, name: str) -> IntArray:
        parts = self.parts.get(name)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def turns(self) -> tuple[IntArray, tuple[tuple[str, dt.date, str], ...]]:
        """Return each row's turn number and the turns (site, day, session) numbered."""
        if "site" not in self.parts:
            return np.full(len(self.joined("resident_id")), -1, dtype=np.int64), ()
        width = max(len(self.days), 1) * max(len(self.names), 1)
        combined = (
            self.joined("site") * width
            + self.joined("day") * max(len(self.names), 1)
            + self.joined("name")
        )
        keys, turn = np.unique(combined, return_inverse=True)
        sites, days, names = list(self.sites), [as_date(d) for d in self.days], list(self.names)
        found = tuple(
            (
                str(sites[key // width]),
                days[key % width // max(len(names), 1)],
                str(names[key % max(len(names), 1)]),
            )
            for key in keys.tolist()
        )
        return turn.astype(np.int64).reshape(-1), found

    def residents(self, misses: tuple[IntArray, IntArray] | None = None) -> Residents:
        """Return the residents sorted; ``misses`` (resident ids ascending, counts) gives
        the misses of rows read without them.
        """
        ids = self.joined("resident_id")
        rank, codes = _ranks(self.kelurahan)
        kelurahan = rank[self.joined("kelurahan")]
        rw, rt = self.joined("rw"), self.joined("rt")
        no_kk = self.parts.get("no_kk")
        kk = household_keys(np.concatenate(no_kk)) if no_kk else np.zeros(0, dtype=np.int64)
        # RW and RT are SMALLINT: 16 bits each beside the kelurahan's rank make one key.
        unit = (kelurahan << 32) | ((rw + 2**15) << 16) | (rt + 2**15)
        # lexsort is stable, and a table scan usually reads ids in order already.
        ascending = bool((ids[1:] > ids[:-1]).all())
        order = np.lexsort((kk, unit) if ascending else (ids, kk, unit))
        ids, kk = ids[order], kk[order]
        turn, turns = self.turns()
        if "misses" in self.parts:
            missed = self.joined("misses")[order]
        else:
            missed = np.zeros(len(ids), dtype=np.int64)
            if misses is not None and len(misses[0]) and len(ids):
                at = np.minimum(np.searchsorted(misses[0], ids), len(misses[0]) - 1)
                found = misses[0][at] == ids
                missed[found] = misses[1][at[found]]
        new_household = np.ones(len(ids), dtype=bool)
        new_household[1:] = kk[1:] != kk[:-1]
        return Residents(
            resident_id=ids,
            kelurahan=kelurahan[order],
            kelurahan_codes=tuple(str(kode) for kode in codes),
            rw=rw[order],
            rt=rt[order],
            new_household=new_household,
            misses=missed,
            invitation_id=self.joined("invitation_id")[order]
            if "invitation_id" in self.parts
            else np.full(len(ids), -1, dtype=np.int64),
            turn=turn[order],
            turns=turns,
        )


def dated_sql(sql: str, *date_params: str) -> TextClause:
    """Return ``sql`` with ``date_params`` bound as dates (SQLite stores them as ISO text)."""
    return text(sql).bindparams(*(bindparam(name, type_=Date) for name in date_params))


_NAMED_PARAM = re.compile(r"(?<![:\w]):(\w+)")


def raw_chunks(
    session: Session, sql: str, params: dict[str, Any], size: int = FETCH_ROWS
) -> Iterator[Sequence[Any]]:
    """Yield the rows of ``sql`` (``:name`` parameters; dates as dates) in chunks, straight
    from the driver's cursor: SQLAlchemy's row objects would double the time at 1.2 M rows.
    PostgreSQL streams them through a server-side cursor.
    """
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    postgresql = session.get_bind().dialect.name == "postgresql"
    sql = sql.replace("{scan}", "" if postgresql else "NOT INDEXED")
    if postgresql:
        # Until the transaction ends: join a city's rows in memory, not in temporary files,
        # and plan the cursor for all its rows (by default PostgreSQL plans a cursor for the
        # first tenth, and picks slow index walks and nested loops).
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEMORY}'"))
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
        cursor = dbapi.cursor(name=f"ektp_{uuid.uuid4().hex[:12]}")
        cursor.execute(_NAMED_PARAM.sub(r"%(\1)s", sql), params)
    else:
        cursor = dbapi.cursor()
        # SQLite stores dates as ISO text and compares them as text.
        as_text = {
            key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in params.items()
        }
        cursor.execute(sql, as_text)
    try:
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def _fetch(
    session: Session,
    sql: str,
    params: dict[str, Any],
    with_turns: bool,
    misses: tuple[IntArray, IntArray] | None = None,
) -> Residents:
    collector = _Collector()
    for rows in raw_chunks(session, sql, params):
        collector.take(rows, with_turns)
    return collector.residents(misses)


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


def live_turns(*, session: Session, campaign_id: int) -> Residents:
    """Return every resident holding a live turn in the campaign, with that turn."""
    return _fetch(session, _LIVE_TURNS_SQL, {"campaign": campaign_id}, with_turns=True)


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

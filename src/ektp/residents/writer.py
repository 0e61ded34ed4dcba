"""Write batches of validated residents set-wise: one statement per batch, never row by row.

SQLite gets ``executemany`` of an upsert; PostgreSQL gets ``COPY`` into a temporary staging
table and one ``INSERT ... SELECT ... ON CONFLICT`` from it. Both run inside the caller's
transaction, so a batch is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ektp.residents.records import RECORD_COLUMNS, ResidentRecord

_COLUMNS = (*RECORD_COLUMNS, "updated_at")
_COLUMN_LIST = ", ".join(_COLUMNS)
_UPDATE_SET = ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS if name != "nik")
_UPSERT_SQL = (
    f"INSERT INTO residents ({_COLUMN_LIST}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    f"ON CONFLICT (nik) DO UPDATE SET {_UPDATE_SET}"
)


@dataclass(frozen=True)
class WriteResult:
    """How many residents of a batch were new and how many replaced an existing NIK."""

    imported: int
    updated: int


_RT_SQL = (
    "INSERT INTO rukun_tetangga (kode_kelurahan, rw, rt) VALUES (?, ?, ?) "
    "ON CONFLICT (kode_kelurahan, rw, rt) DO NOTHING"
)


def mark_counts_stale(*, session: Session) -> None:
    """Flag the region summary as out of date until the next refresh."""
    session.execute(text("UPDATE registry_state SET stats_stale = :t WHERE id = 1"), {"t": True})


def write_batch(
    *, session: Session, records: Sequence[ResidentRecord], now: dt.datetime
) -> WriteResult:
    """Return how many of ``records`` were new: upserts them (NIKs unique within the batch)
    and creates their RT units."""
    if not records:
        return WriteResult(0, 0)
    mark_counts_stale(session=session)
    if session.get_bind().dialect.name == "postgresql":
        return _write_postgresql(session, records, now)
    return _write_sqlite(session, records, now)


def _write_sqlite(
    session: Session, records: Sequence[ResidentRecord], now: dt.datetime
) -> WriteResult:
    connection = session.connection()
    units = sorted({(r.kode_kelurahan, r.rw, r.rt) for r in records})
    connection.exec_driver_sql(_RT_SQL, units)
    # Rows inserted now get ids above today's largest (the write lock is held since BEGIN
    # IMMEDIATE), so counting them is a short range scan instead of a lookup per NIK.
    largest_id = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM residents").scalar()
    stamp = now.isoformat(sep=" ")
    # NIK order keeps the unique index's inserts local: fewer pages touched per batch.
    rows = sorted((*r[:5], r.tanggal_lahir.isoformat(), *r[6:], stamp) for r in records)
    connection.exec_driver_sql(_UPSERT_SQL, rows)
    inserted = connection.exec_driver_sql(
        "SELECT count(*) FROM residents WHERE id > ?", (largest_id,)
    ).scalar()
    return WriteResult(imported=int(inserted or 0), updated=len(records) - int(inserted or 0))


_STAGING_DDL = """
CREATE TEMPORARY TABLE IF NOT EXISTS resident_staging (
    nik varchar(16), no_kk varchar(16), nama varchar(120), jenis_kelamin varchar(1),
    tempat_lahir varchar(80), tanggal_lahir date, status_kawin varchar(12), agama varchar(40),
    pekerjaan varchar(80), alamat varchar(200), kode_kelurahan varchar(13), rw smallint,
    rt smallint, nik_warning varchar(200), updated_at timestamptz
) ON COMMIT DELETE ROWS
"""


def _write_postgresql(
    session: Session, records: Sequence[ResidentRecord], now: dt.datetime
) -> WriteResult:
    connection = session.connection()
    connection.exec_driver_sql(_STAGING_DDL)
    connection.exec_driver_sql("TRUNCATE resident_staging")
    raw = connection.connection.dbapi_connection
    assert raw is not None
    copy_sql = f"COPY resident_staging ({_COLUMN_LIST}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
        for record in records:
            copy.write_row((*record, now))
    # Through SQLAlchemy again, so a constraint violation is the usual IntegrityError.
    # The RT units come from the staged rows in one statement, not one per unit.
    connection.exec_driver_sql(
        "INSERT INTO rukun_tetangga (kode_kelurahan, rw, rt) "
        "SELECT DISTINCT kode_kelurahan, rw, rt FROM resident_staging "
        "ON CONFLICT (kode_kelurahan, rw, rt) DO NOTHING"
    )
    # xmax = 0 marks a freshly inserted row; counting in SQL avoids shipping a row per
    # resident back to Python.
    inserted = connection.exec_driver_sql(
        f"WITH written AS (INSERT INTO residents ({_COLUMN_LIST}) "
        f"SELECT {_COLUMN_LIST} FROM resident_staging ORDER BY nik "
        f"ON CONFLICT (nik) DO UPDATE SET {_UPDATE_SET} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted) FROM written"
    ).scalar_one()
    return WriteResult(imported=int(inserted), updated=len(records) - int(inserted))

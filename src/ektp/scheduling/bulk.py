"""Write turns set-wise: attendance codes in bulk, ``executemany`` on SQLite, ``COPY`` on
PostgreSQL, and state changes by id lists. Everything runs in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import gc
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Connection,
    DateTime,
    ForeignKeyConstraint,
    Table,
    bindparam,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint
from sqlalchemy.sql.elements import BindParameter

from ektp.scheduling import copy_binary
from ektp.scheduling.campaigns import utc

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"
"""Letters and digits nobody misreads on a printed letter: no 0/O, 1/I, 2/Z, 5/S, 6/G, 8/B."""
CODE_LENGTH = 6
_SQLITE_CHUNK = 50_000
_IDS_CHUNK = 5_000
_COPY_BYTES = 8 * 1024 * 1024

INVITATION_COLUMNS = (
    "campaign_id",
    "resident_id",
    "site_code",
    "tanggal",
    "session",
    "attendance_code",
    "status",
    "misses",
    "plan_run_id",
    "updated_at",
)
EVENT_COLUMNS = ("invitation_id", "at", "from_status", "to_status", "by", "note")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a city's rows go through Python.

    Reading or writing 1.2 million rows makes millions of short-lived tuples, and each
    few hundred of them trigger a collection that walks every live container: that
    doubled the time of reading the demand. Reference counting still frees them; the
    collector runs again afterwards (it was on).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def new_code_array(count: int) -> npt.NDArray[np.bytes_]:
    """Return ``count`` random attendance codes (ASCII bytes) from the OS's secure source.

    Bytes of 250 and above are dropped before taking the remainder by 25, so that every
    letter is equally likely (256 is not a multiple of 25).
    """
    needed = count * CODE_LENGTH
    picked = np.zeros(0, dtype=np.uint8)
    while len(picked) < needed:
        raw = np.frombuffer(secrets.token_bytes(needed - len(picked) + 64), dtype=np.uint8)
        picked = np.concatenate((picked, raw[raw < 250]))
    letters = np.frombuffer(CODE_ALPHABET.encode("ascii"), dtype="S1")
    chosen = letters[picked[:needed] % len(CODE_ALPHABET)].reshape(count, CODE_LENGTH)
    return chosen.view(f"S{CODE_LENGTH}").ravel()


def new_codes(count: int) -> list[str]:
    """Return ``count`` random attendance codes as text (see ``new_code_array``)."""
    codes: list[str] = new_code_array(count).astype(f"U{CODE_LENGTH}").tolist()
    return codes


def new_code() -> str:
    """Return one random attendance code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_postgresql(session: Session) -> bool:
    """Return whether the session talks to PostgreSQL (else SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def stamp_text(session: Session, now: dt.datetime) -> str:
    """Return ``now`` (in UTC) as the text each backend stores for a timestamp column."""
    moment = utc(now)
    if is_postgresql(session):
        return moment.isoformat(sep=" ")
    # SQLAlchemy's own SQLite format, so that ORM reads parse what was written in bulk.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def bulk_insert(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (ints, text, None; dates and times as ISO text) and return how many."""
    connection = session.connection()
    column_list = ", ".join(columns)
    written = 0
    if is_postgresql(session):
        raw = connection.connection.dbapi_connection
        assert raw is not None
        copy_sql = f"COPY {table} ({column_list}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join('?' for _ in columns)})"
    for chunk in _chunks(rows, _SQLITE_CHUNK):
        connection.exec_driver_sql(sql, chunk)
        written += len(chunk)
    return written


@dataclass(frozen=True, eq=False)
class NewTurns:
    """New ``planned`` turns of one site: per resident its session, an index into the
    site calendar's ``days`` (ISO text) and ``names``.
    """

    campaign_id: int
    plan_run_id: int
    site_code: str
    days: Sequence[str]
    names: Sequence[str]
    resident_ids: npt.NDArray[np.int64]
    sessions: npt.NDArray[np.int64]
    misses: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.resident_ids)


def _sql_literal(value: int | str) -> str:
    if isinstance(value, int):
        return str(int(value))
    return "'" + value.replace("'", "''") + "'"


def insert_turns(
    session: Session, batches: Iterable[NewTurns], stamp: str, *, indexes_rebuilt: bool = False
) -> int:
    """Insert every batch's turns, each with a new attendance code; return how many.

    Within a batch the rows go in resident id order: the resident indexes then grow at
    their end, and SQLite's foreign-key lookup of each row's resident reads the residents
    in order instead of all over the table (a third of the load's time at 1.2 million
    rows). When the indexes are built after the load on PostgreSQL, which checks the
    foreign keys by one join afterwards (``indexes_set_aside``), the batches go by site
    code and their rows by day, session name and resident id instead: the order of the
    session index, whose multi-column text keys are the costly ones to sort.

    Only the columns that vary travel per row on SQLite: the site's constants are written
    into the ``executemany`` statement. PostgreSQL gets binary ``COPY`` rows laid out by
    numpy (``copy_binary``).
    """
    written = 0
    postgresql = is_postgresql(session)
    connection = session.connection()
    session_order = indexes_rebuilt and postgresql
    if session_order:
        batches = sorted(batches, key=lambda batch: batch.site_code)
    for batch in batches:
        if len(batch) == 0:
            continue
        order = _session_order(batch) if session_order else np.argsort(batch.resident_ids)
        if postgresql:
            _copy_turns(connection, batch, order, stamp)
        else:
            _execute_turns(connection, batch, order, stamp)
        written += len(batch)
    return written


def _session_order(batch: NewTurns) -> npt.NDArray[np.int64]:
    """Return the positions of ``batch`` sorted by (day, session name, resident id)."""
    slots = np.lexsort((np.array(batch.names, dtype=str), np.array(batch.days, dtype=str)))
    slot_rank = np.empty(len(slots), dtype=np.int64)
    slot_rank[slots] = np.arange(len(slots), dtype=np.int64)
    return np.lexsort((batch.resident_ids, slot_rank[batch.sessions])).astype(np.int64)


def _execute_turns(
    connection: Connection, batch: NewTurns, order: npt.NDArray[np.int64], stamp: str
) -> None:
    sessions = batch.sessions[order]
    values = ", ".join(
        (
            _sql_literal(batch.campaign_id),
            "?",
            _sql_literal(batch.site_code),
            "?, ?, ?",
            _sql_literal("planned"),
            "?",
            _sql_literal(batch.plan_run_id),
            _sql_literal(stamp),
        )
    )
    sql = f"INSERT INTO invitations ({', '.join(INVITATION_COLUMNS)}) VALUES ({values})"
    rows = zip(
        batch.resident_ids[order].tolist(),
        np.array(batch.days, dtype=object)[sessions].tolist(),
        np.array(batch.names, dtype=object)[sessions].tolist(),
        new_codes(len(batch)),
        batch.misses[order].tolist(),
        strict=True,
    )
    for chunk in _chunks(rows, _SQLITE_CHUNK):
        connection.exec_driver_sql(sql, chunk)


def _copy_turns(
    connection: Connection, batch: NewTurns, order: npt.NDArray[np.int64], stamp: str
) -> None:
    raw = connection.connection.dbapi_connection
    assert raw is not None
    rows = copy_binary.turn_rows(
        campaign_id=batch.campaign_id,
        plan_run_id=batch.plan_run_id,
        site_code=batch.site_code,
        days=copy_binary.pg_days(batch.days),
        names=batch.names,
        resident_ids=batch.resident_ids[order],
        slots=batch.sessions[order],
        codes=new_code_array(len(batch)),
        misses=batch.misses[order],
        updated=copy_binary.pg_microseconds(dt.datetime.fromisoformat(stamp)),
    )
    copy_sql = f"COPY invitations ({', '.join(INVITATION_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
        # Written as blocks, so the header and trailer are ours to send.
        pending: list[bytes | memoryview] = [copy_binary.SIGNATURE]
        size = len(copy_binary.SIGNATURE)
        for row_run in rows:
            pending.append(row_run)
            size += len(row_run)
            if size >= _COPY_BYTES:
                copy.write(b"".join(pending))
                pending, size = [], 0
        pending.append(copy_binary.TRAILER)
        copy.write(b"".join(pending))


REBUILD_FROM_ROWS = 50_000
"""Loads at least this large, and larger than the table, rebuild its indexes afterwards."""
INDEX_BUILD_MEMORY = "256MB"
"""PostgreSQL's ``maintenance_work_mem`` while it builds the indexes again."""


@contextmanager
def indexes_set_aside(session: Session, table: Table, rows_coming: int) -> Iterator[bool]:
    """Yield whether ``table``'s indexes were set aside: drop its secondary indexes (and,
    on PostgreSQL, its foreign keys) while a load larger than the table runs, and restore
    them after it, in the same transaction: a failure undoes both.

    Building an index from sorted rows costs a fraction of updating it row by row, and one
    foreign-key validation (a join) a fraction of a trigger per row: the first plan of a city
    writes 1.2 million turns into an empty table. Everything is restored before the
    transaction commits, so the unique index still refuses a second live turn, and a bad
    row fails the whole load. Meanwhile PostgreSQL locks the table; only a first plan,
    before anyone uses the turns, is that large.
    """
    existing = int(session.scalar(select(func.count()).select_from(table)) or 0)
    if rows_coming < REBUILD_FROM_ROWS or rows_coming <= existing:
        yield False
        return
    connection = session.connection()
    inspector = inspect(connection)
    present = {index["name"] for index in inspector.get_indexes(table.name)}
    indexes = [index for index in table.indexes if index.name in present]
    foreign_keys: list[ForeignKeyConstraint] = []
    if is_postgresql(session):
        connection.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"))
        # Checking a foreign key again is one join of the whole table: in memory, not in
        # temporary files.
        connection.execute(text(f"SET LOCAL work_mem = '{INDEX_BUILD_MEMORY}'"))
        named = {key["name"] for key in inspector.get_foreign_keys(table.name)}
        foreign_keys = [key for key in table.foreign_key_constraints if key.name in named]
    for key in foreign_keys:
        connection.execute(DropConstraint(key))
    for index in indexes:
        index.drop(connection)
    yield True
    for index in indexes:
        index.create(connection)
    for key in foreign_keys:
        connection.execute(AddConstraint(key))
    if is_postgresql(session):
        # Fresh statistics, or the next queries plan for the empty table this was.
        connection.execute(text(f"ANALYZE {table.name}"))


def set_status(
    session: Session,
    ids: Sequence[int],
    *,
    status: str,
    now: dt.datetime,
    by: str | None,
    note: str | None,
    from_statuses: Sequence[str],
) -> list[int]:
    """Move the invitations ``ids`` that are in ``from_statuses`` to ``status``, record one
    event each, and return the ids that changed.
    """
    stamp = stamp_text(session, now)
    changed: list[tuple[int, str]] = []
    if is_postgresql(session):
        # One array parameter: a single statement however many turns change.
        match, chunk_size = "id = ANY(:ids) AND status = ANY(:statuses)", max(len(ids), 1)
        expanding: tuple[BindParameter[Any], ...] = ()
    else:
        match, chunk_size = "id IN :ids AND status IN :statuses", _IDS_CHUNK
        expanding = (bindparam("ids", expanding=True), bindparam("statuses", expanding=True))
    select_sql = text(f"SELECT id, status FROM invitations WHERE {match}").bindparams(*expanding)
    update_sql = text(
        f"UPDATE invitations SET status = :status, updated_at = :at WHERE {match}"
    ).bindparams(*expanding, bindparam("at", type_=DateTime(timezone=True)))
    for start in range(0, len(ids), chunk_size):
        chunk = [int(invitation) for invitation in ids[start : start + chunk_size]]
        params = {"ids": chunk, "statuses": list(from_statuses)}
        changed.extend((int(i), str(s)) for i, s in session.execute(select_sql, params))
        session.execute(update_sql, {**params, "status": status, "at": utc(now)})
    bulk_insert(
        session,
        "invitation_events",
        EVENT_COLUMNS,
        ((invitation, stamp, old, status, by, note) for invitation, old in changed),
    )
    return [invitation for invitation, _ in changed]

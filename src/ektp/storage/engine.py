"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for the write lock before giving up."""
WRITE_LOCK_WAIT = "ektp_write_lock_wait_s"
"""Execution option: how many seconds a SQLite transaction waits for its process's writer
lock (default ``BUSY_TIMEOUT_MS``); 0 for a write that can be skipped when others write."""


class WriterBusy(TimeoutError):
    """Raised when a SQLite transaction could not take its process's writer lock in time."""


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, decides when transactions begin (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the web server read while an import writes; NORMAL is durable at each checkpoint
    # and safe with WAL (a power cut loses at most the last transactions, never corrupts).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is
    # locked" when another writer committed in between (busy_timeout cannot help there).
    # Taking the write lock up front makes concurrent writers queue instead; WAL readers
    # outside a transaction are not blocked.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_sqlite_now(connection: Any) -> None:
    """Begin a write transaction at once, or raise WriterBusy while another process writes."""
    # The busy timeout would keep a pooled connection waiting up to 30 s; for a write that
    # can be skipped (a token's last use) that is worse than skipping it.
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        _begin_sqlite(connection)
    except sqlalchemy_exc.OperationalError as error:
        if "locked" not in str(error.orig):
            raise
        raise WriterBusy("database is locked: another process is writing") from error
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _serialise_writers(engine: Engine) -> None:
    """Let one thread of this process at a time begin a SQLite write transaction.

    SQLite's busy handler is not fair: with forty request threads polling for the write lock,
    some wait out the whole busy timeout while others get in again and again. Queueing them
    on a lock of this process first leaves SQLite one waiter per process.
    """
    # A plain lock, not an RLock: the request thread that begins a transaction is not always
    # the one that commits it (FastAPI runs a dependency's teardown in another thread).
    lock = threading.Lock()

    def begin(connection: Any) -> None:
        wait = connection.get_execution_options().get(WRITE_LOCK_WAIT, BUSY_TIMEOUT_MS / 1000)
        if not lock.acquire(timeout=wait):
            raise WriterBusy(
                f"database is locked: no write transaction of this process ended within {wait:g} s"
            )
        try:
            if wait <= 0:
                _begin_sqlite_now(connection)
            else:
                _begin_sqlite(connection)
        except BaseException:
            lock.release()
            raise
        connection.info[_HOLDS_WRITE_LOCK] = True

    def end(connection: Any) -> None:
        if connection.info.pop(_HOLDS_WRITE_LOCK, False):
            lock.release()

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)


_HOLDS_WRITE_LOCK = "ektp_holds_write_lock"


def _begin_sqlite_reading(connection: Any) -> None:
    # Read-only requests must not queue behind writers for the write lock (nor hold it while
    # a slow page is built): a deferred transaction reads one WAL snapshot and blocks nobody.
    connection.exec_driver_sql("BEGIN")


def _sqlite_query_only(dbapi_connection: Any, _record: Any) -> None:
    # The reading engine cannot write: a page view that tried would fail at once instead of
    # turning its snapshot into a write (see web.deps.db_session; audit rows have their own
    # short write transaction).
    dbapi_connection.execute("PRAGMA query_only = ON")


def make_engine(url: str, *, reading: bool = False, **kwargs: Any) -> Engine:
    """Return an engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    ``reading``: on SQLite, transactions begin deferred (for read-only work) instead of
    taking the write lock up front; PostgreSQL engines are the same either way.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        if reading:
            event.listen(engine, "connect", _sqlite_query_only)
            event.listen(engine, "begin", _begin_sqlite_reading)
        else:
            _serialise_writers(engine)
        return engine
    # No ping before each checkout: it was one more round trip per request (about 0.7 ms
    # of the queue screen's 7). A connection that died with the server fails the request
    # holding it, and SQLAlchemy then replaces every pooled connection older than that
    # failure; connections are renewed every 30 minutes anyway, before a firewall forgets
    # an idle one.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine`` that keeps objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session whose work commits on success and rolls back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

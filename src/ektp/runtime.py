"""One process's wiring: settings, the engine and sessions, built on first use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ektp.settings import Settings
from ektp.storage.engine import make_engine, make_session_factory, session_scope


class Runtime:
    """Holds settings and lazily creates the engine, so importing never touches a database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        """Return the engine for the configured database URL."""
        return self._make_engine(reading=False)

    @cached_property
    def read_engine(self) -> Engine:
        """Return the engine for read-only work (page views, screens): on SQLite files its
        own, whose transactions begin deferred and cannot write; on PostgreSQL the same
        pool in autocommit.

        PostgreSQL reads in READ COMMITTED see a fresh snapshot per statement anyway, so a
        transaction around a page view only cost two round trips (BEGIN and COMMIT).
        """
        if self.single_writer:
            return self._make_engine(reading=True)
        if self.settings.database_url.startswith("postgresql"):
            return self.engine.execution_options(isolation_level="AUTOCOMMIT")
        return self.engine

    @property
    def separate_reads(self) -> bool:
        """Return whether read-only work has its own sessions (``read_session_factory``),
        whose audit rows are written apart: SQLite files and PostgreSQL."""
        return self.single_writer or self.settings.database_url.startswith("postgresql")

    @property
    def single_writer(self) -> bool:
        """Return whether the database takes one writer at a time (SQLite files)."""
        url = self.settings.database_url
        return url.startswith("sqlite") and ":memory:" not in url

    def _make_engine(self, *, reading: bool) -> Engine:
        url = self.settings.database_url
        if ":memory:" in url:
            return make_engine(url)
        # As many connections as the web server's request threads (40): a request must wait
        # for the database, not for a connection.
        return make_engine(
            url,
            reading=reading,
            pool_size=self.settings.db_pool_size,
            max_overflow=self.settings.db_max_overflow,
        )

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        """Return the session factory bound to the engine."""
        return make_session_factory(self.engine)

    @cached_property
    def read_session_factory(self) -> sessionmaker[Session]:
        """Return the session factory for read-only work (see ``read_engine``)."""
        return make_session_factory(self.read_engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session that commits when the block succeeds and rolls back otherwise."""
        with session_scope(self.session_factory) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        if "engine" in self.__dict__:
            self.engine.dispose()
        # PostgreSQL's reading engine shares the main pool: disposed with it.
        if "read_engine" in self.__dict__ and self.single_writer:
            self.read_engine.dispose()


def runtime_of(ctx: typer.Context) -> Runtime:
    """Return the Runtime that the root ``ektp`` callback put on the command's context."""
    root = ctx.find_root()
    assert isinstance(root.obj, Runtime), "command run outside the ektp root app"
    return root.obj

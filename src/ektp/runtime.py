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
        """Return the engine for read-only work: on SQLite its transactions begin deferred,
        on PostgreSQL it is the same engine."""
        if not self.separate_reads:
            return self.engine
        return self._make_engine(reading=True)

    @property
    def separate_reads(self) -> bool:
        """Return whether read-only work has its own engine (SQLite files)."""
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
        if "read_engine" in self.__dict__ and self.separate_reads:
            self.read_engine.dispose()


def runtime_of(ctx: typer.Context) -> Runtime:
    """Return the Runtime that the root ``ektp`` callback put on the command's context."""
    root = ctx.find_root()
    assert isinstance(root.obj, Runtime), "command run outside the ektp root app"
    return root.obj

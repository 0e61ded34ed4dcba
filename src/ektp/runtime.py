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
        url = self.settings.database_url
        if url.startswith("sqlite"):
            return make_engine(url)
        return make_engine(
            url,
            pool_size=self.settings.db_pool_size,
            max_overflow=self.settings.db_max_overflow,
        )

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        """Return the session factory bound to the engine."""
        return make_session_factory(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session that commits when the block succeeds and rolls back otherwise."""
        with session_scope(self.session_factory) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        if "engine" in self.__dict__:
            self.engine.dispose()


def runtime_of(ctx: typer.Context) -> Runtime:
    """Return the Runtime that the root ``ektp`` callback put on the command's context."""
    root = ctx.find_root()
    assert isinstance(root.obj, Runtime), "command run outside the ektp root app"
    return root.obj

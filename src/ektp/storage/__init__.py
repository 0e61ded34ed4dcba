"""Storage: engine factory, declarative base, migrations."""

from ektp.storage.base import Base
from ektp.storage.engine import make_engine, make_session_factory, session_scope

__all__ = ["Base", "make_engine", "make_session_factory", "session_scope"]

"""Alembic environment: the engine comes from the caller (``ektp init``), never from a file."""

from __future__ import annotations

from alembic import context

from ektp.storage.metadata import target_metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

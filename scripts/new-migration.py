"""Write the next Alembic migration from the models' difference to the current schema.

Usage: .venv/bin/python scripts/new-migration.py 0004 "cards"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from ektp.storage.engine import make_engine
from ektp.storage.migrate import alembic_config, upgrade


def main() -> None:
    """Upgrade a throwaway SQLite database, then autogenerate revision argv[1]."""
    rev_id, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'new.sqlite3'}")
        upgrade(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()


if __name__ == "__main__":
    main()

"""The conftest's small city with the small campaign of ``schedule_city`` planned, for the
queue's HTTP and browser tests: Sukarami has three sets, a pagi of 08-10 with 6 turns and a
malam of 16-18 with 6, of which 3 are held back for walk-ins.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.settings import Settings
from tests.e2e.conftest import NOW, build_database
from tests.integration.schedule_city import scenario_file

SITE = "16.71.07"
OTHER_SITE = "16.71.06"


def build_queue_city(template: Path, directory: Path) -> Path:
    """Return an SQLite file (in ``directory``) with the small city, its users and the plan."""
    path = directory / "queue.sqlite3"
    shutil.copyfile(template, path)
    build_database(path)
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="test"))
    try:
        with runtime.transaction() as session:
            scheduling.create_campaign(session=session, scenario=scenario_file(directory), now=NOW)
            scheduling.plan(session=session, now=NOW)
    finally:
        runtime.dispose()
    return path


def copy_url(template: Path, directory: Path) -> str:
    """Return the URL of a fresh copy of the planned city in ``directory``."""
    path = directory / "ektp.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"

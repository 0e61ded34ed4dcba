"""Fixtures shared by the integration tests of the recording desk."""

from __future__ import annotations

from pathlib import Path

import pytest

from ektp.recording import desk
from ektp.runtime import Runtime
from tests.integration.recording_day import MORNING, SUKARAMI, called_ticket
from tests.integration.schedule_city import plan_city


@pytest.fixture
def day(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of a planned small city on the campaign's first morning."""
    with runtime.transaction() as session:
        plan_city(session, tmp_path)
    return runtime


@pytest.fixture
def started(day: Runtime) -> int:
    """Return the id of a recording started at set 1 of Sukarami."""
    with day.transaction() as session:
        ticket = called_ticket(session, SUKARAMI, 1)
        return desk.start_recording(
            session=session, ticket_id=ticket.id, set_no=1, now=MORNING, by="camat"
        ).id

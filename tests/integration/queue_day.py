"""A planned small campaign for the queue tests, moments of its first day, and helpers to
find residents by their turn and to run two requests at once.

The small campaign (``schedule_city.SMALL_CAMPAIGN``) gives Ilir Timur II two sets, a pagi
of 08-10 with 4 turns and no reserve, and a malam of 16-18 with 4 turns of which 2 are held
back for walk-ins and re-invitations.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.recording.models import QueueTicket
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling.models import Invitation
from tests.integration.schedule_city import IT2, plan_city, small_city

RECORDS = small_city()
MONDAY = dt.date(2011, 10, 3)
TUESDAY = dt.date(2011, 10, 4)
WIB = dt.timezone(dt.timedelta(hours=7))


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    """Return a moment of ``day`` at Palembang's wall-clock ``hour:minute``."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


def plan_small_campaign(runtime: Runtime, directory: Path) -> Runtime:
    """Fill the database with the small city, the small campaign and its plan."""
    with runtime.transaction() as session:
        plan_city(session, directory)
    return runtime


def turns(
    runtime: Runtime, day: dt.date, name: str, site: str = IT2
) -> list[tuple[Invitation, str]]:
    """Return the live turns of a session with their residents' NIKs, in id order."""
    with runtime.transaction() as session:
        rows = session.execute(
            select(Invitation, Resident.nik)
            .join(Resident, Resident.id == Invitation.resident_id)
            .where(
                Invitation.site_code == site,
                Invitation.tanggal == day,
                Invitation.session == name,
                Invitation.status.in_(("planned", "letter_printed", "delivered")),
            )
            .order_by(Invitation.id)
        ).all()
        return list(rows)


def nik_of(runtime: Runtime, kelurahan: str, *, invited_after: dt.date) -> list[str]:
    """Return NIKs of wajib KTP residents of ``kelurahan`` whose turn is after a day."""
    with runtime.transaction() as session:
        return list(
            session.execute(
                select(Resident.nik)
                .join(Invitation, Invitation.resident_id == Resident.id)
                .where(
                    Resident.kode_kelurahan == kelurahan,
                    Invitation.tanggal > invited_after,
                    Invitation.status == "planned",
                )
                .order_by(Resident.id)
            ).scalars()
        )


def tickets(runtime: Runtime) -> list[QueueTicket]:
    """Return every queue ticket, by number."""
    with runtime.transaction() as session:
        return list(session.execute(select(QueueTicket).order_by(QueueTicket.number)).scalars())


def at_once(runtime: Runtime, *jobs: Callable[[Session], Any]) -> list[Any]:
    """Run each job in its own thread and transaction, released together; return what each
    returned, or the exception it raised.
    """
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[Session], Any]) -> None:
        try:
            start.wait(timeout=30)
            with runtime.transaction() as session:
                results[index] = job(session)
        except Exception as error:  # handed back to the test, which asserts on it
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results

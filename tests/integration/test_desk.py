"""The perekaman desk on SQLite and PostgreSQL: start, complete once, fail and re-invite,
corrections as requests (captures: test_desk_captures).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from ektp.recording import corrections, desk, desk_views
from ektp.recording.models import ChangeRequest, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.models import Invitation, InvitationEvent
from tests.integration.desk_day import (
    add,
    at_once,
    capture,
    complete_all,
    count,
)
from tests.integration.recording_day import MONDAY, MORNING, SUKARAMI, called_ticket


def test_starting_a_called_ticket_twice_gives_one_recording(day: Runtime) -> None:
    with day.transaction() as session:
        ticket = called_ticket(session, SUKARAMI, 2)
        first = desk.start_recording(
            session=session, ticket_id=ticket.id, set_no=2, now=MORNING, by="camat"
        )
        again = desk.start_recording(
            session=session, ticket_id=ticket.id, set_no=2, now=MORNING, by="camat"
        )
        assert first.id == again.id
        assert (first.status, first.set_no, first.resident_id) == (
            "in_progress",
            2,
            ticket.resident_id,
        )
    assert count(day, Recording) == 1


def test_a_ticket_called_to_another_set_or_not_called_cannot_start(day: Runtime) -> None:
    with day.transaction() as session:
        ticket = called_ticket(session, SUKARAMI, 1)
        with pytest.raises(desk.DeskConflictError, match="called to set 1, not set 3"):
            desk.start_recording(
                session=session, ticket_id=ticket.id, set_no=3, now=MORNING, by="x"
            )
        ticket.status = "waiting"
        session.flush()
        with pytest.raises(desk.DeskConflictError, match="is waiting; call it to a set first"):
            desk.start_recording(
                session=session, ticket_id=ticket.id, set_no=1, now=MORNING, by="x"
            )
        with pytest.raises(desk.RecordingNotFoundError):
            desk.start_recording(session=session, ticket_id=999_999, set_no=1, now=MORNING, by="x")
    assert count(day, Recording) == 0


def test_completing_needs_every_modality_accepted_or_excepted(day: Runtime, started: int) -> None:
    complete_all(day, started, but=("l_little", "r_iris"))
    with (
        day.transaction() as session,
        pytest.raises(
            desk.DeskConflictError, match="l_little, r_iris neither accepted nor excepted"
        ),
    ):
        desk.complete_recording(session=session, recording_id=started, now=MORNING, by="camat")
    with day.transaction() as session:
        desk.note_exception(
            session=session, recording_id=started, modality="l_little", reason="jari hilang", by="c"
        )
        with pytest.raises(desk.InvalidCaptureError, match="photo cannot be excepted"):
            desk.note_exception(
                session=session, recording_id=started, modality="photo", reason="x", by="c"
            )
    capture(day, started, "r_iris", 75)
    with day.transaction() as session:
        done = desk.complete_recording(
            session=session, recording_id=started, now=MORNING, by="camat"
        )
        assert done.status == "completed"
        assert desk_views.exceptions_of(done) == {"l_little": "jari hilang"}


def test_a_completed_recording_marks_the_ticket_recorded_and_the_invitation_attended(
    day: Runtime, started: int
) -> None:
    complete_all(day, started)
    for _ in range(2):  # a double click
        with day.transaction() as session:
            desk.complete_recording(session=session, recording_id=started, now=MORNING, by="c")
    with day.transaction() as session:
        recording = session.get(Recording, started)
        assert recording is not None and recording.status == "completed"
        ticket = session.get(QueueTicket, recording.ticket_id)
        assert ticket is not None and ticket.status == "recorded"
        invitation = session.get(Invitation, ticket.invitation_id)
        assert invitation is not None and invitation.status == "attended"
        with pytest.raises(desk.DeskConflictError, match="is completed; it takes no captures"):
            add(session, started, "r_thumb", 90)


def test_the_database_refuses_a_second_completed_recording_of_a_resident(
    day: Runtime, started: int
) -> None:
    complete_all(day, started)
    with day.transaction() as session:
        desk.complete_recording(session=session, recording_id=started, now=MORNING, by="c")
        first = session.get(Recording, started)
        assert first is not None
        other = QueueTicket(
            campaign_id=first.campaign_id,
            site_code=first.site_code,
            tanggal=MONDAY.replace(day=4),
            session="pagi",
            number=1,
            resident_id=first.resident_id,
            invitation_id=None,
            kind="walk_in",
            status="called",
            set_no=1,
            checked_in_at=MORNING,
        )
        session.add(other)
        session.flush()
        second = desk.start_recording(
            session=session, ticket_id=other.id, set_no=1, now=MORNING, by="c"
        )
        second_id = second.id
    complete_all(day, second_id)
    with (
        day.transaction() as session,
        pytest.raises(desk.DeskConflictError, match="already recorded"),
    ):
        desk.complete_recording(session=session, recording_id=second_id, now=MORNING, by="c")
    with pytest.raises(IntegrityError), day.transaction() as session:
        session.execute(
            update(Recording).where(Recording.id == second_id).values(status="completed")
        )


def test_a_failed_recording_is_re_invited_into_the_evening_reserve_at_closing(
    day: Runtime, started: int
) -> None:
    with day.transaction() as session:
        failed = desk.fail_recording(
            session=session, recording_id=started, reason="  alat  macet ", now=MORNING, by="c"
        )
        assert (failed.status, failed.failure_reason) == ("failed", "alat macet")
        again = desk.fail_recording(
            session=session, recording_id=started, reason="lagi", now=MORNING, by="c"
        )
        assert again.failure_reason == "alat macet"
        with pytest.raises(desk.DeskConflictError, match="is failed"):
            desk.complete_recording(session=session, recording_id=started, now=MORNING, by="c")
        ticket = session.get(QueueTicket, failed.ticket_id)
        assert ticket is not None and ticket.status == "failed"
        resident_id = failed.resident_id
        closed = scheduling.close_session(
            session=session,
            site_code=SUKARAMI,
            tanggal=MONDAY,
            session_name=ticket.session,
            now=MORNING,
        )
    turns = [turn for turn in closed.reinvited if turn.resident_id == resident_id]
    assert len(turns) == 1 and turns[0].session == "malam" and turns[0].date > MONDAY


def test_a_correction_is_recorded_as_a_request_and_the_registry_is_untouched(
    day: Runtime, started: int
) -> None:
    with day.transaction() as session:
        recording = session.get(Recording, started)
        assert recording is not None
        resident = session.get(Resident, recording.resident_id)
        assert resident is not None
        before = resident.nama
        change = corrections.request_correction(
            session=session,
            resident_id=resident.id,
            field="nama",
            old_value=before,
            new_value="  SITI   AMINAH ",
            now=MORNING,
            by="camat",
        )
        assert (change.field, change.old_value, change.new_value, change.status) == (
            "nama",
            before,
            "SITI AMINAH",
            "open",
        )
        with pytest.raises(corrections.CorrectionError, match="'nik' cannot be corrected"):
            corrections.request_correction(
                session=session,
                resident_id=resident.id,
                field="nik",
                old_value=None,
                new_value="1",
                now=MORNING,
                by="camat",
            )
    with day.transaction() as session:
        resident = session.get(Resident, recording.resident_id)
        assert resident is not None and resident.nama == before
    assert count(day, ChangeRequest) == 1


def test_the_desk_finds_the_ticket_called_to_its_set(day: Runtime) -> None:
    with day.transaction() as session:
        ticket = called_ticket(session, SUKARAMI, 3)
        found = desk_views.desk_ticket(session=session, site_code=SUKARAMI, set_no=3)
        assert found is not None and found.id == ticket.id
        assert desk_views.desk_ticket(session=session, site_code=SUKARAMI, set_no=2) is None
        assert desk_views.site_kecamatan(session=session, site_code=SUKARAMI) == SUKARAMI
        assert desk_views.site_kecamatan(session=session, site_code="16.71.99") is None


def test_two_completes_at_once_take_effect_once(day: Runtime, started: int) -> None:
    complete_all(day, started)

    def complete(session: Session) -> object:
        done = desk.complete_recording(session=session, recording_id=started, now=MORNING, by="c")
        return (done.id, done.status)

    outcomes = at_once(day, complete)
    assert (started, "completed") in outcomes, outcomes
    assert all(o == (started, "completed") or isinstance(o, DBAPIError) for o in outcomes)
    with day.transaction() as session:
        recording = session.get(Recording, started)
        assert recording is not None
        ticket = session.get(QueueTicket, recording.ticket_id)
        assert ticket is not None
        attended = session.scalar(
            select(func.count())
            .select_from(InvitationEvent)
            .where(
                InvitationEvent.invitation_id == ticket.invitation_id,
                InvitationEvent.to_status == "attended",
            )
        )
    assert attended == 1

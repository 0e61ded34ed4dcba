"""The perekaman desk on SQLite and PostgreSQL: start, captures (encrypted, idempotent,
bounded retakes), exceptions, complete once, fail and re-invite, corrections as requests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from ektp.recording import capture_rules as rules
from ektp.recording import corrections, desk, desk_views
from ektp.recording.crypto import BiometricCipher, capture_context
from ektp.recording.models import Capture, ChangeRequest, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.models import Invitation, InvitationEvent
from tests.integration.recording_day import MONDAY, MORNING, SUKARAMI, called_ticket
from tests.integration.schedule_city import plan_city

CIPHER = BiometricCipher(os.urandom(32))
TEMPLATE = b"MINUTIAE-OF-THE-RIGHT-THUMB-" * 16


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


def _capture(
    runtime: Runtime,
    recording_id: int,
    modality: str = "r_thumb",
    quality: int = 80,
    *,
    key: str | None = None,
    image: bytes | None = None,
    template: bytes = TEMPLATE,
) -> desk.CaptureResult:
    with runtime.transaction() as session:
        return _add(
            session, recording_id, modality, quality, key=key, image=image, template=template
        )


def _add(
    session: Session,
    recording_id: int,
    modality: str,
    quality: int,
    *,
    key: str | None = None,
    image: bytes | None = None,
    template: bytes = TEMPLATE,
) -> desk.CaptureResult:
    return desk.add_capture(
        session=session,
        recording_id=recording_id,
        modality=modality,
        quality=quality,
        template=template,
        image=image,
        idempotency_key=key,
        now=MORNING,
        cipher=CIPHER,
    )


def _count(runtime: Runtime, model: type[object]) -> int:
    with runtime.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _complete_all(runtime: Runtime, recording_id: int, but: tuple[str, ...] = ()) -> None:
    for modality in rules.MODALITIES:
        if modality not in but:
            _capture(runtime, recording_id, modality, 90)


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
    assert _count(day, Recording) == 1


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
    assert _count(day, Recording) == 0


def test_templates_and_images_are_stored_only_encrypted(day: Runtime, started: int) -> None:
    image = b"\xff\xd8\xff\xe0JPEG-FACE-PHOTO" * 64
    result = _capture(day, started, "photo", 85, image=image)
    with day.transaction() as session:
        raw_template, raw_image = session.execute(
            text("SELECT template_encrypted, image_encrypted FROM captures WHERE id = :id"),
            {"id": result.capture_id},
        ).one()
    raw_template, raw_image = bytes(raw_template), bytes(raw_image)
    assert TEMPLATE[:28] not in raw_template and b"MINUTIAE" not in raw_template
    assert b"JPEG-FACE-PHOTO" not in raw_image
    assert (
        CIPHER.decrypt(raw_template, capture_context(started, "photo", 1, "template")) == TEMPLATE
    )
    assert CIPHER.decrypt(raw_image, capture_context(started, "photo", 1, "image")) == image


def test_a_retried_upload_with_the_same_key_returns_the_first_result_and_stores_nothing(
    day: Runtime, started: int
) -> None:
    first = _capture(day, started, "r_index", 30, key="dev-1-0001")
    again = _capture(day, started, "r_index", 30, key="dev-1-0001")
    assert (again.capture_id, again.attempt, again.accepted) == (first.capture_id, 1, False)
    assert (first.replayed, again.replayed) == (False, True)
    assert _count(day, Capture) == 1
    with pytest.raises(desk.DeskConflictError, match="already used for another capture"):
        _capture(day, started, "r_middle", 30, key="dev-1-0001")
    assert _count(day, Capture) == 1


def test_poor_captures_are_retaken_at_most_three_times(day: Runtime, started: int) -> None:
    results = [_capture(day, started, "l_thumb", 10) for _ in range(rules.MAX_ATTEMPTS)]
    assert [r.attempt for r in results] == [1, 2, 3, 4]
    assert [r.retakes_left for r in results] == [3, 2, 1, 0]
    assert not any(r.accepted for r in results)
    with pytest.raises(desk.DeskConflictError, match="none good enough; note an exception"):
        _capture(day, started, "l_thumb", 99)
    assert _count(day, Capture) == rules.MAX_ATTEMPTS


@pytest.mark.parametrize(
    ("modality", "quality", "image", "message"),
    [
        ("tongue", 80, None, "unknown modality 'tongue'"),
        ("r_thumb", 101, None, "quality 101 is outside 0-100"),
        ("r_thumb", -5, None, "quality -5 is outside 0-100"),
        ("photo", 80, b"x" * (rules.MAX_IMAGE_BYTES + 1), "at most 2097152"),
    ],
)
def test_a_bad_capture_is_refused_and_changes_nothing(
    day: Runtime, started: int, modality: str, quality: int, image: bytes | None, message: str
) -> None:
    with pytest.raises(desk.InvalidCaptureError, match=message):
        _capture(day, started, modality, quality, image=image, key="bad-1")
    assert _count(day, Capture) == 0


def test_completing_needs_every_modality_accepted_or_excepted(day: Runtime, started: int) -> None:
    _complete_all(day, started, but=("l_little", "r_iris"))
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
    _capture(day, started, "r_iris", 75)
    with day.transaction() as session:
        done = desk.complete_recording(
            session=session, recording_id=started, now=MORNING, by="camat"
        )
        assert done.status == "completed"
        assert desk_views.exceptions_of(done) == {"l_little": "jari hilang"}


def test_a_completed_recording_marks_the_ticket_recorded_and_the_invitation_attended(
    day: Runtime, started: int
) -> None:
    _complete_all(day, started)
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
            _add(session, started, "r_thumb", 90)


def test_the_database_refuses_a_second_completed_recording_of_a_resident(
    day: Runtime, started: int
) -> None:
    _complete_all(day, started)
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
    _complete_all(day, second_id)
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
    assert _count(day, ChangeRequest) == 1


def test_the_desk_finds_the_ticket_called_to_its_set(day: Runtime) -> None:
    with day.transaction() as session:
        ticket = called_ticket(session, SUKARAMI, 3)
        found = desk_views.desk_ticket(session=session, site_code=SUKARAMI, set_no=3)
        assert found is not None and found.id == ticket.id
        assert desk_views.desk_ticket(session=session, site_code=SUKARAMI, set_no=2) is None
        assert desk_views.site_kecamatan(session=session, site_code=SUKARAMI) == SUKARAMI
        assert desk_views.site_kecamatan(session=session, site_code="16.71.99") is None


def _at_once(runtime: Runtime, work: Callable[[Session], object]) -> list[object]:
    """Return what two threads doing ``work`` in their own transactions at once got: a result,
    or the error of a loser that the database refused (it must have changed nothing).
    """
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run() -> None:
        barrier.wait()
        try:
            with runtime.transaction() as session:
                outcomes.append(work(session))
        except Exception as error:
            outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_completes_at_once_take_effect_once(day: Runtime, started: int) -> None:
    _complete_all(day, started)

    def complete(session: Session) -> object:
        done = desk.complete_recording(session=session, recording_id=started, now=MORNING, by="c")
        return (done.id, done.status)

    outcomes = _at_once(day, complete)
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


def test_two_uploads_with_one_key_at_once_store_one_capture(day: Runtime, started: int) -> None:
    def upload(session: Session) -> object:
        return desk.add_capture(
            session=session,
            recording_id=started,
            modality="r_ring",
            quality=70,
            template=TEMPLATE,
            image=None,
            idempotency_key="retry-race",
            now=MORNING,
            cipher=CIPHER,
        ).capture_id

    outcomes = _at_once(day, upload)
    ids = {o for o in outcomes if isinstance(o, int)}
    assert len(ids) == 1, outcomes
    assert all(isinstance(o, int | DBAPIError) for o in outcomes), outcomes
    assert _count(day, Capture) == 1


def test_a_capture_after_another_desk_completed_the_recording_is_refused(
    day: Runtime, started: int, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(
            "SQLite takes the write lock at BEGIN IMMEDIATE: no other desk can complete the "
            "recording between this request's area check and its capture"
        )
    _complete_all(day, started, but=("l_iris",))
    with day.transaction() as session:
        # The request's area check loads the recording while it is still in progress...
        loaded = desk_views.get_recording(session=session, recording_id=started)
        assert loaded is not None and loaded.status == desk.IN_PROGRESS
        # ...another desk then takes the last capture and completes it...
        _capture(day, started, "l_iris", 90)
        with day.transaction() as other:
            desk.complete_recording(session=other, recording_id=started, now=MORNING, by="b")
        # ...so this capture, read again under the lock, must not be added.
        with pytest.raises(desk.DeskConflictError, match="completed"):
            _add(session, started, "l_iris", 95)

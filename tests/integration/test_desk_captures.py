"""Captures at the perekaman desk on SQLite and PostgreSQL: encrypted, idempotent, bounded
retakes, one at a time per recording.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ektp.recording import capture_rules as rules
from ektp.recording import desk, desk_rows, desk_views
from ektp.recording.crypto import capture_context
from ektp.recording.models import Capture
from ektp.runtime import Runtime
from tests.integration.desk_day import (
    CIPHER,
    TEMPLATE,
    add,
    at_once,
    capture,
    complete_all,
    count,
)
from tests.integration.recording_day import MORNING


def test_templates_and_images_are_stored_only_encrypted(day: Runtime, started: int) -> None:
    image = b"\xff\xd8\xff\xe0JPEG-FACE-PHOTO" * 64
    result = capture(day, started, "photo", 85, image=image)
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
    first = capture(day, started, "r_index", 30, key="dev-1-0001")
    again = capture(day, started, "r_index", 30, key="dev-1-0001")
    assert (again.capture_id, again.attempt, again.accepted) == (first.capture_id, 1, False)
    assert (first.replayed, again.replayed) == (False, True)
    assert count(day, Capture) == 1
    with pytest.raises(desk.DeskConflictError, match="already used for another capture"):
        capture(day, started, "r_middle", 30, key="dev-1-0001")
    assert count(day, Capture) == 1


def test_poor_captures_are_retaken_at_most_three_times(day: Runtime, started: int) -> None:
    results = [capture(day, started, "l_thumb", 10) for _ in range(rules.MAX_ATTEMPTS)]
    assert [r.attempt for r in results] == [1, 2, 3, 4]
    assert [r.retakes_left for r in results] == [3, 2, 1, 0]
    assert not any(r.accepted for r in results)
    with pytest.raises(desk.DeskConflictError, match="none good enough; note an exception"):
        capture(day, started, "l_thumb", 99)
    assert count(day, Capture) == rules.MAX_ATTEMPTS


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
        capture(day, started, modality, quality, image=image, key="bad-1")
    assert count(day, Capture) == 0


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

    outcomes = at_once(day, upload)
    ids = {o for o in outcomes if isinstance(o, int)}
    assert len(ids) == 1, outcomes
    assert all(isinstance(o, int | DBAPIError) for o in outcomes), outcomes
    assert count(day, Capture) == 1


def test_a_capture_after_another_desk_completed_the_recording_is_refused(
    day: Runtime, started: int, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(
            "SQLite takes the write lock at BEGIN IMMEDIATE: no other desk can complete the "
            "recording between this request's area check and its capture"
        )
    complete_all(day, started, but=("l_iris",))
    with day.transaction() as session:
        # The request's area check loads the recording while it is still in progress...
        loaded = desk_views.get_recording(session=session, recording_id=started)
        assert loaded is not None and loaded.status == desk.IN_PROGRESS
        # ...another desk then takes the last capture and completes it...
        capture(day, started, "l_iris", 90)
        with day.transaction() as other:
            desk.complete_recording(session=other, recording_id=started, now=MORNING, by="b")
        # ...so this capture, read again under the lock, must not be added.
        with pytest.raises(desk.DeskConflictError, match="completed"):
            add(session, started, "l_iris", 95)


def _statements_of(runtime: Runtime, work: Callable[[Session], object]) -> list[str]:
    """Return the SQL statements ``work`` sent in one transaction of its own."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    with runtime.transaction() as session:
        connection = session.connection()
        event.listen(connection, "before_cursor_execute", record)
        try:
            work(session)
        finally:
            event.remove(connection, "before_cursor_execute", record)
    return sent


def test_a_capture_locks_its_recording_once_and_finds_a_retry_among_its_captures(
    day: Runtime, started: int, database_url: str
) -> None:
    def area_check_then_capture(session: Session) -> None:
        # As the device API does: the area check reads the recording, then the service.
        assert desk_rows.recording_of(session, started, lock=True) is not None
        add(session, started, "photo", 90, key="photo-1")

    first = _statements_of(day, area_check_then_capture)
    retry = _statements_of(day, area_check_then_capture)
    locks = 1 if database_url.startswith("postgresql") else 0
    for sent in (first, retry):
        # Each transaction takes its own lock, once, whoever asks for the row.
        assert sum("FOR UPDATE" in statement for statement in sent) == locks
        assert not any("captures.idempotency_key =" in statement for statement in sent)
    assert count(day, Capture) == 1

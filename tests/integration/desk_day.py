"""Helpers of the perekaman desk tests: a cipher, a template, captures in their own
transaction or a given one, counts, and two transactions at once (the handover tests race
their desks with it too).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.recording import capture_rules as rules
from ektp.recording import desk
from ektp.recording.crypto import BiometricCipher
from ektp.runtime import Runtime
from tests.integration.recording_day import MORNING

CIPHER = BiometricCipher(os.urandom(32))
TEMPLATE = b"MINUTIAE-OF-THE-RIGHT-THUMB-" * 16


def capture(
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
        return add(
            session, recording_id, modality, quality, key=key, image=image, template=template
        )


def add(
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


def count(runtime: Runtime, model: type[object]) -> int:
    with runtime.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def complete_all(runtime: Runtime, recording_id: int, but: tuple[str, ...] = ()) -> None:
    for modality in rules.MODALITIES:
        if modality not in but:
            capture(runtime, recording_id, modality, 90)


def at_once(runtime: Runtime, work: Callable[[Session], object]) -> list[object]:
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

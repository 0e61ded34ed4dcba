"""The ``--fast`` way of the day simulator: the door and the sets through the services, one
transaction per step at the door and one per recording, with the timings and quality model
of ``simulator.SimulatedSet`` on the simulated clock.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Mapping
from typing import Any

from ektp.recording import capture_rules as rules
from ektp.recording.demo_days_desks import (
    FAILING_SECONDS,
    Arrival,
    CheckIn,
    SimClock,
    kecamatan_of,
    set_seed,
)
from ektp.recording.simulator import (
    MISSING_FINGER_SHARE,
    STEP_SECONDS,
    birth_year,
    captured_template,
    draw_quality,
)
from ektp.runtime import Runtime
from ektp.scheduling.campaigns import WIB


class ServiceDesk:
    """The door and the sets through the services, one transaction per step of the door and
    one per recording; the same models of time and quality as ``SimulatedSet``."""

    def __init__(
        self,
        runtime: Runtime,
        users: Mapping[str, str],
        sites: Mapping[str, str],
        clock: SimClock,
        seed: int,
    ) -> None:
        from ektp.recording.crypto import cipher_from_settings

        self._runtime = runtime
        self._users = users
        self._sites = sites
        self.clock = clock
        self._seed = seed
        self.cipher = cipher_from_settings(runtime.settings)
        self._rngs: dict[tuple[str, int, dt.date], random.Random] = {}

    @property
    def requests(self) -> int:
        """Return 0: the services are called directly."""
        return 0

    def _by(self, site_code: str) -> str:
        return self._users[kecamatan_of(site_code, self._sites)]

    def check_in(self, site_code: str, arrival: Arrival) -> CheckIn:
        """Return the ticket the door gave, or why it refused."""
        from ektp.recording import checkin

        try:
            with self._runtime.transaction() as session:
                result = checkin.check_in(
                    session=session,
                    site_code=site_code,
                    now=self.clock.now(),
                    by=self._by(site_code),
                    qr=arrival.qr,
                    nik=arrival.nik,
                )
        except checkin.CheckInRefused as refusal:
            return CheckIn(None, None, refusal.reason or "refused")
        return CheckIn(result.ticket_id, result.session_name, None)

    def call(self, site_code: str, set_no: int) -> int | None:
        """Return the ticket called to the set, or None when nobody waits."""
        from ektp.recording import checkin

        with self._runtime.transaction() as session:
            ticket = checkin.call_next(
                session=session,
                site_code=site_code,
                set_no=set_no,
                now=self.clock.now(),
                by=self._by(site_code),
            )
            return None if ticket is None else ticket.id

    def _rng(self, site_code: str, set_no: int) -> random.Random:
        day = self.clock.now().astimezone(WIB).date()
        key = (site_code, set_no, day)
        if key not in self._rngs:
            self._rngs = {k: v for k, v in self._rngs.items() if k[2] == day}
            self._rngs[key] = random.Random(set_seed(self._seed, site_code, set_no, day))
        return self._rngs[key]

    def record(self, site_code: str, set_no: int, ticket_id: int, *, pace: float) -> bool:
        """Return whether the set recorded the ticket's resident (False: the recording failed)."""
        from ektp.recording import desk
        from ektp.residents.models import Resident

        rng, by = self._rng(site_code, set_no), self._by(site_code)
        with self._runtime.transaction() as session:
            recording = desk.start_recording(
                session=session, ticket_id=ticket_id, set_no=set_no, now=self.clock.now(), by=by
            )
            resident = session.get(Resident, recording.resident_id)
            assert resident is not None
            step = _Step(session, recording.id, resident.nik, rng, pace, by, self)
            step.wait("verify")
            missing = rng.choice(rules.FINGERS) if rng.random() < MISSING_FINGER_SHARE else None
            for modality in rules.MODALITIES:
                if modality == missing:
                    step.note(modality, "jari tidak ada (amputasi)")
                elif not step.capture(modality):
                    reason = f"mutu rendah setelah {rules.MAX_ATTEMPTS} kali pengambilan"
                    if modality in rules.NOT_EXCEPTABLE:
                        desk.fail_recording(
                            session=session,
                            recording_id=recording.id,
                            reason=reason,
                            now=self.clock.now(),
                            by=by,
                        )
                        return False
                    step.note(modality, reason)
            step.wait("complete")
            desk.complete_recording(
                session=session, recording_id=recording.id, now=self.clock.now(), by=by
            )
        return True

    def fail(self, site_code: str, set_no: int, ticket_id: int, *, reason: str) -> None:
        """Start the ticket's recording, struggle for a while, then fail it for ``reason``."""
        from ektp.recording import desk

        by = self._by(site_code)
        with self._runtime.transaction() as session:
            recording = desk.start_recording(
                session=session, ticket_id=ticket_id, set_no=set_no, now=self.clock.now(), by=by
            )
            self.clock.sleep(FAILING_SECONDS)
            desk.fail_recording(
                session=session,
                recording_id=recording.id,
                reason=reason,
                now=self.clock.now(),
                by=by,
            )


class _Step:
    """The steps of one recording at a set, through the desk services."""

    def __init__(
        self,
        session: Any,
        recording_id: int,
        nik: str,
        rng: random.Random,
        pace: float,
        by: str,
        owner: ServiceDesk,
    ) -> None:
        self.session = session
        self.recording_id = recording_id
        self.nik = nik
        self.rng = rng
        self.pace = pace
        self.by = by
        self.owner = owner
        year = birth_year(nik)
        self.age = None if year is None else 2011 - year

    def wait(self, step: str) -> None:
        """Let the step's time pass (the simulator's mean, +-25 %, at the site's pace)."""
        seconds = STEP_SECONDS[step] * self.rng.uniform(0.75, 1.25) / max(self.pace, 1e-6)
        self.owner.clock.sleep(seconds)

    def note(self, modality: str, reason: str) -> None:
        """Note that ``modality`` cannot be given, and why."""
        from ektp.recording import desk

        desk.note_exception(
            session=self.session,
            recording_id=self.recording_id,
            modality=modality,
            reason=reason,
            by=self.by,
        )

    def capture(self, modality: str) -> bool:
        """Return whether a capture of ``modality`` was accepted within the retakes."""
        from ektp.recording import desk

        images = (rules.PHOTO, rules.SIGNATURE)
        for attempt in range(1, rules.MAX_ATTEMPTS + 1):
            self.wait(modality)
            result = desk.add_capture(
                session=self.session,
                recording_id=self.recording_id,
                modality=modality,
                quality=draw_quality(modality, self.rng, attempt=attempt, age=self.age),
                template=captured_template(self.nik, modality, self.rng),
                image=self.rng.randbytes(4096) if modality in images else None,
                idempotency_key=secrets.token_hex(16),
                now=self.owner.clock.now(),
                cipher=self.owner.cipher,
            )
            if result.accepted:
                return True
        return False

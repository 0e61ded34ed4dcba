"""A simulated recording set: drives the device API the way a real set and its operator do.

For each resident called to the set it starts the recording, captures the fourteen
modalities with realistic timings and quality scores (retaking the poor ones, noting an
exception for a missing finger or one that stays unreadable), then completes. The timings
are scaled by ``speed`` (10 = ten times faster than real life).

Templates are stable per person: each modality's template is an HMAC-SHA256 expansion of the
resident's NIK to 512 bytes, with a few bits flipped per capture as sensor noise. The same
person recorded twice thus gives templates that agree on about 99 % of their bits, two
people on about 50 %: enough for a later deduplication to find the double.

The HTTP side is a small ``Transport`` (urllib by default, so the shipped command needs no
extra dependency); any client with ``request(method, url, json=, headers=)`` returning an
object with ``status_code``, ``json()`` and ``headers`` (httpx, Starlette's TestClient) can
be wrapped with ``ClientTransport`` to run in-process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ektp.recording import capture_rules as rules

TEMPLATE_BYTES = 512
_TEMPLATE_KEY = b"ektp-simulated-biometrics-v1"
NOISE_BITS = 40
"""Bits flipped per capture (of 4096): about 1 %, the jitter of a real re-capture."""

# Seconds each step takes a real operator (mean); each draw varies by +-25 %.
STEP_SECONDS: dict[str, float] = {
    "verify": 40.0,
    rules.PHOTO: 15.0,
    rules.SIGNATURE: 12.0,
    **{finger: 7.0 for finger in rules.FINGERS},
    **{iris: 12.0 for iris in rules.IRISES},
    "complete": 5.0,
}
# Mean and spread of the quality score per modality on a first take.
QUALITY_MODEL: dict[str, tuple[float, float]] = {
    rules.PHOTO: (80.0, 8.0),
    rules.SIGNATURE: (75.0, 10.0),
    **{finger: (68.0, 14.0) for finger in rules.FINGERS},
    **{iris: (78.0, 10.0) for iris in rules.IRISES},
}
RETAKE_GAIN = 8.0
"""A retake is better on average: the operator cleans the finger, the resident keeps still."""
MISSING_FINGER_SHARE = 0.004


class Transport(Protocol):
    """Sends one JSON request to the server and returns (status, body, headers)."""

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]: ...


class DeviceApiError(RuntimeError):
    """Raised when the server refuses a step the simulator cannot work around."""


class UrllibTransport:
    """Talks to a server over HTTP with the standard library, with a Bearer token."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"UrllibTransport({self.base_url!r}, token=<hidden>)"

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        """Return the answer's status, decoded JSON body (None if empty) and headers."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None, dict(answer.headers)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = {"detail": raw.decode("utf-8", "replace")[:200]}
            return error.code, payload, dict(error.headers)


class ClientTransport:
    """Wraps an httpx-style client (httpx.Client, Starlette's TestClient) for in-process runs."""

    def __init__(self, client: Any, token: str | None = None, prefix: str = "") -> None:
        self._client = client
        self._token = token
        self.prefix = prefix

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        """Return the answer's status, decoded JSON body (None if empty) and headers."""
        sent = dict(headers)
        if self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        answer = self._client.request(method, self.prefix + path, json=body, headers=sent)
        content = answer.content
        return answer.status_code, answer.json() if content else None, dict(answer.headers)


def stable_template(nik: str, modality: str) -> bytes:
    """Return the noise-free template of ``modality`` for the resident ``nik`` (512 bytes)."""
    blocks = [
        hmac.new(_TEMPLATE_KEY, f"{nik}/{modality}/{index}".encode(), hashlib.sha256).digest()
        for index in range(TEMPLATE_BYTES // 32)
    ]
    return b"".join(blocks)


def captured_template(nik: str, modality: str, rng: random.Random) -> bytes:
    """Return the person's stable template with ``NOISE_BITS`` random bits flipped."""
    template = bytearray(stable_template(nik, modality))
    for bit in rng.sample(range(TEMPLATE_BYTES * 8), NOISE_BITS):
        template[bit // 8] ^= 1 << (bit % 8)
    return bytes(template)


def birth_year(nik: str, today_year: int = 2011) -> int | None:
    """Return the birth year the NIK encodes (YY read as the latest year not after
    ``today_year``, by default the year of the Palembang scenario), or None for a bad NIK.
    """
    if len(nik) != 16 or not nik.isdigit():
        return None
    year = int(nik[10:12])
    century = (today_year // 100) * 100
    return century + year if century + year <= today_year else century - 100 + year


def draw_quality(modality: str, rng: random.Random, *, attempt: int, age: int | None) -> int:
    """Return a quality score as a device would report it, 0-100."""
    mean, spread = QUALITY_MODEL[modality]
    if modality in rules.FINGERS:
        # Worn ridges: fingerprints of older residents read worse; thumbs are wide and read well.
        mean -= max((age or 40) - 50, 0) * 0.4
        mean += 5.0 if modality.endswith("thumb") else -6.0 if modality.endswith("little") else 0.0
    mean += RETAKE_GAIN * (attempt - 1)
    return max(rules.QUALITY_MIN, min(rules.QUALITY_MAX, round(rng.gauss(mean, spread))))


@dataclass
class SimulationReport:
    """What a simulated set did: residents recorded and failed, captures, retakes, exceptions."""

    recorded: int = 0
    failed: int = 0
    captures: int = 0
    retakes: int = 0
    exceptions: int = 0
    seconds: list[float] = field(default_factory=list)

    @property
    def people(self) -> int:
        """Return how many residents the set handled."""
        return self.recorded + self.failed


@dataclass(frozen=True)
class SetConfig:
    """Which set the simulator is, how many people it takes, how fast it runs."""

    site_code: str
    set_no: int
    people: int | None = None
    speed: float = 1.0
    seed: int = 2011
    idle_timeout: float = 60.0
    poll_seconds: float = 2.0
    retries: int = 3


class SimulatedSet:
    """One recording set and its operator, talking to the device API through a transport."""

    def __init__(
        self,
        transport: Transport,
        config: SetConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.transport = transport
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._say = say or (lambda _line: None)
        self._rng = random.Random(f"{config.seed}/{config.site_code}/{config.set_no}")

    def _wait(self, seconds: float) -> None:
        jittered = seconds * self._rng.uniform(0.75, 1.25)
        self._sleep(jittered / max(self.config.speed, 1e-6))

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, key: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        for attempt in range(self.config.retries + 1):
            try:
                status, payload, _ = self.transport.send(method, path, body, headers)
            except (OSError, urllib.error.URLError):
                status, payload = 599, None
            # A lost answer or a server hiccup: send again, the same key makes it harmless.
            if status < 500 or attempt == self.config.retries:
                return status, payload
            self._sleep(0.2 * (attempt + 1))
        return 599, None

    def _ok(self, status: int, payload: Any, step: str) -> Any:
        if status == 599:
            raise DeviceApiError(f"{step}: no answer from the server")
        if status >= 400:
            detail = payload.get("detail") if isinstance(payload, dict) else payload
            raise DeviceApiError(f"{step}: HTTP {status}: {detail}")
        return payload

    def next_ticket(self) -> dict[str, Any] | None:
        """Return the desk view of the next resident at this set, waiting up to idle_timeout."""
        body = {"site_code": self.config.site_code, "set_no": self.config.set_no}
        deadline = self._clock() + self.config.idle_timeout
        while True:
            view = self._ok(*self._call("POST", "/api/v1/recording/next", body), "next")
            if view.get("ticket_id") is not None:
                return dict(view)
            if self._clock() >= deadline:
                return None
            self._sleep(self.config.poll_seconds / max(self.config.speed, 1.0))

    def run(self) -> SimulationReport:
        """Return the report after recording residents until ``people`` or an idle queue."""
        report = SimulationReport()
        while self.config.people is None or report.people < self.config.people:
            view = self.next_ticket()
            if view is None:
                break
            started = self._clock()
            outcome = self.record(int(view["ticket_id"]), report)
            report.seconds.append(self._clock() - started)
            self._say(f"set {self.config.set_no}: no. {view['number']} {outcome}")
        return report

    def record(self, ticket_id: int, report: SimulationReport) -> str:
        """Return 'recorded' or 'failed' after taking one resident through every step."""
        start = {"ticket_id": ticket_id, "set_no": self.config.set_no}
        recording = self._ok(*self._call("POST", "/api/v1/recording/start", start), "start")
        recording_id = int(recording["id"])
        nik = str(recording["resident"]["nik"])
        year = birth_year(nik)
        age = None if year is None else 2011 - year
        self._wait(STEP_SECONDS["verify"])
        done = {
            item["modality"]
            for item in recording["modalities"]
            if item["status"] in (rules.ACCEPTED, rules.EXCEPTED)
        }
        missing_finger = (
            self._rng.choice(rules.FINGERS) if self._rng.random() < MISSING_FINGER_SHARE else None
        )
        for modality in rules.MODALITIES:
            if modality in done:
                continue
            if modality == missing_finger:
                self._except(recording_id, modality, "jari tidak ada (amputasi)", report)
                continue
            if not self._capture_until_good(recording_id, nik, modality, age, report):
                if modality in rules.NOT_EXCEPTABLE:
                    reason = f"{modality} tidak memenuhi mutu setelah {rules.MAX_ATTEMPTS} kali"
                    path = f"/api/v1/recording/{recording_id}/fail"
                    self._ok(*self._call("POST", path, {"reason": reason}), "fail")
                    report.failed += 1
                    return "failed"
                reason = f"mutu rendah setelah {rules.MAX_ATTEMPTS} kali pengambilan"
                self._except(recording_id, modality, reason, report)
        self._wait(STEP_SECONDS["complete"])
        path = f"/api/v1/recording/{recording_id}/complete"
        self._ok(*self._call("POST", path), "complete")
        report.recorded += 1
        return "recorded"

    def _except(
        self, recording_id: int, modality: str, reason: str, report: SimulationReport
    ) -> None:
        path = f"/api/v1/recording/{recording_id}/exceptions"
        self._ok(*self._call("POST", path, {"modality": modality, "reason": reason}), "exception")
        report.exceptions += 1

    def _capture_until_good(
        self, recording_id: int, nik: str, modality: str, age: int | None, report: SimulationReport
    ) -> bool:
        """Return whether a capture of ``modality`` was accepted within the allowed retakes."""
        path = f"/api/v1/recording/{recording_id}/captures"
        for attempt in range(1, rules.MAX_ATTEMPTS + 1):
            self._wait(STEP_SECONDS[modality])
            body: dict[str, Any] = {
                "modality": modality,
                "quality": draw_quality(modality, self._rng, attempt=attempt, age=age),
                "template_b64": base64.b64encode(
                    captured_template(nik, modality, self._rng)
                ).decode("ascii"),
            }
            if modality in (rules.PHOTO, rules.SIGNATURE):
                body["image_b64"] = base64.b64encode(self._rng.randbytes(4096)).decode("ascii")
            key = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
            status, payload = self._call("POST", path, body, key=key)
            if status == 409:
                # Someone at the desk settled it (accepted, excepted) or its retakes ran out.
                return self._settled(recording_id, modality)
            result = self._ok(status, payload, f"capture {modality}")
            report.captures += 1
            if attempt > 1:
                report.retakes += 1
            if result["accepted"]:
                return True
        return False

    def _settled(self, recording_id: int, modality: str) -> bool:
        path = f"/api/v1/recording/{recording_id}"
        view = self._ok(*self._call("GET", path), "reload")
        states = {item["modality"]: item["status"] for item in view["modalities"]}
        return states.get(modality) in (rules.ACCEPTED, rules.EXCEPTED)

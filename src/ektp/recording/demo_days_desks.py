"""The two ways the day simulator works the door and the sets: through the HTTP API in-process
(the default, as real sets would) or by calling the services directly (``--fast``).

Both run on a simulated clock: the API is told the time through the queue API's ``clock``
dependency, the services get it as ``now``. Each kecamatan's sets use the API token of a
system operator account of that kecamatan (``perekam.<kode>``, created when missing, with a
random password nobody knows); the tokens are revoked when the simulation ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from ektp.auth import service as auth_service
from ektp.auth import tokens
from ektp.recording.simulator import (
    ClientTransport,
    SetConfig,
    SimulatedSet,
    SimulationReport,
)
from ektp.runtime import Runtime
from ektp.scheduling.campaigns import WIB

ACCOUNT_PREFIX = "perekam."
BASE_URL = "http://simulasi.local"
FAILING_SECONDS = 150.0
"""How long a set struggles with a recording that fails (a device error, an unreadable card)."""
REFUSED = (404, 409, 422)
"""Statuses of a refused check-in (unknown, reserve full, wrong code): the resident leaves."""


class SimulationError(RuntimeError):
    """Raised when the API answers the simulator in a way no real day should see."""


class SimClock:
    """The simulated time: set by the event loop, advanced by each step of a recording."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def now(self) -> dt.datetime:
        """Return the simulated moment (UTC)."""
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        """Move the clock to ``moment``."""
        self.moment = moment

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        self.moment += dt.timedelta(seconds=seconds)

    def monotonic(self) -> float:
        """Return the simulated moment in seconds, for timings."""
        return self.moment.timestamp()


@dataclass(frozen=True)
class Arrival:
    """A resident at the door: with the letter's QR, or (walk-ins) only a NIK."""

    qr: str | None
    nik: str | None


@dataclass(frozen=True)
class CheckIn:
    """The door's answer: a ticket and its session, or the reason of a refusal."""

    ticket_id: int | None
    session: str | None
    refused: str | None


class DeskBackend(Protocol):
    """The door and the sets as the simulator drives them."""

    @property
    def requests(self) -> int:
        """Return how many HTTP requests were sent (0 through the services)."""
        ...

    def check_in(self, site_code: str, arrival: Arrival) -> CheckIn: ...

    def call(self, site_code: str, set_no: int) -> int | None: ...

    def record(self, site_code: str, set_no: int, ticket_id: int, *, pace: float) -> bool: ...

    def fail(self, site_code: str, set_no: int, ticket_id: int, *, reason: str) -> None: ...


def kecamatan_of(site_code: str, sites: Mapping[str, str]) -> str:
    """Return the kecamatan of a site (its operator's account works there)."""
    return sites.get(site_code, site_code[:8])


def set_seed(seed: int, site_code: str, set_no: int, day: dt.date) -> int:
    """Return the seed of one set's draws on one day (the same every run)."""
    return random.Random(f"{seed}/{site_code}/{set_no}/{day.isoformat()}").getrandbits(31)


class _InProcessClient:
    """An httpx-style synchronous client that sends requests to the ASGI app in-process."""

    def __init__(self, app: Any) -> None:
        import httpx

        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
        self.requests = 0

    def request(
        self, method: str, url: str, *, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        """Return the app's answer to one request."""
        self.requests += 1
        call = self._client.request(method, url, json=json, headers=dict(headers or {}))
        return self._loop.run_until_complete(call)

    def close(self) -> None:
        """Close the client and its event loop."""
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


class HttpDesk:
    """The door and the sets through the JSON API: check-in, next, and ``SimulatedSet``."""

    def __init__(
        self,
        client: _InProcessClient,
        tokens_by_kecamatan: Mapping[str, str],
        sites: Mapping[str, str],
        clock: SimClock,
        seed: int,
    ) -> None:
        self._client = client
        self._transports = {
            kecamatan: ClientTransport(client, token=token)
            for kecamatan, token in tokens_by_kecamatan.items()
        }
        self._sites = sites
        self._clock = clock
        self._seed = seed
        self._sets: dict[tuple[str, int, dt.date], SimulatedSet] = {}

    @property
    def requests(self) -> int:
        """Return how many HTTP requests were sent."""
        return self._client.requests

    def _send(self, site_code: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        transport = self._transports[kecamatan_of(site_code, self._sites)]
        status, payload, _ = transport.send("POST", path, body, {})
        return status, payload

    def check_in(self, site_code: str, arrival: Arrival) -> CheckIn:
        """Return the ticket the door gave, or why it refused."""
        body: dict[str, Any] = {"site": site_code}
        body.update({"qr": arrival.qr} if arrival.qr else {"nik": arrival.nik})
        status, payload = self._send(site_code, "/api/v1/recording/checkin", body)
        if status == 200:
            return CheckIn(int(payload["ticket_id"]), str(payload["session_name"]), None)
        if status in REFUSED and isinstance(payload, dict):
            return CheckIn(None, None, str(payload.get("reason") or status))
        raise SimulationError(f"check-in at {site_code}: HTTP {status}: {payload}")

    def call(self, site_code: str, set_no: int) -> int | None:
        """Return the ticket now at the set (calling the next number), or None."""
        body = {"site_code": site_code, "set_no": set_no}
        status, payload = self._send(site_code, "/api/v1/recording/next", body)
        if status != 200:
            raise SimulationError(f"next at {site_code} set {set_no}: HTTP {status}: {payload}")
        ticket = payload.get("ticket_id")
        return None if ticket is None else int(ticket)

    def record(self, site_code: str, set_no: int, ticket_id: int, *, pace: float) -> bool:
        """Return whether the set recorded the ticket's resident (False: the recording failed)."""
        day = self._clock.now().astimezone(WIB).date()
        key = (site_code, set_no, day)
        device = self._sets.get(key)
        if device is None:
            config = SetConfig(
                site_code=site_code,
                set_no=set_no,
                speed=pace,
                seed=set_seed(self._seed, site_code, set_no, day),
            )
            transport = self._transports[kecamatan_of(site_code, self._sites)]
            device = SimulatedSet(
                transport, config, sleep=self._clock.sleep, clock=self._clock.monotonic
            )
            self._sets = {k: v for k, v in self._sets.items() if k[2] == day}
            self._sets[key] = device
        return device.record(ticket_id, SimulationReport()) == "recorded"

    def fail(self, site_code: str, set_no: int, ticket_id: int, *, reason: str) -> None:
        """Start the ticket's recording, struggle for a while, then fail it for ``reason``."""
        body = {"ticket_id": ticket_id, "set_no": set_no}
        status, payload = self._send(site_code, "/api/v1/recording/start", body)
        if status != 200:
            raise SimulationError(f"start at {site_code} set {set_no}: HTTP {status}: {payload}")
        self._clock.sleep(FAILING_SECONDS)
        path = f"/api/v1/recording/{int(payload['id'])}/fail"
        status, payload = self._send(site_code, path, {"reason": reason})
        if status != 200:
            raise SimulationError(f"fail at {site_code} set {set_no}: HTTP {status}: {payload}")


@dataclass(frozen=True)
class Operators:
    """The simulator's accounts: per kecamatan, the username and its API token."""

    usernames: dict[str, str]
    tokens: dict[str, str]
    token_name: str


def simulation_accounts(runtime: Runtime, kecamatan: list[str]) -> Operators:
    """Return an operator account per kecamatan (created when missing) with a fresh token."""
    now = dt.datetime.now(dt.UTC)
    name = f"simulasi {secrets.token_hex(4)}"
    usernames: dict[str, str] = {}
    issued: dict[str, str] = {}
    with runtime.transaction() as session:
        for kode in sorted(set(kecamatan)):
            username = ACCOUNT_PREFIX + kode.replace(".", "")
            user = auth_service.get_user(session=session, username=username)
            if user is None:
                user = auth_service.create_user(
                    session=session,
                    username=username,
                    full_name=f"Perekam simulasi {kode}",
                    role="operator_kecamatan",
                    area_kode=kode,
                    password=secrets.token_urlsafe(24),
                    now=now,
                )
            usernames[kode] = username
            issued[kode] = tokens.create_token(session=session, user=user, name=name, now=now)
    return Operators(usernames=usernames, tokens=issued, token_name=name)


def _revoke(runtime: Runtime, operators: Operators) -> None:
    now = dt.datetime.now(dt.UTC)
    with runtime.transaction() as session:
        for username in operators.usernames.values():
            user = auth_service.get_user(session=session, username=username)
            if user is not None:
                tokens.revoke_token(session=session, user=user, name=operators.token_name, now=now)


@contextmanager
def open_backend(
    runtime: Runtime,
    clock: SimClock,
    operators: Operators,
    *,
    sites: Mapping[str, str],
    fast: bool,
    seed: int,
) -> Iterator[DeskBackend]:
    """Yield the backend of the simulation: the in-process API (default) or the services."""
    if fast:
        from ektp.recording.demo_days_services import ServiceDesk

        try:
            yield ServiceDesk(runtime, operators.usernames, sites, clock, seed)
        finally:
            _revoke(runtime, operators)
        return
    from ektp.app import create_app
    from ektp.recording import queue_api

    app = create_app(runtime.settings, runtime=runtime)
    app.dependency_overrides[queue_api.clock] = clock.now
    client = _InProcessClient(app)
    try:
        yield HttpDesk(client, operators.tokens, sites, clock, seed)
    finally:
        client.close()
        _revoke(runtime, operators)

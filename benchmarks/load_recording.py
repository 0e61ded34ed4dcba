"""Load-test the recording day: 16 sites x 3 sets recording at once against ``ektp serve``.

Palembang's real peak, and the load this script drives (``--factor``, default 10 times it):

* the report has Ilir Barat II serving "over 380" wajib KTP a day with its sets, the service
  running from 08:00 to 20:00 (about 11 hours of sessions); all 16 kecamatan at that pace are
  16 x 380 = 6,080 residents a day, 553 an hour; the evening rush (the busiest hours, 1.5 times
  the mean in the day simulator's arrival curve) makes a peak of about 830 residents an hour,
  0.23 a second;
* each resident is about 19 requests: check-in, call-next, start, 14 captures plus about one
  retake, complete: 4.4 requests/s of recording at the peak;
* each site's waiting-room screen and operator board refresh every 5 s: 16 x 2 / 5 = 6.4
  requests/s; the Dinas and the observers reload the daily report and the plan now and then.

So the real peak is about 11 requests/s, and 10 times it (ten Palembangs, or a province on
one server) about 110 requests/s: 2.3 residents/s, each of the 48 sets taking a resident
every ~21 s instead of every ~3 minutes, 320 screens refreshing every 5 s, 10 dashboards.

The script, against a database URL given with ``--db`` (a throwaway copy: it adds sets so
that each site has ``--sets``, and it checks residents in and records them):

1. prepares the city when the database is empty (``--prepare-scale``: regions, synthetic
   residents, the palembang-2011 campaign, its plan);
2. creates an operator account per kecamatan and a Dinas account, with one API token per
   device (door, set, screen, dashboard), as an office would;
3. starts ``ektp serve`` on a free 127.0.0.1 port in a child process;
4. for ``--duration`` seconds runs, with one async aiohttp client: a door per site checking the
   day's invitees in by their letters' QR, each set calling, starting, capturing (templates
   stable per person, as ``ektp devices simulate`` sends them) and completing at its pace,
   the screens and the dashboards;
5. prints requests/s held and p50/p95/p99 per operation, and every error.

    .venv/bin/python benchmarks/load_recording.py --db sqlite:///var/load.sqlite3 --duration 60
    .venv/bin/python benchmarks/load_recording.py --db postgresql://postgres@127.0.0.1/load \\
        --factor 10 --duration 120
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import uvloop
from sqlalchemy import select

from ektp.auth import service as auth_service
from ektp.auth import tokens
from ektp.recording import capture_rules as rules
from ektp.recording.crypto import new_key
from ektp.recording.demo_days import ensure_campaign
from ektp.recording.simulator import captured_template, draw_quality
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.models import LIVE_STATUSES, Invitation
from ektp.settings import Settings
from ektp.sites import service as sites_service

ENTRY = "from ektp.cli import main; main()"
PEAK_RESIDENTS_PER_SECOND = 16 * 380 / 11 / 3600 * 1.5
"""Palembang's evening peak: 16 kecamatan x 380 a day over 11 hours, 1.5 times the mean."""
SCREEN_SECONDS = 5.0
SCREENS_PER_SITE = 2
DASHBOARD_SECONDS = 10.0
DASHBOARDS = 1
GOAL_P95_MS = 150.0
OPERATIONS = ("checkin", "call-next", "start", "capture", "complete", "queue screen", "dashboard")


@dataclass
class Stats:
    """Latencies per operation and the errors seen."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    residents: int = 0

    def error(self, operation: str, status: int, detail: Any) -> None:
        """Count an error; keep the first few for the report."""
        self.errors[operation] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{operation}: HTTP {status}: {str(detail)[:160]}")


def parse_arguments() -> argparse.Namespace:
    """Return the command line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="Database URL (a throwaway copy).")
    parser.add_argument(
        "--prepare-scale",
        type=float,
        default=0.02,
        help="Scale of the city generated when the database is empty.",
    )
    parser.add_argument("--factor", type=float, default=10.0, help="Times Palembang's peak.")
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of load.")
    parser.add_argument("--sites", type=int, default=16, help="Sites working (at most 16).")
    parser.add_argument("--sets", type=int, default=3, help="Sets recording per site.")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="Stop after this many requests, whatever the duration.",
    )
    parser.add_argument("--seed", type=int, default=2011)
    parser.add_argument(
        "--workers", type=int, default=1, help="Server processes (ektp serve --workers)."
    )
    return parser.parse_args()


def free_port() -> int:
    """Return a TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, key: str, workers: int = 1) -> subprocess.Popen[bytes]:
    """Start ``ektp serve`` and return the process once it answers."""
    env = {**os.environ, "EKTP_BIOMETRIC_KEY": key, "EKTP_SECRET_KEY": secrets.token_hex(16)}
    command = [sys.executable, "-c", ENTRY, "--db", url, "serve", "--port", str(port)]
    # Its own process group: stopping the server stops its worker processes too.
    server = subprocess.Popen(
        [*command, "--workers", str(workers)], env=env, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"ektp serve exited with status {server.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1.0)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("ektp serve did not answer within 60 s")


def prepare(
    runtime: Runtime, scale: float, sites: int, sets: int
) -> tuple[dt.date, dict[str, str]]:
    """Return the campaign's first day and the sites used (code -> kecamatan), the city
    prepared and each site given ``sets`` working sets from that day."""
    from ektp.demo import DEMO_CITY, DEMO_EDITION, DEMO_SCENARIO
    from ektp.regions import service as regions_service
    from ektp.residents.models import Resident
    from ektp.residents.synthetic import run_generate
    from ektp.storage.migrate import upgrade

    upgrade(runtime.engine)
    with runtime.transaction() as session:
        if regions_service.loaded_edition(session=session, city=DEMO_CITY) is None:
            regions_service.load_city(session=session, city=DEMO_CITY, edition=DEMO_EDITION)
        empty = session.scalar(select(Resident.id).limit(1)) is None
    if empty:
        print(f"generating a city at scale {scale}...", flush=True)
        run_generate(
            runtime=runtime,
            city=DEMO_CITY,
            edition=DEMO_EDITION,
            scenario=DEMO_SCENARIO,
            scale=scale,
            seed=7,
            out=None,
        )
    ensure_campaign(runtime, say=print)
    now = dt.datetime.now(dt.UTC)
    with runtime.transaction() as session:
        campaign = scheduling.require_campaign(session=session)
        day = campaign.start
        chosen = sites_service.list_sites(session=session, day=day)[:sites]
        for site in chosen:
            if site.sets < sets:
                sites_service.change_sets(
                    session=session,
                    site_code=site.code,
                    tanggal=day,
                    change=sets - site.sets,
                    reason="added",
                    now=now,
                    by="load-test",
                    note="load test",
                )
        return day, {site.code: site.kecamatan for site in chosen}


def invitees(runtime: Runtime, day: dt.date, site_code: str) -> list[str]:
    """Return the QR payloads of the site's live turns on ``day``, in session order."""
    with runtime.transaction() as session:
        rows = session.execute(
            select(Invitation.id, Invitation.attendance_code)
            .where(
                Invitation.site_code == site_code,
                Invitation.tanggal == day,
                Invitation.status.in_(LIVE_STATUSES),
            )
            .order_by(Invitation.session, Invitation.id)
        ).all()
    return [f"EKTP:{invitation}:{code}" for invitation, code in rows]


@dataclass(frozen=True)
class Devices:
    """One API token per device, as in an office: each door, set, screen and dashboard."""

    doors: dict[str, str]
    sets: dict[tuple[str, int], str]
    screens: list[str]
    dashboards: list[str]


def _account(session: Any, username: str, role: str, area: str) -> Any:
    user = auth_service.get_user(session=session, username=username)
    if user is None:
        user = auth_service.create_user(
            session=session,
            username=username,
            full_name=f"Load test {username}",
            role=role,
            area_kode=area,
            password=secrets.token_urlsafe(24),
        )
    return user


def device_tokens(
    runtime: Runtime, sites: dict[str, str], sets: int, screens: int, dashboards: int
) -> Devices:
    """Return fresh tokens of the kecamatan operators (doors, sets) and of the Dinas (screens,
    dashboards).

    Separate tokens matter: a token's ``last_used_at`` is written at most every 5 minutes,
    and requests sharing one token wait on that row when it is.
    """
    now = dt.datetime.now(dt.UTC)
    run = secrets.token_hex(3)

    def token(user: Any, name: str) -> str:
        return tokens.create_token(session=session, user=user, name=f"{name} {run}", now=now)

    with runtime.transaction() as session:
        dinas = _account(session, "load.dinas", "admin_kota", "16.71")
        doors: dict[str, str] = {}
        set_tokens: dict[tuple[str, int], str] = {}
        for site, kecamatan in sites.items():
            operator = _account(
                session, "load." + kecamatan.replace(".", ""), "operator_kecamatan", kecamatan
            )
            doors[site] = token(operator, f"door {site}")
            for number in range(1, sets + 1):
                set_tokens[(site, number)] = token(operator, f"set {site}/{number}")
        return Devices(
            doors=doors,
            sets=set_tokens,
            screens=[token(dinas, f"screen {index}") for index in range(screens)],
            dashboards=[token(dinas, f"dashboard {index}") for index in range(dashboards)],
        )


class Load:
    """The load: doors, sets, screens and dashboards sharing one client until the deadline."""

    def __init__(
        self,
        client: aiohttp.ClientSession,
        stats: Stats,
        deadline: float,
        max_requests: int,
        seed: int,
    ) -> None:
        self.client = client
        self.stats = stats
        self.deadline = deadline
        self.max_requests = max_requests
        self.sent = 0
        self.seed = seed

    def running(self) -> bool:
        """Return whether there is time and budget left."""
        return time.monotonic() < self.deadline and self.sent < self.max_requests

    async def pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or until the deadline if that comes first."""
        await asyncio.sleep(max(0.0, min(seconds, self.deadline - time.monotonic())))

    async def call(
        self,
        operation: str,
        method: str,
        url: str,
        token: str,
        ok: tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> Any:
        """Return the JSON answer of one timed request (None on an error, which is counted)."""
        self.sent += 1
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        started = time.perf_counter()
        try:
            async with self.client.request(method, url, headers=headers, **kwargs) as answer:
                content = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            self.stats.error(operation, 599, repr(error))
            return None
        self.stats.latencies[operation].append((time.perf_counter() - started) * 1000)
        if answer.status not in ok:
            self.stats.error(operation, answer.status, content.decode(errors="replace"))
            return None
        return json.loads(content) if content and "json" in answer.content_type else {}

    async def door(self, site: str, token: str, arrivals: list[str], interval: float) -> None:
        """Check the site's invitees in, one every ``interval`` seconds (doors start apart)."""
        await self.pause(random.Random(f"{self.seed}/{site}").uniform(0, interval))
        for qr in arrivals:
            if not self.running():
                return
            started = time.monotonic()
            await self.call(
                "checkin", "POST", "/api/v1/recording/checkin", token, json={"site": site, "qr": qr}
            )
            await self.pause(interval - (time.monotonic() - started))

    async def set_loop(self, site: str, set_no: int, token: str, interval: float) -> None:
        """Record whoever is called to the set, one resident every ``interval`` seconds."""
        rng = random.Random(f"{self.seed}/{site}/{set_no}")
        await self.pause(rng.uniform(0, interval))
        while self.running():
            started = time.monotonic()
            desk = await self.call(
                "call-next",
                "POST",
                "/api/v1/recording/next",
                token,
                json={"site_code": site, "set_no": set_no},
            )
            if desk and desk.get("ticket_id") is not None:
                await self.record(site, set_no, token, int(desk["ticket_id"]), rng)
                await self.pause(interval - (time.monotonic() - started))
            else:
                await self.pause(1.0)

    async def record(
        self, site: str, set_no: int, token: str, ticket: int, rng: random.Random
    ) -> None:
        """Take one resident through start, the captures (with retakes) and complete."""
        recording = await self.call(
            "start",
            "POST",
            "/api/v1/recording/start",
            token,
            json={"ticket_id": ticket, "set_no": set_no},
        )
        if not recording:
            return
        rid, nik = int(recording["id"]), str(recording["resident"]["nik"])
        for modality in rules.MODALITIES:
            for attempt in range(1, rules.MAX_ATTEMPTS + 1):
                if not self.running():
                    return
                body: dict[str, Any] = {
                    "modality": modality,
                    "quality": draw_quality(modality, rng, attempt=attempt, age=40),
                    "template_b64": base64.b64encode(
                        captured_template(nik, modality, rng)
                    ).decode(),
                }
                if modality in (rules.PHOTO, rules.SIGNATURE):
                    body["image_b64"] = base64.b64encode(rng.randbytes(4096)).decode()
                result = await self.call(
                    "capture",
                    "POST",
                    f"/api/v1/recording/{rid}/captures",
                    token,
                    json=body,
                    headers={"Idempotency-Key": f"load-{rid}-{modality}-{attempt}"},
                )
                if not result or result.get("accepted"):
                    break
            else:
                await self.call(
                    "capture",
                    "POST",
                    f"/api/v1/recording/{rid}/exceptions",
                    token,
                    json={"modality": modality, "reason": "mutu rendah"},
                )
        done = await self.call("complete", "POST", f"/api/v1/recording/{rid}/complete", token)
        if done:
            self.stats.residents += 1

    async def screen(self, site: str, token: str, offset: float) -> None:
        """Refresh a site's queue every 5 s, as the waiting-room screen does."""
        await self.pause(offset)
        while self.running():
            started = time.monotonic()
            await self.call("queue screen", "GET", f"/api/v1/recording/queue?site={site}", token)
            await self.pause(SCREEN_SECONDS - (time.monotonic() - started))

    async def dashboard(self, token: str, offset: float) -> None:
        """Reload the daily report and the plan every 10 s, as the Dinas does."""
        await self.pause(offset)
        pages = ("/laporan/harian", "/rencana", "/api/v1/schedule/report")
        turn = 0
        while self.running():
            started = time.monotonic()
            await self.call("dashboard", "GET", pages[turn % len(pages)], token)
            turn += 1
            await self.pause(DASHBOARD_SECONDS - (time.monotonic() - started))


async def drive(
    port: int,
    sites: dict[str, str],
    arrivals: dict[str, list[str]],
    devices: Devices,
    options: argparse.Namespace,
    stats: Stats,
) -> float:
    """Return the seconds the load ran."""
    people_per_second = PEAK_RESIDENTS_PER_SECOND * options.factor
    sets_total = len(sites) * options.sets
    set_interval = sets_total / people_per_second
    door_interval = len(sites) / (people_per_second * 1.2)  # the door keeps a queue ahead
    screens, dashboards = len(devices.screens), len(devices.dashboards)
    # aiohttp, not httpx: httpx's connection pool scans every connection on each request,
    # and with 400 connections the generator alone took a whole core of this 2-core box,
    # starving the server it measures.
    async with aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{port}",
        timeout=aiohttp.ClientTimeout(total=60.0),
        connector=aiohttp.TCPConnector(limit=400),
    ) as client:
        started = time.monotonic()
        load = Load(client, stats, started + options.duration, options.max_requests, options.seed)
        codes = list(sites)
        tasks = [
            load.door(site, devices.doors[site], arrivals[site], door_interval) for site in codes
        ]
        tasks += [
            load.set_loop(site, number, token, set_interval)
            for (site, number), token in devices.sets.items()
        ]
        tasks += [
            load.screen(codes[index % len(codes)], token, index * SCREEN_SECONDS / screens)
            for index, token in enumerate(devices.screens)
        ]
        tasks += [load.dashboard(token, index) for index, token in enumerate(devices.dashboards)]
        print(
            f"load: {people_per_second:.2f} residents/s ({options.factor:g} x peak), "
            f"{sets_total} sets (one resident per {set_interval:.0f} s each), {screens} screens "
            f"every {SCREEN_SECONDS:g} s, {dashboards} dashboards, {options.duration:g} s",
            flush=True,
        )
        await asyncio.gather(*tasks)
        return time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def report(stats: Stats, seconds: float, backend: str) -> None:
    """Print the table of the run."""
    total = sum(len(values) for values in stats.latencies.values())
    errors = sum(stats.errors.values())
    print(
        f"\n{backend}: {total} requests in {seconds:.1f} s = {total / seconds:.1f} requests/s "
        f"held; {stats.residents} residents recorded; {errors} errors\n"
    )
    print("| operation | requests | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for operation in OPERATIONS:
        values = stats.latencies.get(operation, [])
        if not values:
            continue
        print(
            f"| {operation} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} | "
            f"{stats.errors.get(operation, 0)} |"
        )
    slow = [
        operation
        for operation in ("checkin", "call-next", "capture", "complete")
        if stats.latencies.get(operation)
        and percentile(stats.latencies[operation], 0.95) >= GOAL_P95_MS
    ]
    verdict = "met" if not slow and not errors else f"missed ({', '.join(slow) or 'errors'})"
    print(f"\ngoal p95 < {GOAL_P95_MS:.0f} ms with zero errors: {verdict}")
    for sample in stats.samples:
        print(f"  {sample}")


def main() -> None:
    """Prepare, serve, load, report."""
    options = parse_arguments()
    runtime = Runtime(Settings(database_url=options.db))
    day, sites = prepare(runtime, options.prepare_scale, options.sites, options.sets)
    arrivals = {site: invitees(runtime, day, site) for site in sites}
    devices = device_tokens(
        runtime,
        sites,
        options.sets,
        screens=int(len(sites) * SCREENS_PER_SITE * options.factor),
        dashboards=max(1, int(DASHBOARDS * options.factor)),
    )
    print(f"{sum(len(a) for a in arrivals.values())} invitees on {day} at {len(sites)} sites")
    port = free_port()
    server = start_server(options.db, port, new_key(), options.workers)
    stats = Stats()
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            seconds = runner.run(drive(port, sites, arrivals, devices, options, stats))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Requests still waiting for a connection: no graceful end, workers included.
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        runtime.dispose()
    backend = runtime.engine.dialect.name
    report(stats, seconds, backend)


if __name__ == "__main__":
    main()

"""Measure the residents' card status lookup: lookups per second on one core, cold cache.

Builds a throw-away SQLite file (or uses ``--postgres-url``'s server in a fresh schema) with
``--cards`` recorded cards (``cards.recorded_city``, photo only) spread over the lifecycle's
states set-wise, then times, in this one process:

* **service**: ``lookup_status`` in its own committed transaction per lookup (as a request
  does: one read of resident and card, the region names, one audit row);
* **http**: ``POST /api/v1/status`` against a real uvicorn server in a thread of this
  process, one keep-alive httpx client, sequential (the rate limit is lifted for the run).

The NIKs asked are a random mix of right ones, wrong birth dates and unknown NIKs, each
asked once: nothing is cached between lookups. Goal: at least 1,000 lookups/s (service).

    .venv/bin/python benchmarks/status_lookup.py --cards 5000 -n 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select, update

from ektp.app import create_app
from ektp.cards import lifecycle, recorded_city
from ektp.cards.lookup import lookup_status
from ektp.cards.models import Card
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.settings import Settings
from ektp.storage.migrate import upgrade
from ektp.web.ratelimit import SlidingWindowLimiter

KECAMATAN = ("16.71.01", "16.71.02", "16.71.03", "16.71.04", "16.71.05", "16.71.06",
             "16.71.07", "16.71.08")  # fmt: skip
AT = dt.datetime(2011, 10, 3, 3, tzinfo=dt.UTC)


def build(runtime: Runtime, cards: int) -> list[tuple[str, dt.date]]:
    """Return (NIK, birth date) of every resident after writing the cards set-wise."""
    upgrade(runtime.engine)
    per = max(1, cards // len(KECAMATAN))
    with runtime.transaction() as session:
        ids = recorded_city.build(
            session=session,
            kecamatan=KECAMATAN,
            per_kecamatan=per,
            tanggal=AT.date(),
            at=AT,
            modalities=("photo",),
        )
        # Spread the cards over every state (no events: the lookup reads the card row only).
        states = lifecycle.STATES
        for index, state in enumerate(states):
            chosen = ids[index :: len(states)]
            for start in range(0, len(chosen), 5000):
                session.execute(
                    update(Card)
                    .where(Card.id.in_(chosen[start : start + 5000]))
                    .values(state=state, ready_at=AT, handed_at=AT)
                )
        rows = session.execute(select(Resident.nik, Resident.tanggal_lahir)).all()
    return [(str(nik), born) for nik, born in rows]


def questions(people: list[tuple[str, dt.date]], count: int) -> list[tuple[str, dt.date]]:
    """Return ``count`` lookups: 60% right, 20% wrong birth date, 20% unknown NIK."""
    rng = random.Random(7)
    asked = []
    for _ in range(count):
        nik, born = rng.choice(people)
        roll = rng.random()
        if roll < 0.2:
            born = born + dt.timedelta(days=1)
        elif roll < 0.4:
            nik = f"{rng.randrange(10**15, 10**16)}"
        asked.append((nik, born))
    return asked


def service_rate(runtime: Runtime, asked: list[tuple[str, dt.date]]) -> float:
    start = time.perf_counter()
    for nik, born in asked:
        with runtime.transaction() as session:
            lookup_status(session=session, nik=nik, tanggal_lahir=born, client="bench", now=AT)
    return len(asked) / (time.perf_counter() - start)


def http_rate(runtime: Runtime, asked: list[tuple[str, dt.date]]) -> float:
    app = create_app(runtime.settings, runtime=runtime)
    app.state.public_limiter = SlidingWindowLimiter(limit=10**9, window_seconds=1)
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on accepted sockets whose listener says
    # so (a bare socket.socket() has proto 0). Without it uvicorn's response headers and body,
    # written apart, wait for the client's delayed ACK: about 40 ms on every request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        # Likewise on the client's side, so neither end waits on the other's delayed ACK.
        nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        transport = httpx.HTTPTransport(socket_options=nodelay)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", transport=transport) as client:
            start = time.perf_counter()
            for nik, born in asked:
                response = client.post(
                    "/api/v1/status", json={"nik": nik, "tanggal_lahir": born.isoformat()}
                )
                response.raise_for_status()
            return len(asked) / (time.perf_counter() - start)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=5000, help="cards in the city")
    parser.add_argument("-n", type=int, default=2000, help="lookups per measurement")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.db or f"sqlite:///{Path(directory) / 'status.sqlite3'}"
        runtime = Runtime(Settings(database_url=url, secret_key="bench"))
        try:
            began = time.perf_counter()
            people = build(runtime, args.cards)
            print(f"built {len(people):,} cards in {time.perf_counter() - began:.1f} s")
            asked = questions(people, args.n)
            print(f"service: {service_rate(runtime, asked):,.0f} lookups/s ({args.n:,} lookups)")
            if not args.skip_http:
                asked = questions(people, args.n)
                print(f"http:    {http_rate(runtime, asked):,.0f} lookups/s ({args.n:,} lookups)")
        finally:
            runtime.dispose()


if __name__ == "__main__":
    main()

"""Measure the web pages a clerk uses most: region browser pages and resident searches.

Starts ``ektp serve`` on a free 127.0.0.1 port in a child process against ``--db``, creates a
throw-away account (deleted at the end; its searches stay in ``audit_events``, as every
search must), logs in, and times ``-n`` requests of each page over HTTP, client side:

* the kabupaten/kota page, a kecamatan page and a kelurahan page of the region browser;
* a name-prefix search (``SITI AM``-like prefixes) and a NIK search, and a resident's record.

The kecamatan, kelurahan, names and NIKs rotate over residents sampled at random, so that
the timings are not those of one cached page. Prints a Markdown table of median and p95 per
page; the goal is p95 under 100 ms at full city scale (1.2 million wajib KTP).

    .venv/bin/python benchmarks/web_pages.py --db postgresql://postgres@127.0.0.1/ektp -n 200
"""

from __future__ import annotations

import argparse
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from sqlalchemy import delete, func, select

from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.settings import Settings

ENTRY = "from ektp.cli import main; main()"
GOAL_MS = 100.0
ROLES = {"admin_kota": 5, "operator_kecamatan": 8, "petugas_kelurahan": 13}


@dataclass(frozen=True)
class Sample:
    """A resident picked at random, from which page addresses are made."""

    nik: str
    nama: str
    kode_kelurahan: str


def parse_arguments() -> argparse.Namespace:
    """Return the command line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="Database URL with a loaded registry.")
    parser.add_argument("-n", "--requests", type=int, default=100, help="Requests per page.")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page first.")
    parser.add_argument(
        "--role",
        choices=sorted(ROLES),
        default="admin_kota",
        help="Role of the benchmark account; its area is that of the first sampled resident.",
    )
    parser.add_argument("--as-of", default=None, help="Date of the region pages (YYYY-MM-DD).")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def sample_residents(runtime: Runtime, count: int, seed: int) -> list[Sample]:
    """Return up to ``count`` residents picked by random id (no full scan, no ORDER BY random)."""
    rng = random.Random(seed)
    with runtime.transaction() as session:
        low, high = session.execute(select(func.min(Resident.id), func.max(Resident.id))).one()
        if low is None:
            raise SystemExit("the database holds no residents: generate or import some first")
        ids = sorted({rng.randint(low, high) for _ in range(count * 2)})
        rows = session.execute(
            select(Resident.nik, Resident.nama, Resident.kode_kelurahan).where(Resident.id.in_(ids))
        ).all()
    samples = [Sample(*row) for row in rows]
    rng.shuffle(samples)
    return samples[:count]


def name_prefix(nama: str) -> str:
    """Return a prefix as a clerk types it: the first word and two letters of the next."""
    words = nama.split()
    if len(words) > 1:
        return f"{words[0]} {words[1][:2]}"
    return nama[:4]


def free_port() -> int:
    """Return a TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    """Start ``ektp serve`` and return the process once it answers."""
    server = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "--db", database_url, "serve", "--port", str(port)],
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


def timed(client: httpx.Client, urls: Callable[[int], str], count: int, warmup: int) -> list[float]:
    """Return the milliseconds of ``count`` GETs of ``urls(i)``, after ``warmup`` untimed ones."""
    for index in range(warmup):
        client.get(urls(index)).raise_for_status()
    durations = []
    for index in range(count):
        url = urls(warmup + index)
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    return durations


def p95(durations: list[float]) -> float:
    """Return the 95th percentile (nearest rank)."""
    ordered = sorted(durations)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def print_latency_table(results: dict[str, list[float]], goal_ms: float) -> None:
    """Print median, p95 and max per page as a Markdown table, then whether p95 met the goal."""
    print("| page | median ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, durations in results.items():
        print(
            f"| {name} | {statistics.median(durations):.1f} | {p95(durations):.1f} "
            f"| {max(durations):.1f} |"
        )
    slow = [name for name, durations in results.items() if p95(durations) >= goal_ms]
    print(
        f"\np95 goal {goal_ms:.0f} ms: " + ("met" if not slow else "missed by " + ", ".join(slow))
    )


def main() -> None:
    """Run the benchmark and print its table."""
    options = parse_arguments()
    runtime = Runtime(Settings(database_url=options.db))
    samples = sample_residents(runtime, 200, options.seed)
    first = samples[0]
    area = first.kode_kelurahan[: ROLES[options.role]]
    if options.role != "admin_kota":
        samples = [s for s in samples if s.kode_kelurahan.startswith(area)] or [first]
    kota = first.kode_kelurahan[:5]
    username = f"bench-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with runtime.transaction() as session:
        auth_service.create_user(
            session=session,
            username=username,
            full_name="Benchmark",
            role=options.role,
            area_kode=area,
            password=password,
        )
        residents = session.scalar(select(func.count()).select_from(Resident))
    port = free_port()
    server = start_server(options.db, port)
    date = f"?as_of={options.as_of}" if options.as_of else ""
    pages: dict[str, Callable[[int], str]] = {
        "kota page": lambda i: f"/wilayah/{kota}{date}",
        "kecamatan page": lambda i: (
            f"/wilayah/{samples[i % len(samples)].kode_kelurahan[:8]}{date}"
        ),
        "kelurahan page": lambda i: f"/wilayah/{samples[i % len(samples)].kode_kelurahan}{date}",
        "name search (prefix)": lambda i: (
            "/penduduk?" + urlencode({"q": name_prefix(samples[i % len(samples)].nama)})
        ),
        "NIK search": lambda i: f"/penduduk?q={samples[i % len(samples)].nik}",
        "resident record": lambda i: f"/penduduk/{samples[i % len(samples)].nik}",
    }
    results: dict[str, list[float]] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
            login = client.post(
                "/api/v1/auth/login", json={"username": username, "password": password}
            )
            login.raise_for_status()
            for name, urls in pages.items():
                results[name] = timed(client, urls, options.requests, options.warmup)
    finally:
        server.terminate()
        server.wait(timeout=30)
        with runtime.transaction() as session:
            session.execute(delete(User).where(User.username == username))
        runtime.dispose()
    print(
        f"{residents:,} residents; role {options.role} (area {area}); "
        f"{options.requests} requests per page after {options.warmup} warm-up\n"
    )
    print_latency_table(results, GOAL_MS)


if __name__ == "__main__":
    main()

"""Measure the progress dashboards and the alerts page at city scale, over HTTP.

Builds a fresh SQLite city (``init``, ``regions load``, ``residents generate --scale``), the
Palembang campaign, and ``--days`` working days of history written set-wise (no desk is
simulated): every RT of the city is recorded on one or two days spread over the history
(``progress_rt_days`` by executemany), each site's closed days (``daily_reports``) and the
cards' stage counters. Then starts ``ektp serve`` in a child process, logs in as the city
admin and times ``-n`` GETs of each level (city, kecamatan, kelurahan, RT) and of the alerts
page, client side, rotating over kecamatan, kelurahan and RTs. Prints a Markdown table of
median and p95; the goal is p95 under 150 ms at full scale (1.2 million residents, 200 days).

    .venv/bin/python benchmarks/dashboards.py                 # full city (slow to build)
    .venv/bin/python benchmarks/dashboards.py --scale 0.02 -n 50
    .venv/bin/python benchmarks/dashboards.py --db /tmp/city.sqlite3  # build once, reuse
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from ektp.auth import service as auth_service
from ektp.cards.lifecycle import STATES
from ektp.cards.models import CardStageCount
from ektp.monitoring.models import ProgressRtDay
from ektp.recording.models import DailyReport
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.settings import Settings
from web_pages import (  # type: ignore[import-not-found]
    free_port,
    print_latency_table,
    start_server,
    timed,
)

CITY, EDITION, SCENARIO = "16.71", "2016", "palembang-2011"
ENTRY = "from ektp.cli import main; main()"
GOAL_MS = 150.0
START = dt.datetime(2011, 10, 1, 8, tzinfo=dt.UTC)


def parse_arguments() -> argparse.Namespace:
    """Return the command line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="Share of the 1.2 million.")
    parser.add_argument("--days", type=int, default=200, help="Working days of history.")
    parser.add_argument("-n", "--requests", type=int, default=100, help="Requests per page.")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page first.")
    parser.add_argument("--seed", type=int, default=2011)
    parser.add_argument(
        "--db",
        type=Path,
        help="SQLite file to keep the built city in: built when missing, reused when present.",
    )
    return parser.parse_args()


def ektp(url: str, *arguments: str) -> None:
    """Run an ``ektp`` command against ``url``, quietly."""
    command = [sys.executable, "-c", ENTRY, "--db", url, *arguments]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def working_days(count: int) -> list[dt.date]:
    """Return ``count`` weekdays from the campaign's start (holidays are ignored here)."""
    days, day = [], dt.date(2011, 10, 3)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def build_history(runtime: Runtime, days: list[dt.date], seed: int) -> dict[str, int]:
    """Write the history set-wise and return how many rows of each table were written."""
    rng = random.Random(seed)
    with runtime.transaction() as session:
        campaign = scheduling.create_campaign(session=session, scenario=SCENARIO, now=START)
        rts = session.execute(
            select(Resident.kode_kelurahan, Resident.rw, Resident.rt, func.count())
            .group_by(Resident.kode_kelurahan, Resident.rw, Resident.rt)
            .order_by(Resident.kode_kelurahan, Resident.rw, Resident.rt)
        ).all()
        rows: list[dict[str, Any]] = []
        per_site_day: dict[tuple[str, dt.date], int] = {}
        for index, (kel, rw, rt, residents) in enumerate(rts):
            # RTs are taken in order over the history, each on one or two days.
            first = min(len(days) - 1, index * len(days) // max(1, len(rts)))
            spread = days[first : first + rng.choice((1, 2))]
            for day in spread:
                recorded = max(1, int(residents * 0.7 / len(spread)))
                invited = recorded + rng.randint(0, max(1, recorded // 5))
                rows.append(
                    {
                        "campaign_id": campaign.id,
                        "site_code": kel[:8],
                        "tanggal": day,
                        "kode_kecamatan": kel[:8],
                        "kode_kelurahan": kel,
                        "rw": rw,
                        "rt": rt,
                        "recorded": recorded,
                        "failed": recorded // 50,
                        "walk_ins": recorded // 10,
                        "evening": recorded // 3,
                        "invited": invited,
                        "missed": invited - recorded,
                    }
                )
                key = (kel[:8], day)
                per_site_day[key] = per_site_day.get(key, 0) + recorded
        session.execute(insert(ProgressRtDay), rows)
        sites = sorted({kel[:8] for kel, *_ in rts})
        reports = []
        for site in sites:
            for day in days:
                idle = rng.randint(30, 400)
                per_set = [
                    {"set_no": n, "recorded": 0, "busy_minutes": 660 - idle, "idle_minutes": idle}
                    for n in (1, 2)
                ]
                reports.append(
                    {
                        "campaign_id": campaign.id,
                        "site_code": site,
                        "kode_kecamatan": site,
                        "tanggal": day,
                        "session": "hari",
                        "recorded": per_site_day.get((site, day), 0),
                        "failed": 0,
                        "walk_ins": 0,
                        "missed": 0,
                        "mean_minutes": 3.0,
                        "idle_minutes": 2 * idle,
                        "target": 300,
                        "sets_working": 2,
                        "per_set": json.dumps(per_set),
                        "closed_at": START,
                        "closed_by": "bench",
                    }
                )
        session.execute(insert(DailyReport), reports)
        counts = [
            {"kode_kecamatan": site, "state": state, "cards": rng.randint(0, 5000)}
            for site in sites
            for state in STATES
        ]
        session.execute(insert(CardStageCount), counts)
    return {"progress_rt_days": len(rows), "daily_reports": len(reports), "rts": len(rts)}


def kept_counts(runtime: Runtime) -> dict[str, int]:
    """Return the row counts of a city built by an earlier run (``--db``)."""
    with runtime.transaction() as session:
        rows = session.scalar(select(func.count()).select_from(ProgressRtDay)) or 0
        reports = session.scalar(select(func.count()).select_from(DailyReport)) or 0
        rts = session.execute(
            select(func.count()).select_from(
                select(ProgressRtDay.kode_kelurahan, ProgressRtDay.rw, ProgressRtDay.rt)
                .distinct()
                .subquery()
            )
        ).scalar_one()
    return {"progress_rt_days": rows, "daily_reports": reports, "rts": int(rts)}


def main() -> None:
    """Build the city, run the benchmark and print its table."""
    options = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="ektp-dashboards-") as folder:
        path = options.db or Path(folder) / "city.sqlite3"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        runtime = Runtime(Settings(database_url=url))
        if path.exists():
            written = kept_counts(runtime)
        else:
            ektp(url, "init")
            ektp(url, "regions", "load", "--city", CITY, "--edition", EDITION)
            generate = ["residents", "generate", "--city", CITY, "--edition", EDITION]
            ektp(url, *generate, "--scale", str(options.scale), "--seed", str(options.seed))
            written = build_history(runtime, working_days(options.days), options.seed)
        built = time.perf_counter() - started
        with runtime.transaction() as session:
            residents = session.scalar(select(func.count()).select_from(Resident)) or 0
            sample = session.execute(
                select(ProgressRtDay.kode_kelurahan, ProgressRtDay.rw, ProgressRtDay.rt).distinct()
            ).all()
            password = secrets.token_urlsafe(16)
            username = f"bench-{secrets.token_hex(4)}"  # a kept city keeps earlier runs' users
            auth_service.create_user(
                session=session,
                username=username,
                full_name="Benchmark",
                role="admin_kota",
                area_kode=CITY,
                password=password,
            )
        runtime.dispose()
        rng = random.Random(options.seed)
        rng.shuffle(sample)

        def rt(i: int) -> str:
            kel, rw, number = sample[i % len(sample)]
            return f"/pantauan/{kel}.RW{rw:03d}.RT{number:03d}"

        pages: dict[str, Callable[[int], str]] = {
            "kota": lambda i: "/pantauan",
            "kecamatan": lambda i: f"/pantauan/{sample[i % len(sample)][0][:8]}",
            "kelurahan": lambda i: f"/pantauan/{sample[i % len(sample)][0]}",
            "rt": rt,
            "alerts": lambda i: "/peringatan",
            "kecamatan table (xlsx)": lambda i: (
                f"/pantauan/{sample[i % len(sample)][0][:8]}/unduh/wilayah.xlsx"
            ),
        }
        port = free_port()
        server = start_server(url, port)
        results: dict[str, list[float]] = {}
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60.0) as client:
                login = client.post(
                    "/api/v1/auth/login", json={"username": username, "password": password}
                )
                login.raise_for_status()
                for name, urls in pages.items():
                    results[name] = timed(client, urls, options.requests, options.warmup)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"{residents:,} residents (scale {options.scale}), {options.days} working days: "
        f"{written['progress_rt_days']:,} RT-day rows over {written['rts']:,} RTs, "
        f"{written['daily_reports']:,} closed site-days; built in {built:.0f} s; "
        f"{options.requests} requests per page after {options.warmup} warm-up (SQLite)\n"
    )
    print_latency_table(results, GOAL_MS)


if __name__ == "__main__":
    main()

"""Measure planning the Palembang 2011 campaign in the database, on SQLite and PostgreSQL.

Per backend, on a fresh SQLite file and on a throwaway PostgreSQL database (created and
dropped by the script): ``init``, ``regions load`` and ``residents generate --scale S`` build
the city (timed apart, not part of the goal); then each measured step runs the real command
in a child process, so its peak memory (``ru_maxrss`` from ``os.wait4``) is its own, Python
start-up included:

* ``campaign create --scenario palembang-2011``;
* ``schedule plan``: read the demand, plan every site, write every invitation (goal < 10 s
  and < 1 GB at scale 1.0);
* ``sites change`` (+5 sets to Ilir Timur II, 16.71.06, from 10 Oct 2011), then
  ``schedule replan --day 2011-10-03`` (freeze 7 days), which re-plans the kecamatan whose
  sets changed: same goals. The same re-plan of every site (``--all-sites``) runs first on
  a copy of the database, for comparison.

Full city: ``.venv/bin/python benchmarks/plan_city.py``; a quick check:
``.venv/bin/python benchmarks/plan_city.py --scale 0.05``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

CITY, EDITION, SCENARIO = "16.71", "2016", "palembang-2011"
IT2 = "16.71.06"
ENTRY = "from ektp.cli import main; main()"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def ektp(url: str, *arguments: str) -> list[str]:
    """Return the command line that runs ``ektp --db url`` with ``arguments``."""
    return [sys.executable, "-c", ENTRY, "--db", url, *arguments]


def measured(command: list[str], scratch: Path) -> dict[str, Any]:
    """Return wall seconds, peak MB and the output of one child run of ``command``."""
    output = scratch / "out.txt"
    with output.open("w", encoding="utf-8") as stdout:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=stdout)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{' '.join(command[5:])} failed with exit status {code}")
    return {
        "seconds": seconds,
        # On a shared machine the wall time swings with the load; the child's own CPU
        # seconds (user + system, the database server's not counted) much less.
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "output": output.read_text(encoding="utf-8"),
    }


def build_city(url: str, options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    """Create the schema, load the regions and generate the residents; return the timing."""
    for setup in (["init"], ["regions", "load", "--city", CITY, "--edition", EDITION]):
        subprocess.run(ektp(url, *setup), check=True, stdout=subprocess.DEVNULL)
    return measured(
        ektp(
            url,
            "residents", "generate", "--city", CITY, "--edition", EDITION,
            "--scenario", SCENARIO, "--scale", str(options.scale),
            "--seed", str(options.seed), "--json",
        ),
        scratch,
    )  # fmt: skip


def run_backend(url: str, options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    """Return the figures of every step on the database at ``url``."""
    generated = build_city(url, options, scratch)
    create = measured(ektp(url, "campaign", "create", "--scenario", SCENARIO), scratch)
    plan = measured(ektp(url, "schedule", "plan", "--json"), scratch)
    subprocess.run(
        ektp(
            url, "sites", "change", "--site", IT2, "--date", "2011-10-10",
            "--change", "+5", "--reason", "added",
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with database_copy(url, scratch) as copy:
        every = measured(
            ektp(copy, "schedule", "replan", "--day", "2011-10-03", "--all-sites", "--json"),
            scratch,
        )
    replan = measured(ektp(url, "schedule", "replan", "--day", "2011-10-03", "--json"), scratch)
    reports = json.loads(plan["output"])
    replanned = json.loads(replan["output"])
    return {
        "wajib_ktp": json.loads(generated["output"])["wajib_ktp"],
        "generate_s": generated["seconds"],
        "steps": {
            "campaign create": create,
            "schedule plan": plan,
            "schedule replan --all-sites (+5 sets IT2)": every,
            "schedule replan (+5 sets IT2)": replan,
        },
        "invited": sum(line["residents"] for line in reports),
        "moved": len(replanned["moved"]),
        "moved_all_sites": len(json.loads(every["output"])["moved"]),
        "sites": replanned["sites"],
        "it2_before": next(line for line in reports if line["kode_kecamatan"] == IT2),
        "it2_after": next(line for line in replanned["reports"] if line["kode_kecamatan"] == IT2),
    }


@contextmanager
def database_copy(url: str, scratch: Path) -> Iterator[str]:
    """Yield the URL of a copy of the database at ``url``, removed afterwards."""
    if url.startswith("sqlite:///"):
        source = Path(url.removeprefix("sqlite:///"))
        with closing(sqlite3.connect(source)) as connection:
            # Everything in the main file, so that copying it copies the database.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = scratch / "copy.sqlite3"
        shutil.copyfile(source, target)
        try:
            yield f"sqlite:///{target}"
        finally:
            target.unlink()
        return
    import psycopg

    base, _, name = url.rpartition("/")
    copy_name = f"{name}_copy"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {copy_name} TEMPLATE {name}")
    try:
        yield f"{base}/{copy_name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {copy_name} WITH (FORCE)")


@contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    """Yield the URL of a new empty PostgreSQL database, dropped afterwards."""
    import psycopg

    name = f"ektp_bench_{uuid.uuid4().hex[:10]}"
    base, _, _ = admin_url.rpartition("/")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def table(results: dict[str, dict[str, Any]]) -> str:
    """Return the figures as a Markdown table."""
    lines = [
        "| backend | wajib KTP | step | wall s | CPU s | peak MB |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for backend, result in results.items():
        for step, figures in result["steps"].items():
            lines.append(
                f"| {backend} | {result['wajib_ktp']:,} | {step} | "
                f"{figures['seconds']:.2f} | {figures['cpu_s']:.2f} | {figures['peak_mb']:.0f} |"
            )
    lines.append("")
    for backend, result in results.items():
        before, after = result["it2_before"], result["it2_after"]
        lines.append(
            f"{backend}: generate {result['generate_s']:.1f} s; {result['invited']:,} invited; "
            f"Ilir Timur II last day {before['last_day']} (bound "
            f"{before['lower_bound_last_day']}, {before['extra_sets_needed']} more sets needed) "
            f"-> after +5 sets {after['last_day']}; {result['moved']:,} turns moved "
            f"(re-planned: {', '.join(result['sites'])}; with --all-sites "
            f"{result['moved_all_sites']:,})"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the measurements asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the whole city")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="admin URL")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="ektp-plan-") as directory:
        scratch = Path(directory)
        results["SQLite"] = run_backend(f"sqlite:///{scratch / 'city.sqlite3'}", options, scratch)
        if not options.skip_postgres:
            with throwaway_postgres(options.postgres_url) as url:
                results["PostgreSQL"] = run_backend(url, options, scratch)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"plan {SCENARIO} in the database, scale {options.scale}, seed {options.seed}")
    print(f"load average at the end: {load} (on {os.cpu_count()} CPUs)")
    if options.json:
        for result in results.values():
            for figures in result["steps"].values():
                figures.pop("output")
        print(json.dumps(results, indent=2, default=str))
    else:
        print(table(results))


if __name__ == "__main__":
    main()

"""Measure ``ektp residents generate``: wall time and peak memory of generating a whole city.

Each measurement runs the real command in a child process, so its peak memory (``ru_maxrss``
from ``os.wait4``) is the generation's own, Python start-up included:

* to a CSV (``--out``, every row with its defect flag);
* with ``--sqlite``, also into a fresh SQLite database (``init`` and ``regions load`` first,
  not timed), which includes the batched writes and the count refresh.

Prints a Markdown table. Full city: ``.venv/bin/python benchmarks/generate_population.py``;
a quick check: ``.venv/bin/python benchmarks/generate_population.py --scale 0.02 --sqlite``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CITY, EDITION, SCENARIO = "16.71", "2016", "palembang-2011"
ENTRY = "from ektp.cli import main; main()"


def ektp(*arguments: str) -> list[str]:
    """Return the command line that runs ``ektp`` with ``arguments`` in this interpreter."""
    return [sys.executable, "-c", ENTRY, *arguments]


def measured(command: list[str], scratch: Path) -> dict[str, Any]:
    """Return wall seconds, peak MB and the JSON report of one child run of ``command``."""
    output = scratch / "report.json"
    with output.open("w", encoding="utf-8") as stdout:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=stdout)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command[3:])} failed with exit status {child.returncode}")
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "report": json.loads(output.read_text(encoding="utf-8")),
    }


def generate_arguments(options: argparse.Namespace) -> list[str]:
    """Return the ``residents generate`` arguments shared by every measurement."""
    return [
        "residents", "generate", "--city", CITY, "--edition", EDITION, "--scenario", SCENARIO,
        "--scale", str(options.scale), "--seed", str(options.seed), "--json",
    ]  # fmt: skip


def to_csv(options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    """Return the figures of generating the city to a CSV file."""
    path = scratch / "city.csv"
    result = measured(ektp(*generate_arguments(options), "--out", str(path)), scratch)
    result["size_mb"] = path.stat().st_size / 2**20
    path.unlink()
    return result


def to_sqlite(options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    """Return the figures of generating the city into a fresh SQLite database."""
    url = f"sqlite:///{scratch / 'city.sqlite3'}"
    for setup in (["init"], ["regions", "load", "--city", CITY, "--edition", EDITION]):
        subprocess.run(ektp("--db", url, *setup), check=True, stdout=subprocess.DEVNULL)
    result = measured(ektp("--db", url, *generate_arguments(options)), scratch)
    result["size_mb"] = (scratch / "city.sqlite3").stat().st_size / 2**20
    return result


def table(results: dict[str, dict[str, Any]]) -> str:
    """Return the figures as a Markdown table."""
    lines = [
        "| target | rows | residents | wajib KTP | wall s | rows/s | peak MB | file MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for target, result in results.items():
        report = result["report"]
        lines.append(
            f"| {target} | {report['rows']:,} | {report['residents']:,} | "
            f"{report['wajib_ktp']:,} | {result['seconds']:.1f} | "
            f"{report['rows'] / result['seconds']:,.0f} | {result['peak_mb']:.0f} | "
            f"{result['size_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the measurements asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the whole city")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite", action="store_true", help="also into a fresh SQLite file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ektp-generate-") as directory:
        scratch = Path(directory)
        results = {"CSV": to_csv(options, scratch)}
        if options.sqlite:
            results["SQLite"] = to_sqlite(options, scratch)
    print(f"ektp residents generate, {SCENARIO}, scale {options.scale}, seed {options.seed}")
    print(json.dumps(results, indent=2) if options.json else table(results))


if __name__ == "__main__":
    main()

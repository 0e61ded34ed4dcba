"""Time the simulation of one recording site-day (goal: under 0.5 s).

Run: ``.venv/bin/python benchmarks/simulate_site_day.py [--repeat 20] [--sets 2] [--per-day 400]``

A Palembang kecamatan office: pagi 08-12, siang 13-16, malam 16-20, 3 minutes a person
(lognormal, cv 0.3), ``--per-day`` invited with 15 % no-shows and 40 walk-ins, both with the
evening peak, and set breakdowns (0.05 per set-hour, 60-minute repairs). Prints the median
and the slowest of ``--repeat`` days (each its own seed).
"""

from __future__ import annotations

import argparse
import statistics
import time

from ektp.planning.simulation import SiteConfig, Window, evening_peak, simulate_day

DAY = (Window(8 * 60, 12 * 60), Window(13 * 60, 16 * 60), Window(16 * 60, 20 * 60))


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sets", type=int, default=2)
    parser.add_argument("--per-day", type=float, default=400.0)
    args = parser.parse_args()
    config = SiteConfig(
        windows=DAY,
        sets=args.sets,
        minutes_per_person=3,
        arrivals=evening_peak(args.per_day, DAY),
        no_show_share=0.15,
        walk_ins=evening_peak(40, DAY),
        breakdowns_per_set_hour=0.05,
    )
    seconds = []
    recorded = []
    for seed in range(args.repeat):
        started = time.perf_counter()
        day = simulate_day(config, seed=seed)
        seconds.append(time.perf_counter() - started)
        recorded.append(day.recorded)
    print(
        f"one site-day ({args.sets} sets, {args.per_day:.0f} invited): median "
        f"{statistics.median(seconds) * 1000:.1f} ms, slowest {max(seconds) * 1000:.1f} ms "
        f"(goal < 500 ms); recorded {min(recorded)}-{max(recorded)} a day"
    )


if __name__ == "__main__":
    main()

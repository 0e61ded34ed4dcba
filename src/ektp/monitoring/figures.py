"""The dashboard's arithmetic (pure): a level's figures and shares, working days, ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

CHART_DAYS = 30
PACE_DAYS = 7


@dataclass(frozen=True)
class Figures:
    """The counts of one region or RT: wajib KTP, recorded, turns, and the recent pace.

    ``pace`` is the mean recorded per working day over the last ``PACE_DAYS`` working days.
    """

    kode: str
    nama: str
    level: str
    wajib_ktp: int
    recorded: int = 0
    failed: int = 0
    walk_ins: int = 0
    evening: int = 0
    invited: int = 0
    missed: int = 0
    pace: float = 0.0

    @property
    def coverage(self) -> float | None:
        """Return recorded / wajib KTP (None when nobody is wajib KTP)."""
        return self.recorded / self.wajib_ktp if self.wajib_ktp else None

    @property
    def missed_rate(self) -> float | None:
        """Return missed / due turns (None before any turn was due)."""
        return self.missed / self.invited if self.invited else None

    @property
    def walk_in_share(self) -> float | None:
        """Return the share of the recorded who came without a turn."""
        return self.walk_ins / self.recorded if self.recorded else None

    @property
    def evening_share(self) -> float | None:
        """Return the share of the recorded recorded in an evening (malam) session."""
        return self.evening / self.recorded if self.recorded else None

    def as_json(self) -> dict[str, object]:
        """Return the figures and shares as a JSON-ready dict."""
        return {
            "kode": self.kode,
            "nama": self.nama,
            "level": self.level,
            "wajib_ktp": self.wajib_ktp,
            "recorded": self.recorded,
            "coverage": _rounded(self.coverage),
            "pace_7_days": round(self.pace, 1),
            "failed": self.failed,
            "invited": self.invited,
            "missed": self.missed,
            "missed_rate": _rounded(self.missed_rate),
            "walk_ins": self.walk_ins,
            "walk_in_share": _rounded(self.walk_in_share),
            "evening": self.evening,
            "evening_share": _rounded(self.evening_share),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class DayPoint:
    """One working day of the chart: recorded against the target (or the turns due)."""

    tanggal: dt.date
    recorded: int
    target: int | None


@dataclass(frozen=True)
class Ranked:
    """A kecamatan's place by coverage and by pace (1 = best)."""

    figures: Figures
    by_coverage: int
    by_pace: int


def working_days(
    end: dt.date, count: int, *, is_working: Callable[[dt.date], bool], first: dt.date
) -> list[dt.date]:
    """Return the last ``count`` working days up to ``end``, oldest first, none before
    ``first``."""
    found: list[dt.date] = []
    day = end
    while day >= first and len(found) < count:
        if is_working(day):
            found.append(day)
        day -= dt.timedelta(days=1)
    return found[::-1]


def pace(recorded_by_day: dict[dt.date, int], days: Sequence[dt.date]) -> float:
    """Return the mean recorded per day over ``days`` (0 for no days)."""
    if not days:
        return 0.0
    return sum(recorded_by_day.get(day, 0) for day in days) / len(days)


def ranking(rows: Sequence[Figures]) -> list[Ranked]:
    """Return the rows ranked by coverage and by pace, best coverage first; ties share the
    better place (1, 1, 3)."""

    def places(key: Callable[[Figures], float]) -> dict[str, int]:
        ordered = sorted(rows, key=lambda row: (-key(row), row.kode))
        found: dict[str, int] = {}
        for index, row in enumerate(ordered):
            tie = index > 0 and key(ordered[index - 1]) == key(row)
            found[row.kode] = found[ordered[index - 1].kode] if tie else index + 1
        return found

    by_coverage = places(lambda row: row.coverage or 0.0)
    by_pace = places(lambda row: row.pace)
    ranked = [Ranked(row, by_coverage[row.kode], by_pace[row.kode]) for row in rows]
    return sorted(ranked, key=lambda one: (one.by_coverage, one.figures.kode))

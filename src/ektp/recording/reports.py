"""The arithmetic of a closed session or day (pure): busy and idle minutes per set, mean
minutes per person, the figures of each set and of the site.

A set is *busy* while a recording runs on it (from its start to its completion or failure);
it is *idle* during the site's open hours when no recording runs. Overlapping recordings on
one set (a double start the desk should have refused) count once, so a set is never busier
than the clock.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class RecordingTimes:
    """One recording as the closing sees it: its set, its outcome and when it ran.

    ``finished`` is None while the recording is still in progress.
    """

    set_no: int
    status: str  # in_progress | completed | failed
    started: dt.datetime
    finished: dt.datetime | None


@dataclass(frozen=True)
class SetFigures:
    """One set's figures over some open hours."""

    set_no: int
    recorded: int
    failed: int
    mean_minutes: float | None
    busy_minutes: int
    idle_minutes: int

    def as_dict(self) -> dict[str, object]:
        """Return the figures as a JSON-ready dict (the ``per_set`` column)."""
        return {
            "set_no": self.set_no,
            "recorded": self.recorded,
            "failed": self.failed,
            "mean_minutes": self.mean_minutes,
            "busy_minutes": self.busy_minutes,
            "idle_minutes": self.idle_minutes,
        }


@dataclass(frozen=True)
class SiteFigures:
    """A site's figures over some open hours: its sets' figures and their totals."""

    per_set: tuple[SetFigures, ...]
    recorded: int
    failed: int
    mean_minutes: float | None
    idle_minutes: int


def _minutes(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 60.0


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """Return the union of ``intervals`` as disjoint intervals in time order (empty ones
    dropped)."""
    result: list[Interval] = []
    for start, end in sorted(interval for interval in intervals if interval[1] > interval[0]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def busy_minutes(intervals: Iterable[Interval], windows: Sequence[Interval]) -> float:
    """Return the minutes of ``windows`` (the open hours) covered by at least one interval."""
    union = merged(intervals)
    total = 0.0
    for window_start, window_end in windows:
        for start, end in union:
            overlap = min(end, window_end) - max(start, window_start)
            if overlap > dt.timedelta(0):
                total += _minutes(overlap)
    return total


def open_minutes(windows: Sequence[Interval]) -> float:
    """Return the minutes of the open hours ``windows`` (overlaps counted once)."""
    return sum(_minutes(end - start) for start, end in merged(windows))


def idle_minutes(intervals: Iterable[Interval], windows: Sequence[Interval]) -> float:
    """Return the minutes of ``windows`` during which no interval runs."""
    return open_minutes(windows) - busy_minutes(intervals, merged(windows))


def mean_minutes(durations: Iterable[dt.timedelta]) -> float | None:
    """Return the mean of ``durations`` in minutes rounded to 0.1, or None when there are none."""
    values = [_minutes(duration) for duration in durations]
    if not values:
        return None
    return round(statistics.fmean(values), 1)


def _busy_interval(recording: RecordingTimes, until: dt.datetime) -> Interval:
    # A recording still running at closing keeps its set busy until the closing moment.
    return (recording.started, recording.finished or max(until, recording.started))


def site_figures(
    recordings: Sequence[RecordingTimes],
    *,
    windows: Sequence[Interval],
    set_numbers: Iterable[int],
    closed_at: dt.datetime,
    busy: Sequence[RecordingTimes] | None = None,
) -> SiteFigures:
    """Return the figures of each set and of the site over the open hours ``windows``.

    ``set_numbers`` are the sets that worked during those hours; a set that recorded
    without being listed (repaired the same day) is counted too. Counts and mean minutes
    are those of ``recordings`` (mean: the completed ones); a set is busy while any of
    ``busy`` runs on it (default: ``recordings``), so that a session's idle time counts an
    early guest of a later session recorded in it. Idle minutes are summed over the sets.
    """
    running = recordings if busy is None else busy
    numbers = sorted(set(set_numbers) | {recording.set_no for recording in (*recordings, *running)})
    per_set: list[SetFigures] = []
    for number in numbers:
        own = [recording for recording in recordings if recording.set_no == number]
        completed = [r for r in own if r.status == "completed" and r.finished is not None]
        intervals = [_busy_interval(r, closed_at) for r in running if r.set_no == number]
        worked = busy_minutes(intervals, merged(windows))
        per_set.append(
            SetFigures(
                set_no=number,
                recorded=len(completed),
                failed=sum(1 for recording in own if recording.status == "failed"),
                mean_minutes=mean_minutes(r.finished - r.started for r in completed if r.finished),
                busy_minutes=round(worked),
                idle_minutes=round(max(open_minutes(windows) - worked, 0.0)),
            )
        )
    completed_all = [r for r in recordings if r.status == "completed" and r.finished is not None]
    return SiteFigures(
        per_set=tuple(per_set),
        recorded=len(completed_all),
        failed=sum(1 for recording in recordings if recording.status == "failed"),
        mean_minutes=mean_minutes(r.finished - r.started for r in completed_all if r.finished),
        idle_minutes=sum(figures.idle_minutes for figures in per_set),
    )


def below_target(recorded: int, target: int | None) -> bool:
    """Return whether a day's ``recorded`` falls short of its ``target`` (no target: never)."""
    return target is not None and target > 0 and recorded < target


def session_window(day: dt.date, start: dt.time, end: dt.time, zone: dt.tzinfo) -> Interval:
    """Return a session's open hours on ``day`` as UTC datetimes (``start``, ``end`` are local
    clock times in ``zone``)."""
    return (
        dt.datetime.combine(day, start, tzinfo=zone).astimezone(dt.UTC),
        dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC),
    )


@dataclass(frozen=True)
class SiteDay:
    """A site's closed day as frozen in its report (``target`` 0: the campaign set none)."""

    site_code: str
    recorded: int
    failed: int
    walk_ins: int
    missed: int
    mean_minutes: float | None
    idle_minutes: int
    target: int
    sets_working: int


@dataclass(frozen=True)
class KecamatanDay:
    """A kecamatan's closed day: its sites' figures summed, against the kecamatan's target."""

    date: dt.date
    kode_kecamatan: str
    nama: str
    recorded: int
    failed: int
    walk_ins: int
    missed: int
    target: int | None
    sets_working: int
    mean_minutes: float | None
    idle_minutes: int
    sites: int

    @property
    def below_target(self) -> bool:
        """Return whether the kecamatan recorded fewer residents than its target."""
        return below_target(self.recorded, self.target)

    def as_json(self) -> dict[str, object]:
        """Return the line of ``ektp report daily --json``: exactly its eight keys."""
        return {
            "date": self.date.isoformat(),
            "kode_kecamatan": self.kode_kecamatan,
            "recorded": self.recorded,
            "failed": self.failed,
            "walk_ins": self.walk_ins,
            "missed": self.missed,
            "target": self.target,
            "sets_working": self.sets_working,
        }


def kecamatan_day(
    *, tanggal: dt.date, kode_kecamatan: str, nama: str, sites: Sequence[SiteDay]
) -> KecamatanDay:
    """Return the kecamatan's day from its sites' days: counts, sets and idle minutes
    summed, mean minutes weighted by each site's recorded residents.

    The target is the kecamatan's, not the sites' sum: every site's report carries it whole.
    """
    recorded = sum(site.recorded for site in sites)
    timed = [(site.mean_minutes, site.recorded) for site in sites if site.mean_minutes is not None]
    weight = sum(count for _, count in timed)
    mean = round(sum(minutes * count for minutes, count in timed) / weight, 1) if weight else None
    target = max((site.target for site in sites), default=0)
    return KecamatanDay(
        date=tanggal,
        kode_kecamatan=kode_kecamatan,
        nama=nama,
        recorded=recorded,
        failed=sum(site.failed for site in sites),
        walk_ins=sum(site.walk_ins for site in sites),
        missed=sum(site.missed for site in sites),
        target=target or None,
        sets_working=sum(site.sets_working for site in sites),
        mean_minutes=mean,
        idle_minutes=sum(site.idle_minutes for site in sites),
        sites=len(sites),
    )

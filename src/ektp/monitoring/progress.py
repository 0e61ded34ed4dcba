"""The progress of the campaign per level, city → kecamatan → kelurahan → RT (read only).

Recorded, turns, walk-ins and evening come from ``progress_rt_days`` (written at each day's
closing), per-set throughput and idle time from the closed days' reports, cards from the
pipeline's stage counters, wajib KTP from the registry's counts: no page counts recordings.
Functions take a keyword-only ``session`` and never write.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ektp.cards.lifecycle import STATES
from ektp.cards.models import CardStageCount
from ektp.monitoring import memo
from ektp.monitoring.figures import (
    CHART_DAYS,
    PACE_DAYS,
    DayPoint,
    Figures,
    Ranked,
    pace,
    ranking,
    working_days,
)
from ektp.monitoring.models import ProgressRtDay
from ektp.recording.daily import DAY
from ektp.recording.models import DailyReport
from ektp.regions import service as regions_service
from ektp.residents.counts import _count_columns as count_columns
from ektp.residents.counts import counts_by_kelurahan, counts_by_unit
from ektp.residents.models import Resident
from ektp.scheduling.campaign import Campaign as Definition

CITY, KECAMATAN, KELURAHAN, RT = "kota", "kecamatan", "kelurahan", "rt"
_PATTERNS = (
    (CITY, re.compile(r"^\d{2}\.\d{2}$")),
    (KECAMATAN, re.compile(r"^\d{2}\.\d{2}\.\d{2}$")),
    (KELURAHAN, re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")),
    (RT, re.compile(r"^(\d{2}\.\d{2}\.\d{2}\.\d{4})\.RW(\d{3})\.RT(\d{3})$")),
)
_SUMS = ("recorded", "failed", "walk_ins", "evening", "invited", "missed")


class ProgressNotFoundError(LookupError):
    """Raised for a code that is no region or RT of the campaign's city."""


@dataclass(frozen=True)
class SiteThroughput:
    """A site's closed days in the chart's window: recorded per set per day, idle share."""

    site_code: str
    nama: str
    kode_kecamatan: str
    days: int
    set_days: int
    recorded: int
    idle_minutes: int
    open_minutes: int

    @property
    def per_set_per_day(self) -> float | None:
        """Return recorded per working set per closed day."""
        return self.recorded / self.set_days if self.set_days else None

    @property
    def idle_share(self) -> float | None:
        """Return idle set-minutes / open set-minutes."""
        return self.idle_minutes / self.open_minutes if self.open_minutes else None


@dataclass(frozen=True)
class Progress:
    """One level's dashboard: its figures, chart, children, sites and cards."""

    figures: Figures
    as_of: dt.date
    trail: list[tuple[str, str]]  # (kode, nama) from the city down to the parent
    days: list[DayPoint]
    target_kind: str  # "target" (the campaign's daily target) or "invited" (turns due)
    children: list[Figures]
    child_level: str | None
    sites: list[SiteThroughput] = field(default_factory=list)
    cards: list[tuple[str, int]] = field(default_factory=list)
    ranked: list[Ranked] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the dashboard as a JSON-ready dict."""
        return {
            **self.figures.as_json(),
            "as_of": self.as_of.isoformat(),
            "target_kind": self.target_kind,
            "days": [
                {"tanggal": d.tanggal.isoformat(), "recorded": d.recorded, "target": d.target}
                for d in self.days
            ],
            "children": [child.as_json() for child in self.children],
            "sites": [
                {
                    "site_code": s.site_code,
                    "nama": s.nama,
                    "days": s.days,
                    "recorded": s.recorded,
                    "per_set_per_day": s.per_set_per_day,
                    "idle_share": s.idle_share,
                }
                for s in self.sites
            ],
            "cards": dict(self.cards),
            "ranking": [
                {"kode": r.figures.kode, "by_coverage": r.by_coverage, "by_pace": r.by_pace}
                for r in self.ranked
            ],
        }


def level_of(kode: str) -> str:
    """Return the level of a dashboard code (kota, kecamatan, kelurahan, rt), else raise."""
    for level, pattern in _PATTERNS:
        if pattern.match(kode):
            return level
    raise ProgressNotFoundError(f"{kode!r} is no region or RT code")


def _is_working(definition: Definition) -> Any:
    weekdays = {day for template in definition.sessions for day in template.weekdays}

    def is_working(day: dt.date) -> bool:
        return day.weekday() in weekdays and not definition.closed.is_closed(day)

    return is_working


def _last_closed(session: Session, today: dt.date) -> dt.date | None:
    return session.scalar(
        select(func.max(ProgressRtDay.tanggal)).where(ProgressRtDay.tanggal <= today)
    )


def _sums(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    group: Sequence[Any],
    days: Sequence[dt.date] | None = None,
) -> dict[tuple[Any, ...], dict[str, int]]:
    columns = [func.sum(getattr(ProgressRtDay, name)) for name in _SUMS]
    query = select(*group, *columns).where(*where).group_by(*group)
    if days is not None:
        query = query.where(ProgressRtDay.tanggal.in_(list(days)))
    found: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in session.execute(query):
        key = tuple(row[: len(group)])
        found[key] = {
            name: int(value or 0) for name, value in zip(_SUMS, row[len(group) :], strict=True)
        }
    return found


def _added(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    """Return the sums of ``rows`` added up, column by column."""
    total = dict.fromkeys(_SUMS, 0)
    for row in rows:
        for name in _SUMS:
            total[name] += row[name]
    return total


def _by_day(
    per_day: dict[tuple[Any, ...], dict[str, int]],
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Return the sums per (…, day) of the children added up per (day,)."""
    grouped: dict[dt.date, list[dict[str, int]]] = defaultdict(list)
    for key, sums in per_day.items():
        grouped[key[-1]].append(sums)
    return {(day,): _added(rows) for day, rows in grouped.items()}


def _scope(level: str, kode: str) -> tuple[list[ColumnElement[bool]], list[Any]]:
    """Return the rows of a level (conditions) and what its children are grouped by."""
    day = ProgressRtDay
    if level == CITY:
        return [day.kode_kecamatan.startswith(kode + ".")], [day.kode_kecamatan]
    if level == KECAMATAN:
        return [day.kode_kecamatan == kode], [day.kode_kelurahan]
    if level == KELURAHAN:
        return [day.kode_kecamatan == kode[:8], day.kode_kelurahan == kode], [day.rw, day.rt]
    match = _PATTERNS[3][1].match(kode)
    assert match is not None
    kelurahan, rw, rt = match.group(1), int(match.group(2)), int(match.group(3))
    return [
        day.kode_kecamatan == kelurahan[:8],
        day.kode_kelurahan == kelurahan,
        day.rw == rw,
        day.rt == rt,
    ], []


def _child_code(level: str, kode: str, key: tuple[Any, ...]) -> str:
    if level == KELURAHAN:
        return regions_service.rt_code(kode, int(key[0]), int(key[1]))
    return str(key[0])


def _wajib(session: Session, level: str, kode: str, as_of: dt.date) -> tuple[int, dict[str, int]]:
    """Return wajib KTP of the level and of each child (children with residents only)."""
    if level in (CITY, KECAMATAN):
        if level == CITY:  # the city's forecast counts the same kelurahan (memo)
            counts = memo.city_counts(session=session, city=kode, as_of=as_of)
        else:
            kelurahan = regions_service.kelurahan_codes(session=session, city=kode)
            counts = counts_by_kelurahan(session=session, kelurahan=kelurahan, as_of=as_of)
        children: dict[str, int] = defaultdict(int)
        for kel, (_residents, wajib) in counts.items():
            children[kel[:8] if level == CITY else kel] += wajib
        return sum(children.values()), dict(children)
    if level == KELURAHAN:
        rts = _wajib_per_rt(session, kode, as_of)
        return sum(rts.values()), rts
    match = _PATTERNS[3][1].match(kode)
    assert match is not None
    kel, rw, rt = match.group(1), int(match.group(2)), int(match.group(3))
    per_rt = counts_by_unit(session=session, kode_kelurahan=kel, as_of=as_of, rw=rw)
    if rt not in per_rt:
        raise ProgressNotFoundError(f"no resident lives in {kode}")
    return per_rt[rt][1], {}


def _wajib_per_rt(session: Session, kode_kelurahan: str, as_of: dt.date) -> dict[str, int]:
    """Return wajib KTP per RT of a kelurahan (RTs with residents), in one query over the
    kelurahan's residents rather than one per RW."""
    residents, wajib = count_columns(as_of)
    rows = session.execute(
        select(Resident.rw, Resident.rt, residents, wajib)
        .where(Resident.kode_kelurahan == kode_kelurahan)
        .group_by(Resident.rw, Resident.rt)
    )
    return {
        regions_service.rt_code(kode_kelurahan, int(rw), int(rt)): int(count or 0)
        for rw, rt, living, count in rows
        if living
    }


def _names(session: Session, level: str, kode: str, children: Sequence[str]) -> dict[str, str]:
    match = _PATTERNS[3][1].match(kode)
    base = match.group(1) if match else kode
    codes = {base, base[:5], base[:8], base[:13], *([] if level == KELURAHAN else children)}
    names = regions_service.region_names(session=session, codes=codes)
    for child in children if level == KELURAHAN else ():
        names[child] = _rt_name(child)
    if match:
        names[kode] = _rt_name(kode)
    return names


def _rt_name(rt_code: str) -> str:
    parts = rt_code.split(".")
    return f"RT {parts[-1][2:]} / RW {parts[-2][2:]}"


def _trail(level: str, kode: str, names: dict[str, str]) -> list[tuple[str, str]]:
    match = _PATTERNS[3][1].match(kode)
    base = match.group(1) if match else kode
    steps = {CITY: [], KECAMATAN: [base[:5]], KELURAHAN: [base[:5], base[:8]]}.get(
        level, [base[:5], base[:8], base]
    )
    return [(step, names.get(step, step)) for step in steps]


def _sites(
    session: Session, definition: Definition, level: str, kode: str, days: Sequence[dt.date]
) -> list[SiteThroughput]:
    if level not in (CITY, KECAMATAN) or not days:
        return []
    report = DailyReport
    columns = (report.site_code, report.kode_kecamatan, report.sets_working, report.recorded)
    query = select(*columns, report.per_set).where(
        DailyReport.session == DAY,
        DailyReport.tanggal >= days[0],
        DailyReport.tanggal <= days[-1],
    )
    if level == KECAMATAN:
        query = query.where(DailyReport.kode_kecamatan == kode)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    kecamatan: dict[str, str] = {}
    for site_code, kode_kecamatan, sets_working, recorded, per_set_json in session.execute(query):
        one = totals[site_code]
        kecamatan[site_code] = kode_kecamatan
        per_set = json.loads(per_set_json or "[]")
        one[0] += 1
        one[1] += sets_working
        one[2] += recorded
        one[3] += sum(int(s.get("idle_minutes", 0)) for s in per_set)
        one[4] += sum(
            int(s.get("idle_minutes", 0)) + int(s.get("busy_minutes", 0)) for s in per_set
        )
    names = {site.code: site.name or site.code for site in definition.sites}
    return [
        SiteThroughput(code, names.get(code, code), kecamatan[code], *values)
        for code, values in sorted(totals.items())
    ]


def _cards(session: Session, level: str, kode: str) -> list[tuple[str, int]]:
    if level not in (CITY, KECAMATAN):
        return []
    query = select(CardStageCount.state, func.sum(CardStageCount.cards)).group_by(
        CardStageCount.state
    )
    if level == KECAMATAN:
        query = query.where(CardStageCount.kode_kecamatan == kode)
    else:
        query = query.where(CardStageCount.kode_kecamatan.startswith(kode + "."))
    found = {state: int(cards or 0) for state, cards in session.execute(query)}
    return [(state, found.get(state, 0)) for state in STATES]


def progress(*, session: Session, kode: str, today: dt.date) -> Progress:
    """Return the dashboard of ``kode`` (the city, a kecamatan, a kelurahan or an RT code
    like ``16.71.06.1001.RW003.RT005``) from the days closed up to ``today``.

    Raises ProgressNotFoundError for a code outside the campaign's city or unknown.
    """
    level = level_of(kode)
    _campaign_id, definition = memo.campaign_definition(session=session)
    if not (kode == definition.city or kode.startswith(definition.city + ".")):
        raise ProgressNotFoundError(f"{kode} is not in the campaign's city {definition.city}")
    as_of = _last_closed(session, today) or today
    chart_days = working_days(
        as_of, CHART_DAYS, is_working=_is_working(definition), first=definition.start
    )
    pace_days = chart_days[-PACE_DAYS:]
    where, group = _scope(level, kode)
    wajib, child_wajib = _wajib(session, level, kode, as_of)
    children: list[Figures] = []
    child_level = {CITY: KECAMATAN, KECAMATAN: KELURAHAN, KELURAHAN: RT}.get(level)
    if group:
        # Each of the level's rows is read once: the level's totals are its children's
        # added up, its days the children's days (the chart's window) added up.
        sums = {_child_code(level, kode, key): s for key, s in _sums(session, where, group).items()}
        total = _added(sums.values())
        per_day = _sums(session, where, [*group, ProgressRtDay.tanggal], chart_days)
        by_day = _by_day(per_day)
        child_days: dict[str, dict[dt.date, int]] = defaultdict(dict)
        for key, values in per_day.items():
            if key[-1] in pace_days:
                child_days[_child_code(level, kode, key[:-1])][key[-1]] = values["recorded"]
        codes = sorted(set(child_wajib) | set(sums))
        names = _names(session, level, kode, codes)
        for code in codes:
            children.append(
                Figures(
                    kode=code,
                    nama=names.get(code, code),
                    level=child_level or "",
                    wajib_ktp=child_wajib.get(code, 0),
                    pace=pace(child_days.get(code, {}), pace_days),
                    **sums.get(code, dict.fromkeys(_SUMS, 0)),
                )
            )
    else:
        total = _sums(session, where, []).get((), dict.fromkeys(_SUMS, 0))
        by_day = _sums(session, where, [ProgressRtDay.tanggal], chart_days)
        names = _names(session, level, kode, [])
    recorded_by_day = {key[0]: sums["recorded"] for key, sums in by_day.items()}
    if level in (CITY, KECAMATAN):
        target = definition.target_per_kecamatan_per_day
        kecamatan_count = len({site.kecamatan for site in definition.sites}) if level == CITY else 1
        daily_target = None if target is None else target * kecamatan_count
        days = [DayPoint(d, recorded_by_day.get(d, 0), daily_target) for d in chart_days]
        target_kind = "target"
    else:
        invited = {key[0]: s["invited"] for key, s in by_day.items()}
        days = [DayPoint(d, recorded_by_day.get(d, 0), invited.get(d, 0)) for d in chart_days]
        target_kind = "invited"
    if level != RT and kode not in names:
        raise ProgressNotFoundError(f"no region {kode}")
    figures = Figures(
        kode=kode,
        nama=names.get(kode, kode),
        level=level,
        wajib_ktp=wajib,
        pace=pace(recorded_by_day, pace_days),
        **total,
    )
    return Progress(
        figures=figures,
        as_of=as_of,
        trail=_trail(level, kode, names),
        days=days,
        target_kind=target_kind,
        children=children,
        child_level=child_level,
        sites=_sites(session, definition, level, kode, chart_days),
        cards=_cards(session, level, kode),
        ranked=ranking(children) if level == CITY else [],
    )

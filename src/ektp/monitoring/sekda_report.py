"""The Sekda's daily report: one page for the city and one per kecamatan with coverage,
pace, alerts, forecast and plan, as PDF (WeasyPrint) and XLSX (openpyxl).

Two capacity figures appear and are labelled apart: the forecast's finish "by capacity"
counts every turn of the sets (the reserve for walk-ins included), the equipment planner's
sets needed count only the bookable turns (reserve excluded), as ``ektp plan equipment``.

``sekda_report`` reads (keyword-only ``session``, never writes); ``report_pdf`` and
``report_xlsx`` turn its result into bytes without touching the database, so the evening
job and the web download share them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ektp.monitoring.forecast import Forecast
from ektp.monitoring.forecast_service import AreaHistory, campaign_state, forecasts_of
from ektp.monitoring.sekda_alerts import AlertLine, alert_lines
from ektp.planning import service as planning
from ektp.planning.equipment import KecamatanNeed, Needs
from ektp.recording import closing
from ektp.scheduling import service as scheduling
from ektp.scheduling.report import KecamatanReport

RECENT_DAYS = 10
"""Closed days listed on each page (the XLSX lists them all)."""


@dataclass(frozen=True)
class PlanFigures:
    """The latest plan of an area: sets, capacity, its last day against the deadline."""

    sets: int
    daily_capacity: int
    last_day: dt.date | None
    deadline_met: bool
    extra_sets_needed: int | None


@dataclass(frozen=True)
class EquipmentFigures:
    """The equipment planner's answer for an area as of the report's day (reserve excluded):
    ``sets_needed = ceil(remaining / per_set_capacity_until_deadline)``.

    For the city, ``open_days`` and ``per_set_capacity_until_deadline`` are None (they are
    per kecamatan) and the others are sums, the finish the latest one.
    """

    first_day: dt.date
    sets_now: int
    open_days: int | None
    per_set_capacity_until_deadline: int | None
    sets_needed: int | None
    additional_sets: int | None
    finish_now: dt.date | None


@dataclass(frozen=True)
class DayLine:
    """One closed day of an area: recorded against the target (0: none set)."""

    date: dt.date
    recorded: int
    target: int


@dataclass(frozen=True)
class AreaPage:
    """One page of the report: the city or a kecamatan."""

    kode: str
    nama: str
    wajib_ktp: int
    recorded: int
    day_recorded: int | None
    day_target: int | None
    days: tuple[DayLine, ...]
    forecast: Forecast
    plan: PlanFigures | None
    alerts: tuple[AlertLine, ...]
    equipment: EquipmentFigures | None = None

    @property
    def remaining(self) -> int:
        """Return the residents still to record."""
        return max(self.wajib_ktp - self.recorded, 0)

    @property
    def coverage(self) -> float:
        """Return recorded / wajib KTP as a percentage (0 with nobody to record)."""
        return 100.0 * self.recorded / self.wajib_ktp if self.wajib_ktp else 0.0

    @property
    def recent(self) -> tuple[DayLine, ...]:
        """Return the last closed days, latest first, as many as a page shows."""
        return tuple(reversed(self.days[-RECENT_DAYS:]))


@dataclass(frozen=True)
class SekdaReport:
    """The report of one day: the city's page first, then each kecamatan's."""

    day: dt.date
    campaign_name: str
    city: str
    city_name: str
    deadline: dt.date
    target_per_day: int | None
    city_page: AreaPage
    kecamatan: tuple[AreaPage, ...]

    @property
    def pages(self) -> tuple[AreaPage, ...]:
        """Return every page in print order."""
        return (self.city_page, *self.kecamatan)


def _plan_of(line: KecamatanReport) -> PlanFigures:
    return PlanFigures(
        sets=line.sets,
        daily_capacity=line.daily_capacity,
        last_day=line.last_day,
        deadline_met=line.deadline_met,
        extra_sets_needed=line.extra_sets_needed,
    )


def city_plan(lines: Sequence[KecamatanReport]) -> PlanFigures | None:
    """Return the city's plan: sets and capacity summed, the latest last day, met only when
    every kecamatan meets it, extra sets summed (None if one cannot be helped)."""
    if not lines:
        return None
    extras = [line.extra_sets_needed for line in lines]
    last_days = [line.last_day for line in lines]
    return PlanFigures(
        sets=sum(line.sets for line in lines),
        daily_capacity=sum(line.daily_capacity for line in lines),
        last_day=None if None in last_days else max(d for d in last_days if d is not None),
        deadline_met=all(line.deadline_met for line in lines),
        extra_sets_needed=None if None in extras else sum(extra or 0 for extra in extras),
    )


def _equipment(first_day: dt.date, line: KecamatanNeed) -> EquipmentFigures:
    return EquipmentFigures(
        first_day=first_day,
        sets_now=line.sets_now,
        open_days=line.open_days_until_deadline,
        per_set_capacity_until_deadline=line.per_set_capacity_until_deadline,
        sets_needed=line.sets_needed,
        additional_sets=line.additional_sets,
        finish_now=line.finish_now,
    )


def city_equipment(needs: Needs) -> EquipmentFigures:
    """Return the city's line of the planner: sets summed, the latest finish."""
    lines = needs.lines
    wanted = [line.sets_needed for line in lines]
    return EquipmentFigures(
        first_day=needs.first_day,
        sets_now=sum(line.sets_now for line in lines),
        open_days=None,
        per_set_capacity_until_deadline=None,
        sets_needed=None if None in wanted else sum(need or 0 for need in wanted),
        additional_sets=needs.total_additional,
        finish_now=needs.latest_finish_now,
    )


def _day_lines(area: AreaHistory) -> tuple[DayLine, ...]:
    targets = dict(area.targets)
    return tuple(DayLine(day, recorded, targets.get(day, 0)) for day, recorded in area.days)


def _on(days: Sequence[DayLine], day: dt.date) -> DayLine | None:
    return next((line for line in days if line.date == day), None)


def default_day(*, session: Session) -> dt.date:
    """Return the day a report is made for by default: the last closed day, else the
    campaign's day today."""
    last = closing.last_closed_day(session=session)
    if last is not None:
        return last
    campaign = scheduling.require_campaign(session=session)
    return scheduling.campaign_today(campaign, dt.datetime.now(dt.UTC))


def sekda_report(*, session: Session, day: dt.date) -> SekdaReport:
    """Return the report of ``day``: closed days up to it, forecasts as of it, the latest
    plan and the alerts of that day."""
    state = campaign_state(session=session, today=day)
    found = forecasts_of(state)
    city_forecast, by_kode = found[0], {item.kode: item for item in found[1:]}
    campaign = scheduling.require_campaign(session=session)
    plans = {
        line.kode_kecamatan: line
        for line in scheduling.plan_report(session=session, campaign=campaign)
    }
    alerts = alert_lines(session=session, today=day)
    needs = planning.needs_on(session=session, today=day)
    equipment = {line.kode_kecamatan: _equipment(needs.first_day, line) for line in needs.lines}
    pages = []
    for area in state.kecamatan:
        days = _day_lines(area)
        today_line = _on(days, day)
        plan = plans.get(area.kode)
        pages.append(
            AreaPage(
                kode=area.kode,
                nama=area.nama,
                wajib_ktp=area.wajib_ktp,
                recorded=area.recorded,
                day_recorded=today_line.recorded if today_line else None,
                day_target=(today_line.target or None) if today_line else None,
                days=days,
                forecast=by_kode[area.kode],
                plan=_plan_of(plan) if plan else None,
                alerts=tuple(line for line in alerts if line.kode_kecamatan == area.kode),
                equipment=equipment.get(area.kode),
            )
        )
    city_targets: dict[dt.date, int] = {}
    for page in pages:
        for line in page.days:
            city_targets[line.date] = city_targets.get(line.date, 0) + line.target
    city_days = tuple(
        DayLine(date, recorded, city_targets.get(date, 0)) for date, recorded in state.city_history
    )
    today_city = _on(city_days, day)
    city_page = AreaPage(
        kode=state.city,
        nama=state.city_name,
        wajib_ktp=sum(page.wajib_ktp for page in pages),
        recorded=sum(page.recorded for page in pages),
        day_recorded=today_city.recorded if today_city else None,
        day_target=(today_city.target or None) if today_city else None,
        days=city_days,
        forecast=city_forecast,
        plan=city_plan([plans[page.kode] for page in pages if page.kode in plans]),
        alerts=tuple(alerts),
        equipment=city_equipment(needs),
    )
    return SekdaReport(
        day=day,
        campaign_name=state.campaign_name,
        city=state.city,
        city_name=state.city_name,
        deadline=state.deadline,
        target_per_day=state.target_per_day,
        city_page=city_page,
        kecamatan=tuple(pages),
    )

"""Forecasts of the active campaign per kecamatan and for the city, from the frozen daily
reports, the registry's wajib KTP counts and the sites' calendars. Reads only; functions take
a keyword-only ``session`` and never write.

``recorded`` is the sum of the closed days' reports (``daily_reports``, whole-day rows), so
a day still running counts only once it is closed: the forecast and the Sekda's report agree
with ``ektp report daily`` to the resident.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.monitoring.forecast import (
    DEFAULT_WEEKS,
    Forecast,
    WorkingDay,
    combined_calendar,
    combined_history,
    forecast,
)
from ektp.recording.closing import DAY
from ektp.recording.models import DailyReport
from ektp.regions import service as regions_service
from ektp.residents.counts import counts_by_kelurahan
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import kecamatan_names
from ektp.scheduling.demand import as_date
from ektp.sites.calendar import build_calendar

HORIZON = dt.timedelta(days=3 * 365)
"""How far past the deadline the calendar runs: a pace slower than that is 'beyond'."""


@dataclass(frozen=True)
class AreaHistory:
    """An area's figures up to a day: wajib KTP, closed days and their recorded residents."""

    kode: str
    nama: str
    wajib_ktp: int
    days: tuple[tuple[dt.date, int], ...]
    targets: tuple[tuple[dt.date, int], ...]

    @property
    def recorded(self) -> int:
        """Return the residents recorded on the closed days."""
        return sum(count for _, count in self.days)

    @property
    def remaining(self) -> int:
        """Return the wajib KTP residents still to record (never below zero)."""
        return max(self.wajib_ktp - self.recorded, 0)


@dataclass(frozen=True)
class CampaignState:
    """Everything the forecasts and the Sekda's report are computed from, as of ``today``."""

    today: dt.date
    campaign_name: str
    city: str
    city_name: str
    deadline: dt.date
    target_per_day: int | None
    kecamatan: tuple[AreaHistory, ...]
    calendars: dict[str, list[WorkingDay]]

    @property
    def city_history(self) -> list[tuple[dt.date, int]]:
        """Return the city's recorded residents per closed day."""
        return combined_history([area.days for area in self.kecamatan])


def _wajib_ktp(session: Session, definition: Definition, today: dt.date) -> dict[str, int]:
    """Return wajib KTP per kecamatan of a site, counting each kelurahan at its serving site."""
    kelurahan = regions_service.kelurahan_codes(session=session, city=definition.city)
    serving = {}
    for kode in kelurahan:
        site = definition.site_for_kelurahan(kode)
        if site is not None:
            serving[kode] = site.kecamatan
    counts = counts_by_kelurahan(session=session, kelurahan=serving, as_of=today)
    totals: dict[str, int] = {site.kecamatan: 0 for site in definition.sites}
    for kode, (_residents, wajib_ktp) in counts.items():
        totals[serving[kode]] += wajib_ktp
    return totals


def _closed_days(
    session: Session, campaign_id: int, today: dt.date
) -> dict[str, list[tuple[dt.date, int, int]]]:
    """Return (date, recorded, target) per kecamatan for each closed day up to ``today``."""
    rows = session.execute(
        select(
            DailyReport.kode_kecamatan,
            DailyReport.tanggal,
            func.sum(DailyReport.recorded),
            func.max(DailyReport.target),
        )
        .where(
            DailyReport.campaign_id == campaign_id,
            DailyReport.session == DAY,
            DailyReport.tanggal <= today,
        )
        .group_by(DailyReport.kode_kecamatan, DailyReport.tanggal)
        .order_by(DailyReport.kode_kecamatan, DailyReport.tanggal)
    )
    found: dict[str, list[tuple[dt.date, int, int]]] = defaultdict(list)
    for kode, tanggal, recorded, target in rows:
        found[str(kode)].append((as_date(tanggal), int(recorded or 0), int(target or 0)))
    return found


def _calendars(
    definition: Definition, first_day: dt.date, last_day: dt.date
) -> dict[str, list[WorkingDay]]:
    """Return each kecamatan's working days from ``first_day`` with its sites' capacity."""
    per_kecamatan: dict[str, list[list[WorkingDay]]] = defaultdict(list)
    for site in definition.sites:
        calendar = build_calendar(site, first_day, last_day, definition.closed)
        by_day: dict[dt.date, int] = defaultdict(int)
        for day, capacity in zip(calendar.days, calendar.capacity.tolist(), strict=True):
            by_day[day] += int(capacity)
        per_kecamatan[site.kecamatan].append(
            [WorkingDay(date=day, capacity=by_day[day]) for day in sorted(by_day)]
        )
    return {kode: combined_calendar(parts) for kode, parts in per_kecamatan.items()}


def campaign_state(*, session: Session, today: dt.date) -> CampaignState:
    """Return the active campaign's figures as of ``today`` (closed days up to it included).

    The remaining calendar starts the day after the last closed day, and never before
    ``today``: a day not yet closed still counts as a day to record on.
    """
    campaign = scheduling.require_campaign(session=session)
    definition = scheduling.campaign_definition(session=session, campaign=campaign)
    wajib = _wajib_ktp(session, definition, today)
    closed = _closed_days(session, campaign.id, today)
    codes = sorted(set(wajib) | set(closed))
    names = kecamatan_names(session=session, codes=[*codes, definition.city])
    areas = tuple(
        AreaHistory(
            kode=kode,
            nama=names.get(kode, kode),
            wajib_ktp=wajib.get(kode, 0),
            days=tuple((day, recorded) for day, recorded, _ in closed.get(kode, [])),
            targets=tuple((day, target) for day, _, target in closed.get(kode, [])),
        )
        for kode in codes
    )
    last_closed = max((day for rows in closed.values() for day, _, _ in rows), default=None)
    first = max(today, last_closed + dt.timedelta(days=1)) if last_closed else today
    first = max(first, definition.start)
    calendars = _calendars(definition, first, max(definition.deadline, first) + HORIZON)
    return CampaignState(
        today=today,
        campaign_name=campaign.name,
        city=definition.city,
        city_name=names.get(definition.city, definition.city),
        deadline=definition.deadline,
        target_per_day=definition.target_per_kecamatan_per_day,
        kecamatan=areas,
        calendars=calendars,
    )


def forecasts_of(state: CampaignState, *, weeks: int = DEFAULT_WEEKS) -> list[Forecast]:
    """Return the city's forecast first, then each kecamatan's in code order."""
    city = forecast(
        kode=state.city,
        nama=state.city_name,
        history=state.city_history,
        remaining=sum(area.remaining for area in state.kecamatan),
        calendar=combined_calendar(list(state.calendars.values())),
        deadline=state.deadline,
        weeks=weeks,
    )
    return [
        city,
        *(
            forecast(
                kode=area.kode,
                nama=area.nama,
                history=area.days,
                remaining=area.remaining,
                calendar=state.calendars.get(area.kode, []),
                deadline=state.deadline,
                weeks=weeks,
            )
            for area in state.kecamatan
        ),
    ]


def forecasts(*, session: Session, today: dt.date, weeks: int = DEFAULT_WEEKS) -> list[Forecast]:
    """Return the forecasts of the active campaign as of ``today``: the city's first, then
    each kecamatan's with a site, in code order."""
    return forecasts_of(campaign_state(session=session, today=today), weeks=weeks)

"""Forecasts of the active campaign per kecamatan and for the city, from the frozen daily
reports, the registry's wajib KTP counts and the sites' calendars. Reads only; functions take
a keyword-only ``session`` and never write.

``recorded`` is the sum of the closed days' reports (``daily_reports``, whole-day rows), so
a day still running counts only once it is closed: the forecast and the Sekda's report agree
with ``ektp report daily`` to the resident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.monitoring import memo
from ektp.monitoring.forecast import (
    DEFAULT_WEEKS,
    Forecast,
    WorkingDay,
    combined_history,
    forecast,
)
from ektp.recording.closing import DAY
from ektp.recording.models import DailyReport
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign import Campaign as Definition
from ektp.scheduling.campaigns import kecamatan_names
from ektp.scheduling.demand import as_date
from ektp.sites.calendar import IntArray, build_calendar
from ektp.sites.capacity import ClosedDays, Site

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


@dataclass(frozen=True, eq=False)
class Capacity:
    """An area's sets' capacity (reserve included) on each day from ``first_day``, and the
    days it opens, as arrays (a city's three years are a few thousand numbers)."""

    first_day: dt.date
    capacity: IntArray
    opened: npt.NDArray[np.bool_]

    def working_days(self) -> list[WorkingDay]:
        """Return the open days with their capacity, in date order."""
        first = self.first_day
        indexes = np.flatnonzero(self.opened)
        return [
            WorkingDay(date=first + dt.timedelta(days=index), capacity=turns)
            for index, turns in zip(indexes.tolist(), self.capacity[indexes].tolist(), strict=True)
        ]

    @staticmethod
    def total(parts: Sequence[Capacity]) -> Capacity:
        """Return the capacity of several areas with the same first day, added up."""
        if not parts:
            return Capacity(dt.date.min, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
        return Capacity(
            parts[0].first_day,
            np.sum([part.capacity for part in parts], axis=0),
            np.any([part.opened for part in parts], axis=0),
        )


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
    capacities: dict[str, Capacity]

    @property
    def city_history(self) -> list[tuple[dt.date, int]]:
        """Return the city's recorded residents per closed day."""
        return combined_history([area.days for area in self.kecamatan])

    @functools.cached_property
    def calendars(self) -> dict[str, list[WorkingDay]]:
        """Return each kecamatan's remaining working days with its sets' capacity."""
        return {kode: one.working_days() for kode, one in self.capacities.items()}

    def city_calendar(self) -> list[WorkingDay]:
        """Return the city's remaining working days: a day any kecamatan works, capacities
        summed (``combined_calendar`` of the kecamatan's, added up as arrays)."""
        return Capacity.total(list(self.capacities.values())).working_days()


def _wajib_ktp(session: Session, definition: Definition, today: dt.date) -> dict[str, int]:
    """Return wajib KTP per kecamatan of a site, counting each kelurahan at its serving site."""
    # The city's dashboard counted the same kelurahan in the same request (memo).
    counts = memo.city_counts(session=session, city=definition.city, as_of=today)
    totals: dict[str, int] = {site.kecamatan: 0 for site in definition.sites}
    for kode, (_residents, wajib_ktp) in counts.items():
        site = definition.site_for_kelurahan(kode)
        if site is not None:
            totals[site.kecamatan] += wajib_ktp
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


def _sets_by_day(site: Site, first_day: dt.date, size: int) -> IntArray:
    """Return the site's working sets on each day from ``first_day`` (``sets_working``)."""
    sets = np.full(size, site.sets, dtype=np.int64)
    for change in site.sets_history:
        sets[max((change.date - first_day).days, 0) :] += change.change
    return sets


def _shape(site: Site) -> Site:
    """Return what of a site its capacity per set depends on: sessions, minutes per person,
    its own closed days (one set, no name, code, area, history or reserve)."""
    return dataclasses.replace(
        site,
        code="",
        kecamatan="",
        name="",
        kelurahan=frozenset(),
        sets=1,
        sets_history=(),
        reserve_shares={},
    )


@functools.lru_cache(maxsize=32)
def _one_set(
    shape: Site, closed: ClosedDays, first_day: dt.date, last_day: dt.date
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Return one set's capacity (reserve included) on each day from ``first_day`` to
    ``last_day`` at a site of ``shape`` (``_shape``), and which days it opens. Cached: every
    dashboard view of a day asks for the same few calendars."""
    size = (last_day - first_day).days + 1
    calendar = build_calendar(shape, first_day, last_day, closed)
    offsets = np.asarray([(day - first_day).days for day in calendar.days], dtype=int)
    daily = np.zeros(size, dtype=np.int64)
    np.add.at(daily, offsets, calendar.capacity)
    opened = np.zeros(size, dtype=bool)
    opened[offsets] = True
    daily.setflags(write=False)
    opened.setflags(write=False)
    return daily, opened


def _capacities(
    definition: Definition,
    first_day: dt.date,
    last_day: dt.date,
    kecamatan: Collection[str] | None = None,
) -> dict[str, Capacity]:
    """Return each kecamatan's (or only ``kecamatan``'s) sets' capacity from ``first_day``.

    A session's capacity is ``floor(minutes / minutes per person) * sets``, linear in the
    sets, so one calendar of one set per site configuration, times each site's sets per day,
    gives every site's capacity: a city of identical kecamatan offices builds one calendar
    over the three years, not one per site (the Sekda's report and the dashboards read it).
    """
    size = (last_day - first_day).days + 1
    capacity: dict[str, IntArray] = {}
    is_open: dict[str, npt.NDArray[np.bool_]] = {}
    for site in definition.sites:
        if kecamatan is not None and site.kecamatan not in kecamatan:
            continue
        daily, opened = _one_set(_shape(site), definition.closed, first_day, last_day)
        sets = np.maximum(_sets_by_day(site, first_day, size), 0)
        kode = site.kecamatan
        capacity[kode] = capacity.get(kode, np.zeros(size, dtype=np.int64)) + daily * sets
        is_open[kode] = is_open.get(kode, np.zeros(size, dtype=bool)) | opened
    return {kode: Capacity(first_day, total, is_open[kode]) for kode, total in capacity.items()}


def _calendars(
    definition: Definition, first_day: dt.date, last_day: dt.date
) -> dict[str, list[WorkingDay]]:
    """Return each kecamatan's working days from ``first_day`` with its sites' capacity."""
    found = _capacities(definition, first_day, last_day)
    return {kode: one.working_days() for kode, one in found.items()}


def first_open_day(*, start: dt.date, today: dt.date, last_closed: dt.date | None) -> dt.date:
    """Return the first day still to record on: ``today`` until it is closed, the day after
    the last closed day once it is (and never before the campaign's ``start``).

    The forecast's calendar and the equipment planner both start here, so that a day is
    either counted as recorded (closed) or as capacity still to come, never both or neither.
    """
    first = max(today, last_closed + dt.timedelta(days=1)) if last_closed else today
    return max(first, start)


def area_histories(
    *, session: Session, campaign_id: int, definition: Definition, today: dt.date
) -> tuple[tuple[AreaHistory, ...], dt.date | None]:
    """Return each kecamatan with a site (wajib KTP on ``today``, closed days up to it), in
    code order, and the last day closed up to ``today``.

    The forecast, the Sekda's report and the equipment planner all take "remaining" from
    here: wajib KTP less the recorded of the closed days' reports.
    """
    wajib = _wajib_ktp(session, definition, today)
    closed = _closed_days(session, campaign_id, today)
    codes = sorted(set(wajib) | set(closed))
    names = kecamatan_names(session=session, codes=codes)
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
    return areas, last_closed


def campaign_state(
    *, session: Session, today: dt.date, kecamatan: str | None = None
) -> CampaignState:
    """Return the active campaign's figures as of ``today`` (closed days up to it included).

    The remaining calendar starts on ``first_open_day``: a day not yet closed still counts
    as a day to record on. With ``kecamatan``, only that kecamatan's calendar is built (its
    dashboard needs no other; ``forecasts_of`` then needs the whole state).
    """
    campaign = scheduling.require_campaign(session=session)
    _campaign_id, definition = memo.campaign_definition(session=session)
    areas, last_closed = area_histories(
        session=session, campaign_id=campaign.id, definition=definition, today=today
    )
    first = first_open_day(start=definition.start, today=today, last_closed=last_closed)
    last = max(definition.deadline, first) + HORIZON
    only = None if kecamatan is None else [kecamatan]
    capacities = _capacities(definition, first, last, only)
    city_name = kecamatan_names(session=session, codes=[definition.city])[definition.city]
    return CampaignState(
        today=today,
        campaign_name=campaign.name,
        city=definition.city,
        city_name=city_name,
        deadline=definition.deadline,
        target_per_day=definition.target_per_kecamatan_per_day,
        kecamatan=areas,
        capacities=capacities,
    )


def area_forecast(
    state: CampaignState, area: AreaHistory, *, weeks: int = DEFAULT_WEEKS
) -> Forecast:
    """Return one kecamatan's forecast from ``state``."""
    return forecast(
        kode=area.kode,
        nama=area.nama,
        history=area.days,
        remaining=area.remaining,
        calendar=state.calendars.get(area.kode, []),
        deadline=state.deadline,
        weeks=weeks,
    )


def forecast_for(*, session: Session, today: dt.date, kode: str) -> Forecast | None:
    """Return the forecast of the city (``kode`` its code) or of one kecamatan with a site,
    as of ``today``; None for another code. A kecamatan's costs one calendar, not sixteen."""
    campaign = scheduling.require_campaign(session=session)
    if kode == campaign.city:
        return city_forecast(campaign_state(session=session, today=today))
    state = campaign_state(session=session, today=today, kecamatan=kode)
    area = next((one for one in state.kecamatan if one.kode == kode), None)
    return None if area is None else area_forecast(state, area)


def city_forecast(state: CampaignState, *, weeks: int = DEFAULT_WEEKS) -> Forecast:
    """Return the city's forecast from ``state``: its kecamatan's histories, remaining and
    calendars added up."""
    return forecast(
        kode=state.city,
        nama=state.city_name,
        history=state.city_history,
        remaining=sum(area.remaining for area in state.kecamatan),
        calendar=state.city_calendar(),
        deadline=state.deadline,
        weeks=weeks,
    )


def forecasts_of(state: CampaignState, *, weeks: int = DEFAULT_WEEKS) -> list[Forecast]:
    """Return the city's forecast first, then each kecamatan's in code order."""
    city = city_forecast(state, weeks=weeks)
    return [city, *(area_forecast(state, area, weeks=weeks) for area in state.kecamatan)]


def forecasts(*, session: Session, today: dt.date, weeks: int = DEFAULT_WEEKS) -> list[Forecast]:
    """Return the forecasts of the active campaign as of ``today``: the city's first, then
    each kecamatan's with a site, in code order."""
    return forecasts_of(campaign_state(session=session, today=today), weeks=weeks)

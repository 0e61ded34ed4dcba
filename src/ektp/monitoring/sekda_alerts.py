"""The alerts as the Sekda's report prints them: one line of Bahasa Indonesia each.

The alerts come from ``alerts_service.current_alerts``; each kind has its sentence, and an
unknown kind still prints its figures, so a new rule shows up in the report before it has a
sentence of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ektp.monitoring.alerts_service import current_alerts
from ektp.scheduling.letters import BULAN


@dataclass(frozen=True)
class AlertLine:
    """An alert of the report: its kind, its kecamatan and its sentence."""

    kind: str
    kode_kecamatan: str
    area: str
    text: str
    value: float = 0.0


def _day(value: Any) -> str:
    """Return an ISO date as "5 Okt 2011" (anything else as it is)."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {BULAN[day.month - 1][:3]} {day.year}"


def _percent(value: Any) -> str:
    try:
        return f"{100 * float(value):.0f}%"
    except (TypeError, ValueError):
        return str(value)


def alert_text(
    kind: str, area: str, value: float, threshold: float, params: Mapping[str, Any]
) -> str:
    """Return the sentence of one alert (pure)."""
    get = params.get
    if kind == "below_target":
        return (
            f"Di bawah target {get('days', value)} hari kerja berturut-turut sejak "
            f"{_day(get('since', '-'))}: {get('recorded', '-')} terekam dari target "
            f"{get('target', '-')} ({_percent(get('share', 0))})."
        )
    if kind == "idle_set":
        return (
            f"Set {get('site', area)} no. {get('set_no', '-')} menganggur {_percent(value)} "
            f"dari waktu buka pada {_day(get('tanggal', '-'))} (batas {_percent(threshold)})."
        )
    if kind == "low_attendance":
        return (
            f"{get('nama', area)}: kehadiran {_percent(value)} ({get('attended', '-')} dari "
            f"{get('invited', '-')} undangan; batas {_percent(threshold)})."
        )
    if kind == "cards_waiting":
        return (
            f"{get('cards', '-')} kartu menunggu di tahap {get('state', '-')} sejak "
            f"{_day(get('oldest', '-'))} ({value:.0f} hari; batas {threshold:.0f} hari)."
        )
    return f"{kind} {area}: {value} (batas {threshold})."


KIND_NAMES = {
    "below_target": "Di bawah target (hari kerja berturut-turut)",
    "idle_set": "Alat menganggur",
    "low_attendance": "Kehadiran RT rendah",
    "cards_waiting": "Kartu tertahan",
}


def city_summary(lines: Sequence[AlertLine], names: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the city page's alerts, one line per kind: the kecamatan below target by name
    with their days in a row (most first), the other kinds counted (pure)."""
    found = []
    for kind, label in KIND_NAMES.items():
        mine = [line for line in lines if line.kind == kind]
        if not mine:
            continue
        if kind == "below_target":
            ordered = sorted(mine, key=lambda line: (-line.value, line.kode_kecamatan))
            text = ", ".join(
                f"{names.get(line.kode_kecamatan, line.kode_kecamatan)} {line.value:.0f}"
                for line in ordered
            )
        else:
            kecamatan = len({line.kode_kecamatan for line in mine})
            text = f"{len(mine)} peringatan di {kecamatan} kecamatan (lihat halaman kecamatan)"
        found.append((label, text))
    others = [line for line in lines if line.kind not in KIND_NAMES]
    if others:
        found.append(("Lain", f"{len(others)} peringatan"))
    return found


def alert_lines(*, session: Session, today: dt.date) -> list[AlertLine]:
    """Return the alerts of ``today`` (``alerts_service.current_alerts``) as report lines."""
    return [
        AlertLine(
            kind=alert.kind,
            kode_kecamatan=alert.kode_kecamatan,
            area=alert.area,
            text=alert_text(
                alert.kind, alert.area, alert.value, alert.threshold, dict(alert.params)
            ),
            value=alert.value,
        )
        for alert in current_alerts(session=session, today=today)
    ]

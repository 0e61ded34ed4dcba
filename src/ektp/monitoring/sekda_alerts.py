"""The alerts as the Sekda's report prints them: one line of Bahasa Indonesia each.

The alerts come from ``alerts_service.current_alerts``; each kind has its sentence, and an
unknown kind still prints its figures, so a new rule shows up in the report before it has a
sentence of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ektp.monitoring.alerts_service import current_alerts


@dataclass(frozen=True)
class AlertLine:
    """An alert of the report: its kind, its kecamatan and its sentence."""

    kind: str
    kode_kecamatan: str
    area: str
    text: str


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
            f"{get('since', '-')}: {get('recorded', '-')} terekam dari target "
            f"{get('target', '-')} ({_percent(get('share', 0))})."
        )
    if kind == "idle_set":
        return (
            f"Set {get('site', area)} no. {get('set_no', '-')} menganggur {_percent(value)} "
            f"dari waktu buka pada {get('tanggal', '-')} (batas {_percent(threshold)})."
        )
    if kind == "low_attendance":
        return (
            f"{area}: kehadiran {_percent(value)} ({get('attended', '-')} dari "
            f"{get('invited', '-')} undangan; batas {_percent(threshold)})."
        )
    if kind == "cards_waiting":
        return (
            f"{get('cards', '-')} kartu menunggu di tahap {get('state', '-')} sejak "
            f"{get('oldest', '-')} ({value:.0f} hari; batas {threshold:.0f} hari)."
        )
    return f"{kind} {area}: {value} (batas {threshold})."


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
        )
        for alert in current_alerts(session=session, today=today)
    ]

"""The alert rules (pure): kecamatan below target, idle sets, RTs that stay home, cards stuck.

Each rule takes plain figures (read by ``alerts_service``) and the campaign's thresholds and
returns ``Alert`` values, most urgent first within the rule. Nothing here reads a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BELOW_TARGET = "below_target"
IDLE_SET = "idle_set"
LOW_ATTENDANCE = "low_attendance"
CARDS_WAITING = "cards_waiting"
KINDS = (BELOW_TARGET, IDLE_SET, LOW_ATTENDANCE, CARDS_WAITING)


@dataclass(frozen=True)
class Alert:
    """One alert: its rule, the region it concerns, the measured value and the threshold.

    ``area`` is the most precise region code (a kecamatan, or an RT such as
    ``16.71.06.1001.RW003.RT005``) and decides who sees the alert; ``subject`` names what
    it is about in that area (a site and set, a card stage); ``params`` hold the figures a
    message needs.
    """

    kind: str
    area: str
    kode_kecamatan: str
    value: float
    threshold: float
    subject: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class KecamatanDayFigures:
    """A kecamatan's closed working day: recorded against its target."""

    kode_kecamatan: str
    tanggal: dt.date
    recorded: int
    target: int


@dataclass(frozen=True)
class SetDay:
    """One set's closed day at a site: minutes busy and idle during the open hours."""

    site_code: str
    kode_kecamatan: str
    tanggal: dt.date
    set_no: int
    busy_minutes: int
    idle_minutes: int


@dataclass(frozen=True)
class RtTurns:
    """An RT's turns due so far: how many were due and how many nobody came for."""

    kode_kecamatan: str
    rt_code: str
    invited: int
    missed: int


@dataclass(frozen=True)
class StageWait:
    """Cards of a kecamatan in one state since before the cut-off, and the oldest date."""

    kode_kecamatan: str
    state: str
    cards: int
    oldest: dt.date


def below_target_streak(days: Sequence[KecamatanDayFigures]) -> int:
    """Return how many of the latest closed days, in a row, were below target."""
    streak = 0
    for day in sorted(days, key=lambda one: one.tanggal, reverse=True):
        if day.target <= 0 or day.recorded >= day.target:
            break
        streak += 1
    return streak


def below_target(days: Iterable[KecamatanDayFigures], *, min_days: int) -> list[Alert]:
    """Return an alert per kecamatan below its target ``min_days`` closed days in a row.

    The days given are the kecamatan's closed working days; a day without closing is no
    working day here (the rule judges what was reported, not what is missing).
    """
    by_kecamatan: dict[str, list[KecamatanDayFigures]] = {}
    for day in days:
        by_kecamatan.setdefault(day.kode_kecamatan, []).append(day)
    found: list[Alert] = []
    for kode, history in sorted(by_kecamatan.items()):
        streak = below_target_streak(history)
        if streak < min_days:
            continue
        recent = sorted(history, key=lambda one: one.tanggal)[-streak:]
        recorded = sum(day.recorded for day in recent)
        target = sum(day.target for day in recent)
        found.append(
            Alert(
                kind=BELOW_TARGET,
                area=kode,
                kode_kecamatan=kode,
                value=streak,
                threshold=min_days,
                params={
                    "days": streak,
                    "since": recent[0].tanggal.isoformat(),
                    "recorded": recorded,
                    "target": target,
                    "share": round(recorded / target, 3) if target else 0.0,
                },
            )
        )
    return sorted(found, key=lambda alert: (-alert.value, alert.area))


def idle_share(day: SetDay) -> float:
    """Return the share of a set's open minutes it stood idle (0 when it was never open)."""
    open_minutes = day.busy_minutes + day.idle_minutes
    return day.idle_minutes / open_minutes if open_minutes > 0 else 0.0


def idle_sets(days: Iterable[SetDay], *, max_share: float) -> list[Alert]:
    """Return an alert per set idle for more than ``max_share`` of its open time."""
    found = [
        Alert(
            kind=IDLE_SET,
            area=day.kode_kecamatan,
            kode_kecamatan=day.kode_kecamatan,
            value=round(idle_share(day), 3),
            threshold=max_share,
            subject=f"{day.site_code}#{day.set_no}",
            params={
                "site": day.site_code,
                "set_no": day.set_no,
                "tanggal": day.tanggal.isoformat(),
                "idle_minutes": day.idle_minutes,
                "open_minutes": day.busy_minutes + day.idle_minutes,
            },
        )
        for day in days
        if idle_share(day) > max_share
    ]
    return sorted(found, key=lambda alert: (-alert.value, alert.subject))


def attendance(turns: RtTurns) -> float:
    """Return attended / invited of an RT (1.0 when no turn was due)."""
    if turns.invited <= 0:
        return 1.0
    return (turns.invited - turns.missed) / turns.invited


def low_attendance(rts: Iterable[RtTurns], *, min_share: float, min_invited: int) -> list[Alert]:
    """Return an alert per RT whose attendance is under ``min_share``, judged only once at
    least ``min_invited`` of its turns were due (a few absences of a new RT say little)."""
    found = [
        Alert(
            kind=LOW_ATTENDANCE,
            area=rt.rt_code,
            kode_kecamatan=rt.kode_kecamatan,
            value=round(attendance(rt), 3),
            threshold=min_share,
            params={"invited": rt.invited, "attended": rt.invited - rt.missed},
        )
        for rt in rts
        if rt.invited >= min_invited and attendance(rt) < min_share
    ]
    return sorted(found, key=lambda alert: (alert.value, alert.area))


def cards_waiting(waits: Iterable[StageWait], *, max_days: int, today: dt.date) -> list[Alert]:
    """Return an alert per kecamatan and stage holding cards longer than ``max_days``.

    ``waits`` may hold younger groups too: only those whose oldest card waited more than
    ``max_days`` on ``today`` count.
    """
    found = []
    for wait in waits:
        days = (today - wait.oldest).days
        if wait.cards <= 0 or days <= max_days:
            continue
        found.append(
            Alert(
                kind=CARDS_WAITING,
                area=wait.kode_kecamatan,
                kode_kecamatan=wait.kode_kecamatan,
                value=days,
                threshold=max_days,
                subject=wait.state,
                params={
                    "state": wait.state,
                    "cards": wait.cards,
                    "oldest": wait.oldest.isoformat(),
                },
            )
        )
    return sorted(found, key=lambda alert: (-alert.value, alert.area, alert.subject))

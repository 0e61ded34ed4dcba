"""The current alerts of the campaign: figures read set-wise, judged by ``alerts`` rules.

Thresholds come from the campaign file's ``[alerts]`` table. Functions take a keyword-only
``session`` and never write.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ektp.cards.lifecycle import STATES, TERMINAL
from ektp.cards.models import Card
from ektp.monitoring import alerts, memo
from ektp.monitoring.alerts import Alert, KecamatanDayFigures, RtTurns, SetDay, StageWait
from ektp.monitoring.models import ProgressRtDay
from ektp.recording.daily import DAY
from ektp.recording.models import DailyReport
from ektp.regions.service import region_names, rt_code
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign_fields import AlertThresholds

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
# Named, not "NOT IN (terminal)": each waiting state is a range of ix_cards_state_since, so
# the handed-over millions at the end of a campaign are never read.
WAITING_STATES = tuple(state for state in STATES if state not in TERMINAL)
# Enough closed days to see any streak a campaign file would ask for.
_HISTORY_DAYS = 120
_MARGIN = 1e-6


def _kecamatan_days(
    session: Session, today: dt.date, kecamatan: str | None
) -> list[KecamatanDayFigures]:
    rows = session.execute(
        select(
            DailyReport.kode_kecamatan,
            DailyReport.tanggal,
            func.sum(DailyReport.recorded),
            func.max(DailyReport.target),
        )
        .where(
            DailyReport.session == DAY,
            DailyReport.tanggal <= today,
            DailyReport.tanggal > today - dt.timedelta(days=_HISTORY_DAYS),
            *_of(DailyReport.kode_kecamatan, kecamatan),
        )
        .group_by(DailyReport.kode_kecamatan, DailyReport.tanggal)
    )
    return [
        KecamatanDayFigures(str(kode), tanggal, int(recorded or 0), int(target or 0))
        for kode, tanggal, recorded, target in rows
    ]


def _set_days(session: Session, today: dt.date, kecamatan: str | None) -> list[SetDay]:
    """Return every set's figures of each site's last closed day up to ``today``."""
    latest = (
        select(DailyReport.site_code, func.max(DailyReport.tanggal).label("last"))
        .where(
            DailyReport.session == DAY,
            DailyReport.tanggal <= today,
            *_of(DailyReport.kode_kecamatan, kecamatan),
        )
        .group_by(DailyReport.site_code)
        .subquery()
    )
    rows = session.execute(
        select(DailyReport)
        .join(
            latest,
            (latest.c.site_code == DailyReport.site_code) & (latest.c.last == DailyReport.tanggal),
        )
        .where(DailyReport.session == DAY)
    ).scalars()
    return [
        SetDay(
            site_code=row.site_code,
            kode_kecamatan=row.kode_kecamatan,
            tanggal=row.tanggal,
            set_no=int(one["set_no"]),
            busy_minutes=int(one.get("busy_minutes", 0)),
            idle_minutes=int(one.get("idle_minutes", 0)),
        )
        for row in rows
        for one in json.loads(row.per_set or "[]")
    ]


def _rt_turns(
    session: Session, thresholds: AlertThresholds, today: dt.date, kecamatan: str | None
) -> list[RtTurns]:
    day = ProgressRtDay
    invited, missed = func.sum(day.invited), func.sum(day.missed)
    # Only RTs near or under the share come back (a city holds thousands of RTs; making an
    # object of each cost more than the query): the margin leaves the exact test, in float
    # arithmetic, to ``alerts.low_attendance``.
    near = (invited - missed) * 1.0 < invited * (thresholds.attendance_min + _MARGIN)
    rows = session.execute(
        select(day.kode_kelurahan, day.rw, day.rt, invited, missed)
        .where(day.tanggal <= today, *_of(day.kode_kecamatan, kecamatan))
        .group_by(day.kode_kelurahan, day.rw, day.rt)
        .having(invited >= thresholds.attendance_min_invited, near)
    )
    return [
        RtTurns(kel[:8], rt_code(kel, int(rw), int(rt)), int(due or 0), int(missed or 0))
        for kel, rw, rt, due, missed in rows
    ]


def _stage_waits(
    session: Session, thresholds: AlertThresholds, today: dt.date, kecamatan: str | None
) -> list[StageWait]:
    # Walks ix_cards_state_since: only cards older than the cut-off are read.
    cutoff = dt.datetime.combine(
        today - dt.timedelta(days=thresholds.card_stage_days), dt.time(), tzinfo=WIB
    ).astimezone(dt.UTC)
    rows = session.execute(
        select(Card.kode_kecamatan, Card.state, func.count(), func.min(Card.state_since))
        .where(
            Card.state.in_(WAITING_STATES),
            Card.state_since < cutoff,
            *_of(Card.kode_kecamatan, kecamatan),
        )
        .group_by(Card.kode_kecamatan, Card.state)
    )
    return [
        StageWait(str(kode), str(state), int(cards), _local_day(oldest))
        for kode, state, cards, oldest in rows
    ]


def _of(column: Any, kecamatan: str | None) -> list[ColumnElement[bool]]:
    return [] if kecamatan is None else [column == kecamatan]


def _local_day(value: dt.datetime) -> dt.date:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(WIB).date()


def _rt_name(code: str, names: dict[str, str]) -> str:
    kelurahan, rw, rt = code.rsplit(".", 2)
    return f"RT {rt[2:]} / RW {rw[2:]} {names.get(kelurahan, kelurahan)}"


def named(*, session: Session, found: Sequence[Alert]) -> list[Alert]:
    """Return the alerts with the name of their area in ``params["nama"]`` (the kecamatan's
    name, or "RT 005 / RW 003 <kelurahan>"), read in one query, so that a reader does not
    have to know the codes."""
    codes = {alert.area if "RT" not in alert.area else alert.area[:13] for alert in found}
    names = region_names(session=session, codes=codes)
    return [
        dataclasses.replace(
            alert,
            params={
                **alert.params,
                "nama": _rt_name(alert.area, names)
                if "RT" in alert.area
                else names.get(alert.area, alert.area),
            },
        )
        for alert in found
    ]


def thresholds_of(*, session: Session) -> AlertThresholds:
    """Return the active campaign's alert thresholds (the defaults without a campaign)."""
    if scheduling.active_campaign(session=session) is None:
        return AlertThresholds()
    return memo.campaign_definition(session=session)[1].alerts


def current_alerts(
    *, session: Session, today: dt.date, kecamatan: str | None = None
) -> list[Alert]:
    """Return the alerts on ``today`` from what was closed up to it: kecamatan below target,
    idle sets, RTs that stay home, cards stuck at a stage; in that order, each rule's most
    urgent first, each named (``named``). Empty without an active campaign.

    ``kecamatan`` limits the rules to one kecamatan (its page, its operator): each query
    then walks that kecamatan's index range instead of the whole city's rows."""
    if scheduling.active_campaign(session=session) is None:
        return []
    limits = thresholds_of(session=session)
    found = [
        *alerts.below_target(
            _kecamatan_days(session, today, kecamatan), min_days=limits.below_target_days
        ),
        *alerts.idle_sets(_set_days(session, today, kecamatan), max_share=limits.idle_share),
        *alerts.low_attendance(
            _rt_turns(session, limits, today, kecamatan),
            min_share=limits.attendance_min,
            min_invited=limits.attendance_min_invited,
        ),
        *alerts.cards_waiting(
            _stage_waits(session, limits, today, kecamatan),
            max_days=limits.card_stage_days,
            today=today,
        ),
    ]
    return named(session=session, found=found)

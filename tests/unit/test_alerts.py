"""The alert rules on constructed histories with known answers, the dashboard arithmetic,
and the ``[alerts]`` table of a campaign file."""

from __future__ import annotations

import datetime as dt

import pytest

from ektp.monitoring import alerts, figures
from ektp.monitoring.alerts import KecamatanDayFigures, RtTurns, SetDay, StageWait
from ektp.scheduling.campaign_fields import AlertThresholds, Fields, alert_thresholds

MONDAY = dt.date(2011, 10, 3)


def history(kode: str, recorded: list[int], target: int = 300) -> list[KecamatanDayFigures]:
    return [
        KecamatanDayFigures(kode, MONDAY + dt.timedelta(days=n), value, target)
        for n, value in enumerate(recorded)
    ]


def test_a_kecamatan_below_target_three_days_running_is_alerted_and_one_that_recovered_is_not():
    days = [
        *history("16.71.05", [310, 250, 240, 299]),  # Ilir Timur I: 3 below at the end
        *history("16.71.06", [100, 120, 130, 140, 150]),  # Ilir Timur II: 5 below
        *history("16.71.07", [200, 200, 200, 300]),  # Sukarami met it on the last day
    ]
    found = alerts.below_target(days, min_days=3)
    assert [(a.area, a.value) for a in found] == [("16.71.06", 5), ("16.71.05", 3)]
    assert found[1].params["recorded"] == 250 + 240 + 299
    assert found[1].params["since"] == (MONDAY + dt.timedelta(days=1)).isoformat()
    assert alerts.below_target(days, min_days=6) == []


def test_the_streak_ignores_the_order_the_days_come_in():
    days = history("16.71.06", [300, 10, 10])[::-1]
    assert alerts.below_target_streak(days) == 2


def test_weekends_and_holidays_neither_break_a_streak_nor_count_in_it():
    # Closed working days only: Thursday 25 and Friday 26 August 2011, then Lebaran and the
    # cuti bersama (29 August to 2 September) and two weekends with no closing, then Monday
    # 5 and Tuesday 6 September. All four below target: four working days in a row.
    days = [dt.date(2011, 8, 25), dt.date(2011, 8, 26), dt.date(2011, 9, 5), dt.date(2011, 9, 6)]
    closed = [KecamatanDayFigures("16.71.06", day, 250, 300) for day in days]
    assert alerts.below_target_streak(closed) == 4
    found = alerts.below_target(closed, min_days=4)
    assert [(a.area, a.value, a.params["since"]) for a in found] == [("16.71.06", 4, "2011-08-25")]
    assert found[0].params["recorded"] == 1_000 and found[0].params["target"] == 1_200
    # A working day at target ends it, however long the break before it.
    met = KecamatanDayFigures("16.71.06", dt.date(2011, 9, 5), 300, 300)
    assert alerts.below_target_streak([*closed[:2], met, closed[3]]) == 1


def test_a_day_without_target_ends_a_streak():
    assert alerts.below_target_streak(history("16.71.06", [5, 5], target=0)) == 0


def test_a_set_idle_more_than_the_share_of_its_open_time_is_alerted():
    sets = [
        SetDay("16.71.06", "16.71.06", MONDAY, 1, busy_minutes=600, idle_minutes=60),
        SetDay("16.71.06", "16.71.06", MONDAY, 2, busy_minutes=300, idle_minutes=360),
        SetDay("16.71.06", "16.71.06", MONDAY, 3, busy_minutes=330, idle_minutes=330),
        SetDay("16.71.07", "16.71.07", MONDAY, 1, busy_minutes=0, idle_minutes=0),
    ]
    found = alerts.idle_sets(sets, max_share=0.5)
    assert [(a.subject, a.value) for a in found] == [("16.71.06#2", pytest.approx(0.545, 1e-3))]


def test_an_rt_under_the_attendance_share_is_alerted_once_enough_turns_were_due():
    rts = [
        RtTurns("16.71.06", "16.71.06.1001.RW001.RT001", invited=40, missed=20),  # 50 %
        RtTurns("16.71.06", "16.71.06.1001.RW001.RT002", invited=40, missed=10),  # 75 %
        RtTurns("16.71.06", "16.71.06.1001.RW001.RT003", invited=5, missed=5),  # too few
        RtTurns("16.71.07", "16.71.07.1001.RW002.RT001", invited=20, missed=12),  # 40 %
    ]
    found = alerts.low_attendance(rts, min_share=0.6, min_invited=20)
    assert [(a.area, a.value) for a in found] == [
        ("16.71.07.1001.RW002.RT001", 0.4),
        ("16.71.06.1001.RW001.RT001", 0.5),
    ]
    assert found[0].params == {"invited": 20, "attended": 8}


def test_cards_waiting_longer_than_the_limit_are_alerted_per_kecamatan_and_stage():
    today = dt.date(2011, 11, 30)
    waits = [
        StageWait("16.71.06", "diterima_kecamatan", 120, dt.date(2011, 11, 1)),  # 29 days
        StageWait("16.71.06", "dicetak", 5, dt.date(2011, 11, 16)),  # 14 days: not longer
        StageWait("16.71.07", "dikirim_pusat", 3, dt.date(2011, 10, 31)),  # 30 days
    ]
    found = alerts.cards_waiting(waits, max_days=14, today=today)
    assert [(a.area, a.subject, a.value) for a in found] == [
        ("16.71.07", "dikirim_pusat", 30),
        ("16.71.06", "diterima_kecamatan", 29),
    ]


def test_the_alerts_table_is_read_with_defaults_for_what_is_absent():
    fields = Fields()
    found = alert_thresholds(fields, {"below_target_days": 2, "idle_share": 0.4})
    assert fields.problems == []
    assert found == AlertThresholds(below_target_days=2, idle_share=0.4)
    assert alert_thresholds(fields, None) == AlertThresholds()


def test_a_bad_alerts_table_names_each_bad_key():
    fields = Fields()
    alert_thresholds(fields, {"idle_share": 2, "below_target_days": 0, "colour": "red"})
    assert sorted(fields.problems) == [
        "alerts.below_target_days: must be a positive integer",
        "alerts.colour: unknown key",
        "alerts.idle_share: must be a number from 0 to 1",
    ]


def test_working_days_skip_weekends_and_stop_at_the_start():
    friday = dt.date(2011, 10, 7)
    days = figures.working_days(
        dt.date(2011, 10, 10), 30, is_working=lambda d: d.weekday() < 5, first=MONDAY
    )
    assert days[0] == MONDAY and days[-2] == friday and len(days) == 6


def test_ranking_shares_places_on_ties():
    rows = [
        figures.Figures("a", "A", "kecamatan", wajib_ktp=100, recorded=50, pace=10),
        figures.Figures("b", "B", "kecamatan", wajib_ktp=100, recorded=50, pace=20),
        figures.Figures("c", "C", "kecamatan", wajib_ktp=100, recorded=10, pace=30),
    ]
    ranked = {r.figures.kode: (r.by_coverage, r.by_pace) for r in figures.ranking(rows)}
    assert ranked == {"a": (1, 3), "b": (1, 2), "c": (3, 1)}

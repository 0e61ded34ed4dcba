"""The arithmetic of a closed day: busy and idle minutes per set, mean minutes, kecamatan sums."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ektp.recording.reports import (
    RecordingTimes,
    SiteDay,
    below_target,
    busy_minutes,
    idle_minutes,
    kecamatan_day,
    mean_minutes,
    merged,
    session_window,
    site_figures,
)

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
DAY = dt.date(2011, 10, 3)


def at(hour: int, minute: int = 0) -> dt.datetime:
    """Return a moment of DAY in Palembang, as UTC."""
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


PAGI = (at(8), at(12))
SIANG = (at(13), at(16))


def recording(
    set_no: int, start: dt.datetime, end: dt.datetime | None, status: str = "completed"
) -> RecordingTimes:
    return RecordingTimes(set_no=set_no, status=status, started=start, finished=end)


def test_overlapping_intervals_merge_into_one() -> None:
    assert merged([(at(9), at(10)), (at(9, 30), at(11)), (at(13), at(14))]) == [
        (at(9), at(11)),
        (at(13), at(14)),
    ]


def test_touching_intervals_merge_and_empty_ones_vanish() -> None:
    assert merged([(at(9), at(10)), (at(10), at(10, 30)), (at(11), at(11))]) == [
        (at(9), at(10, 30))
    ]


def test_busy_minutes_count_only_the_open_hours() -> None:
    # 07:30-08:30 is half before opening; 11:50-13:10 spans the lunch break.
    intervals = [(at(7, 30), at(8, 30)), (at(11, 50), at(13, 10))]
    assert busy_minutes(intervals, [PAGI, SIANG]) == pytest.approx(30 + 10 + 10)


def test_a_set_that_never_recorded_is_idle_all_open_hours() -> None:
    assert idle_minutes([], [PAGI, SIANG]) == pytest.approx(240 + 180)


def test_overlapping_recordings_on_one_set_are_not_busier_than_the_clock() -> None:
    intervals = [(at(8), at(12)), (at(9), at(11))]
    assert idle_minutes(intervals, [PAGI]) == pytest.approx(0)


@given(
    st.lists(
        st.tuples(st.integers(0, 14 * 60), st.integers(0, 90)).map(
            lambda pair: (
                at(7) + dt.timedelta(minutes=pair[0]),
                at(7) + dt.timedelta(minutes=pair[0] + pair[1]),
            )
        ),
        max_size=30,
    )
)
def test_busy_and_idle_minutes_always_add_up_to_the_open_hours(
    intervals: list[tuple[dt.datetime, dt.datetime]],
) -> None:
    busy = busy_minutes(intervals, [PAGI, SIANG])
    idle = idle_minutes(intervals, [PAGI, SIANG])
    assert 0 <= busy <= 420
    assert busy + idle == pytest.approx(420)


def test_mean_minutes_is_rounded_to_a_tenth_and_none_without_recordings() -> None:
    durations = [dt.timedelta(minutes=3), dt.timedelta(minutes=4), dt.timedelta(minutes=4)]
    assert mean_minutes(durations) == 3.7
    assert mean_minutes([]) is None


def test_site_figures_count_per_set_and_sum_idle_over_sets() -> None:
    recordings = [
        recording(1, at(8), at(8, 4)),
        recording(1, at(8, 4), at(8, 10)),
        recording(1, at(8, 10), at(8, 12), status="failed"),
        recording(2, at(9), at(9, 3)),
    ]
    figures = site_figures(recordings, windows=[PAGI], set_numbers=[1, 2, 3], closed_at=at(12))
    by_set = {one.set_no: one for one in figures.per_set}
    assert (by_set[1].recorded, by_set[1].failed, by_set[1].mean_minutes) == (2, 1, 5.0)
    assert (by_set[1].busy_minutes, by_set[1].idle_minutes) == (12, 228)
    assert (by_set[2].recorded, by_set[2].idle_minutes) == (1, 237)
    assert (by_set[3].recorded, by_set[3].idle_minutes, by_set[3].mean_minutes) == (0, 240, None)
    assert (figures.recorded, figures.failed) == (3, 1)
    assert figures.mean_minutes == pytest.approx((4 + 6 + 3) / 3, abs=0.05)
    assert figures.idle_minutes == 228 + 237 + 240


def test_a_recording_still_running_keeps_its_set_busy_until_closing() -> None:
    figures = site_figures(
        [recording(1, at(11), None, status="in_progress")],
        windows=[PAGI],
        set_numbers=[1],
        closed_at=at(11, 30),
    )
    assert figures.per_set[0].busy_minutes == 30
    assert figures.recorded == 0


def test_a_set_missing_from_the_working_list_still_counts_when_it_recorded() -> None:
    figures = site_figures(
        [recording(4, at(8), at(8, 5))], windows=[PAGI], set_numbers=[1], closed_at=at(12)
    )
    assert [one.set_no for one in figures.per_set] == [1, 4]


def test_session_window_turns_palembang_clock_times_into_utc() -> None:
    start, end = session_window(DAY, dt.time(16), dt.time(20), WIB)
    assert (start, end) == (
        dt.datetime(2011, 10, 3, 9, tzinfo=dt.UTC),
        dt.datetime(2011, 10, 3, 13, tzinfo=dt.UTC),
    )


def test_below_target_needs_a_target() -> None:
    assert below_target(299, 300)
    assert not below_target(300, 300)
    assert not below_target(0, None)


def site_day(code: str, recorded: int, mean: float | None, sets: int = 2) -> SiteDay:
    return SiteDay(
        site_code=code,
        recorded=recorded,
        failed=1,
        walk_ins=2,
        missed=3,
        mean_minutes=mean,
        idle_minutes=10,
        target=300,
        sets_working=sets,
    )


def test_a_kecamatan_day_sums_its_sites_but_keeps_one_target() -> None:
    day = kecamatan_day(
        tanggal=DAY,
        kode_kecamatan="16.71.06",
        nama="Ilir Timur II",
        sites=[site_day("16.71.06", 200, 4.0, sets=3), site_day("16.71.06-b", 50, 6.0)],
    )
    assert (day.recorded, day.failed, day.walk_ins, day.missed) == (250, 2, 4, 6)
    assert (day.target, day.sets_working, day.idle_minutes, day.sites) == (300, 5, 20, 2)
    assert day.mean_minutes == 4.4  # weighted by recorded: (200*4 + 50*6) / 250
    assert day.below_target


def test_the_json_line_has_exactly_the_eight_keys_of_the_cli() -> None:
    day = kecamatan_day(
        tanggal=DAY, kode_kecamatan="16.71.01", nama="x", sites=[site_day("16.71.01", 0, None)]
    )
    assert list(day.as_json()) == [
        "date",
        "kode_kecamatan",
        "recorded",
        "failed",
        "walk_ins",
        "missed",
        "target",
        "sets_working",
    ]
    assert day.as_json()["date"] == "2011-10-03"
    assert day.mean_minutes is None


def test_a_session_counts_its_own_residents_but_is_busy_with_anyone_recorded_in_it() -> None:
    own = [recording(1, at(8), at(8, 10))]
    early_guest = recording(2, at(9), at(9, 30))  # an evening invitee served in the morning
    figures = site_figures(
        own, windows=[PAGI], set_numbers=[1, 2], closed_at=at(12), busy=[*own, early_guest]
    )
    by_set = {one.set_no: one for one in figures.per_set}
    assert (figures.recorded, by_set[2].recorded) == (1, 0)
    assert (by_set[1].idle_minutes, by_set[2].idle_minutes) == (230, 210)

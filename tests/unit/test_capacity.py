"""Sites and capacity: the slot formula, the reserve, sets over time, holidays, the calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from ektp.sites.calendar import build_calendar, calendar_covering
from ektp.sites.capacity import (
    DEFAULT_MINUTES_PER_PERSON,
    ClosedDays,
    SessionTemplate,
    SetChange,
    Site,
    holidays_for,
    reserve,
    session_capacity,
    sets_working,
)

PAGI = SessionTemplate("pagi", dt.time(8), dt.time(12))
SIANG = SessionTemplate("siang", dt.time(13), dt.time(16))
MALAM = SessionTemplate("malam", dt.time(16), dt.time(20))
NO_HOLIDAYS = ClosedDays(public_holidays=False)


def office(
    sets: int = 2,
    *,
    sets_history: tuple[SetChange, ...] = (),
    closed_dates: frozenset[dt.date] = frozenset(),
) -> Site:
    return Site(
        code="16.71.01",
        kecamatan="16.71.01",
        sets=sets,
        sessions=(MALAM, PAGI, SIANG),
        reserve_shares={"malam": 0.2},
        sets_history=sets_history,
        closed_dates=closed_dates,
    )


def test_idul_fitri_idul_adha_muharram_and_natal_2011_are_holidays() -> None:
    found = holidays_for([2011])
    assert {dt.date(2011, 8, 30), dt.date(2011, 8, 31)} <= found.keys()
    assert "Idul Fitri" in found[dt.date(2011, 8, 30)]
    assert "Idul Adha" in found[dt.date(2011, 11, 6)]
    assert found[dt.date(2011, 11, 27)] == "Tahun Baru Islam"
    assert "Natal" in found[dt.date(2011, 12, 25)]


def test_cuti_bersama_after_christmas_2011_closes_offices_unless_excluded() -> None:
    assert dt.date(2011, 12, 26) in holidays_for([2011])
    assert dt.date(2011, 12, 26) not in holidays_for([2011], cuti_bersama=False)
    assert ClosedDays().is_closed(dt.date(2011, 12, 26))
    assert not ClosedDays(cuti_bersama=False).is_closed(dt.date(2011, 12, 26))


def test_a_closed_day_says_why() -> None:
    closed = ClosedDays(dates=frozenset({dt.date(2011, 10, 28)}))
    assert closed.reason(dt.date(2011, 10, 28)) == "ditutup"
    assert closed.reason(dt.date(2011, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert closed.reason(dt.date(2011, 10, 27)) is None


def test_four_hours_at_three_minutes_is_80_turns_per_set_so_160_with_two_sets() -> None:
    assert session_capacity(240, 3, 2) == 160


def test_turns_round_down_180_minutes_at_7_minutes_is_25_per_set_so_75_with_three() -> None:
    # 180 / 7 = 25.7: the 26th resident would not finish before closing.
    assert session_capacity(180, 7, 3) == 75


def test_no_working_set_means_no_turns() -> None:
    assert session_capacity(240, 3, 0) == 0


def test_a_20_percent_reserve_of_160_turns_is_32() -> None:
    assert reserve(160, 0.2) == 32


def test_the_reserve_rounds_up_so_81_turns_hold_back_17_not_16() -> None:
    assert reserve(81, 0.2) == 17


def test_a_7_percent_reserve_of_100_turns_is_7_despite_floating_point() -> None:
    assert 100 * 0.07 > 7  # 7.000000000000001: a naive ceiling would hold back 8
    assert reserve(100, 0.07) == 7


def test_no_share_holds_nothing_back_and_a_full_share_holds_everything() -> None:
    assert reserve(160, 0.0) == 0
    assert reserve(160, 1.0) == 160


def test_a_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="reserve share"):
        reserve(160, 1.5)


def test_sets_added_broken_repaired_and_moved_count_from_their_date() -> None:
    site = office(
        sets=2,
        sets_history=(
            SetChange(dt.date(2011, 11, 14), 5, "added"),
            SetChange(dt.date(2011, 10, 10), -1, "broken"),
            SetChange(dt.date(2011, 10, 12), 1, "repaired"),
            SetChange(dt.date(2011, 12, 1), -2, "moved"),
        ),
    )
    assert sets_working(site, dt.date(2011, 10, 9)) == 2
    assert sets_working(site, dt.date(2011, 10, 10)) == 1
    assert sets_working(site, dt.date(2011, 10, 12)) == 2
    assert sets_working(site, dt.date(2011, 11, 14)) == 7
    assert sets_working(site, dt.date(2011, 12, 1)) == 5


def test_a_history_that_breaks_more_sets_than_the_site_has_is_refused() -> None:
    with pytest.raises(ValueError, match="fewer than zero"):
        office(sets=1, sets_history=(SetChange(dt.date(2011, 10, 10), -2, "broken"),))


def test_a_broken_set_must_be_a_loss_and_an_added_one_a_gain() -> None:
    with pytest.raises(ValueError, match="broken"):
        SetChange(dt.date(2011, 10, 10), 1, "broken")
    with pytest.raises(ValueError, match="added"):
        SetChange(dt.date(2011, 10, 10), -1, "added")


def test_a_session_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after"):
        SessionTemplate("malam", dt.time(20), dt.time(16))


def test_the_default_pace_gives_ilir_barat_ii_room_for_the_380_a_day_it_serves() -> None:
    # pagi 240/3 = 80, siang 180/3 = 60, malam 240/3 = 80 per set: 220 per set, 440 with 2;
    # the malam reserve is ceil(160 * 0.2) = 32, so 408 are bookable, above the 380+ served.
    assert DEFAULT_MINUTES_PER_PERSON == 3
    calendar = build_calendar(office(2), dt.date(2011, 10, 3), dt.date(2011, 10, 3), NO_HOLIDAYS)
    assert calendar.daily_capacity(dt.date(2011, 10, 3)) == 440
    assert int(calendar.bookable.sum()) == 408 >= 380


def test_a_day_has_pagi_siang_malam_in_time_order_with_the_reserve_only_in_malam() -> None:
    calendar = build_calendar(office(2), dt.date(2011, 10, 3), dt.date(2011, 10, 3), NO_HOLIDAYS)
    assert calendar.names == ("pagi", "siang", "malam")
    assert calendar.capacity.tolist() == [160, 120, 160]
    assert calendar.reserve.tolist() == [0, 0, 32]
    assert calendar.bookable.tolist() == [160, 120, 128]


def test_the_calendar_skips_sunday_saturday_holidays_and_the_site_s_own_closed_days() -> None:
    # Mon 2011-08-29 (cuti bersama) to Mon 2011-09-05: Tue 30 and Wed 31 are Idul Fitri,
    # Thu 1 and Fri 2 Sep cuti bersama, Sat 3 and Sun 4 no sessions, Mon 5 closed by the site.
    site = office(2, closed_dates=frozenset({dt.date(2011, 9, 5)}))
    calendar = build_calendar(site, dt.date(2011, 8, 29), dt.date(2011, 9, 6), ClosedDays())
    assert calendar.working_days == (dt.date(2011, 9, 6),)


def test_saturday_opens_only_when_a_session_lists_it() -> None:
    saturday_pagi = SessionTemplate("pagi", dt.time(8), dt.time(12), frozenset(range(6)))
    site = Site(code="x", kecamatan="16.71.01", sets=1, sessions=(saturday_pagi, SIANG))
    calendar = build_calendar(site, dt.date(2011, 10, 8), dt.date(2011, 10, 9), NO_HOLIDAYS)
    assert calendar.days == (dt.date(2011, 10, 8),)
    assert calendar.names == ("pagi",)


def test_a_day_with_every_set_broken_keeps_its_sessions_with_no_turns() -> None:
    site = office(
        1,
        sets_history=(
            SetChange(dt.date(2011, 10, 4), -1, "broken"),
            SetChange(dt.date(2011, 10, 5), 1, "repaired"),
        ),
    )
    calendar = build_calendar(site, dt.date(2011, 10, 3), dt.date(2011, 10, 5), NO_HOLIDAYS)
    assert calendar.capacity.tolist() == [80, 60, 80, 0, 0, 0, 80, 60, 80]


def test_extra_sets_grow_the_reserve_with_the_capacity() -> None:
    # 3 sets: malam 240, reserve 48; one more: malam 320, reserve 64, bookable 256.
    calendar = build_calendar(office(3), dt.date(2011, 10, 3), dt.date(2011, 10, 4), NO_HOLIDAYS)
    assert calendar.reserve.tolist() == [0, 0, 48, 0, 0, 48]
    more = calendar.with_extra_sets(1, from_index=3)
    assert more.capacity.tolist() == [240, 180, 240, 320, 240, 320]
    assert more.reserve.tolist() == [0, 0, 48, 0, 0, 64]
    assert more.bookable.tolist() == [240, 180, 192, 320, 240, 256]


def test_sessions_are_found_by_day_and_name() -> None:
    calendar = build_calendar(office(2), dt.date(2011, 10, 3), dt.date(2011, 10, 4), NO_HOLIDAYS)
    assert calendar.index_of(dt.date(2011, 10, 4), "siang") == 4
    assert calendar.index_of(dt.date(2011, 10, 4), "subuh") == -1
    assert calendar.index_of(dt.date(2011, 10, 5), "pagi") == -1
    assert calendar.first_index_on_or_after(dt.date(2011, 10, 4)) == 3
    assert calendar.first_index_on_or_after(dt.date(2011, 10, 9)) == 6
    assert calendar.day_number.tolist() == [0, 0, 0, 1, 1, 1]


def test_a_covering_calendar_holds_five_percent_more_turns_than_residents() -> None:
    calendar = calendar_covering(office(2), dt.date(2011, 10, 3), ClosedDays(), 20_000)
    assert int(calendar.bookable.sum()) >= 21_001


def test_a_site_without_sets_cannot_cover_anyone() -> None:
    with pytest.raises(ValueError, match="cannot book"):
        calendar_covering(office(0), dt.date(2011, 10, 3), ClosedDays(), 1)

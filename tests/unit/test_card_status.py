"""The public card status (pure): every lifecycle state maps to a stage, the texts name dates
and places only, and "no card" is one fixed answer."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ektp.cards import lifecycle, status
from ektp.cards.status import NO_CARD, CardFacts, public_status

RECORDED = dt.date(2011, 10, 3)
# 20:00 UTC on 1 November is already 2 November in Palembang (UTC+7).
LATE_EVENING_UTC = dt.datetime(2011, 11, 1, 20, tzinfo=dt.UTC)


def facts(state: str, **changes: object) -> CardFacts:
    base = CardFacts(
        state=state,
        recorded_on=RECORDED,
        kecamatan_name="SUKARAMI",
        state_since=LATE_EVENING_UTC,
        city_office_name="Dinas Kependudukan dan Pencatatan Sipil Kota Palembang",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("state", lifecycle.STATES)
def test_every_lifecycle_state_has_a_public_stage_with_both_texts(state: str) -> None:
    answer = public_status(facts(state))
    assert answer.stage in status.STAGES
    assert answer.stage != status.TIDAK_ADA
    assert answer.text_id and answer.text_en
    assert "{" not in answer.text_id + answer.text_en


def test_a_recorded_card_names_the_recording_date_and_kecamatan() -> None:
    answer = public_status(facts(lifecycle.DIKIRIM_PUSAT))
    assert answer.stage == status.DIREKAM
    assert answer.date == RECORDED
    assert "3 Oktober 2011" in answer.text_id and "SUKARAMI" in answer.text_id
    assert "3 October 2011" in answer.text_en


def test_internal_side_paths_are_not_told_to_the_public() -> None:
    for state in (lifecycle.DUPLIKAT, lifecycle.GAGAL_CETAK):
        answer = public_status(facts(state))
        assert answer.stage == status.DI_PUSAT
        assert "dupli" not in (answer.text_id + answer.text_en).lower()
        assert "gagal" not in answer.text_id.lower()


def test_a_card_at_the_kecamatan_is_ready_since_its_arrival_in_palembang_time() -> None:
    answer = public_status(facts(lifecycle.DITERIMA_KECAMATAN, ready_at=LATE_EVENING_UTC))
    assert answer.stage == status.SIAP_DIAMBIL
    assert answer.date == dt.date(2011, 11, 2)
    assert answer.place == "Kantor Kecamatan SUKARAMI"
    assert "2 November 2011" in answer.text_id


def test_a_card_returned_uncollected_is_ready_at_the_city_office() -> None:
    answer = public_status(facts(lifecycle.DIKEMBALIKAN_KOTA))
    assert answer.stage == status.SIAP_DIAMBIL
    assert answer.place is not None and answer.place.startswith("Dinas Kependudukan")


def test_a_handed_over_card_names_the_handover_date() -> None:
    handed = dt.datetime(2011, 12, 24, 3, tzinfo=dt.UTC)
    answer = public_status(facts(lifecycle.DISERAHKAN, handed_at=handed))
    assert answer.stage == status.DISERAHKAN
    assert answer.date == dt.date(2011, 12, 24)
    assert "24 Desember 2011" in answer.text_id


def test_a_card_on_its_way_names_where_it_goes_but_no_date() -> None:
    answer = public_status(facts(lifecycle.DIKIRIM_KECAMATAN))
    assert (answer.stage, answer.date, answer.place) == (
        status.DALAM_PERJALANAN,
        None,
        "SUKARAMI",
    )


def test_no_card_is_one_fixed_answer_with_the_same_fields_as_any_other() -> None:
    assert public_status(None) is NO_CARD
    assert NO_CARD.date is None and NO_CARD.place is None
    ready = public_status(facts(lifecycle.DITERIMA_KECAMATAN))
    assert set(NO_CARD.as_json()) == set(ready.as_json())
    assert set(NO_CARD.as_json()["message"]) == {"id", "en"}  # type: ignore[arg-type]


def test_a_naive_moment_is_taken_as_utc() -> None:
    naive = dt.datetime(2011, 11, 1, 20)
    assert status.local_date(naive) == dt.date(2011, 11, 2)


def test_an_unknown_state_is_an_error_not_a_silent_stage() -> None:
    with pytest.raises(KeyError):
        public_status(facts("entah"))

"""The card lifecycle (pure): every allowed move, refusals with their reasons, and random walks
over the allowed moves (hypothesis)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp.cards import lifecycle
from ektp.cards.lifecycle import (
    ANTRIAN_CETAK,
    DICETAK,
    DIKEMBALIKAN_KOTA,
    DIKIRIM_DAERAH,
    DIKIRIM_KECAMATAN,
    DIKIRIM_PUSAT,
    DIREKAM,
    DISERAHKAN,
    DITERIMA_KECAMATAN,
    DITERIMA_KOTA,
    DITERIMA_PUSAT,
    DUPLIKAT,
    GAGAL_CETAK,
    HILANG,
    MAIN_PATH,
    RUSAK,
    STATES,
    TRANSITIONS,
    IllegalTransition,
)

ALLOWED = sorted(TRANSITIONS)
REFUSED = sorted(
    (source, target)
    for source in STATES
    for target in STATES
    if (source, target) not in TRANSITIONS
)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_move_is_checked_through_with_its_event(source: str, target: str) -> None:
    move = lifecycle.check(source, target)
    assert (move.from_state, move.to_state) == (source, target)
    assert move.event == TRANSITIONS[(source, target)]
    assert lifecycle.refusal(source, target) is None
    assert target in lifecycle.next_states(source)
    assert source in lifecycle.sources_of(target)


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_move_is_refused_with_a_reason(source: str, target: str) -> None:
    with pytest.raises(IllegalTransition) as raised:
        lifecycle.check(source, target)
    error = raised.value
    assert (error.from_state, error.to_state) == (source, target)
    assert error.reason and str(error) == error.reason
    assert lifecycle.refusal(source, target) == error.reason


def test_the_main_path_walks_from_recorded_to_handed_over() -> None:
    events = [lifecycle.check(a, b).event for a, b in itertools.pairwise(MAIN_PATH)]
    assert events == [
        "batch_sent",
        "batch_accepted",
        "dedup_passed",
        "printed",
        "shipped_to_city",
        "received_at_city",
        "shipped_to_kecamatan",
        "received_at_kecamatan",
        "handed_over",
    ]


def test_handing_over_a_card_never_printed_is_refused_and_says_why() -> None:
    reason = lifecycle.refusal(ANTRIAN_CETAK, DISERAHKAN)
    assert reason is not None
    assert "only a card received at the kecamatan" in reason
    assert "this card is antrian_cetak" in reason
    assert "allowed next: dicetak, gagal_cetak" in reason


def test_a_card_handed_over_goes_nowhere_and_the_reason_says_so() -> None:
    assert lifecycle.next_states(DISERAHKAN) == ()
    for target in STATES:
        reason = lifecycle.refusal(DISERAHKAN, target)
        assert reason is not None
        assert "already" in reason


def test_a_move_to_the_same_state_is_refused_as_already_there() -> None:
    assert lifecycle.refusal(DICETAK, DICETAK) == "the card is already dicetak"


def test_an_unknown_state_is_named_in_the_refusal() -> None:
    assert lifecycle.refusal("dibakar", DICETAK) == "unknown card state 'dibakar'"
    assert lifecycle.refusal(DICETAK, "dibakar") == "unknown card state 'dibakar'"
    with pytest.raises(IllegalTransition, match="unknown card state"):
        lifecycle.check(DIREKAM, "")


def test_receiving_at_the_kecamatan_needs_a_card_shipped_there() -> None:
    reason = lifecycle.refusal(DITERIMA_KOTA, DITERIMA_KECAMATAN)
    assert reason is not None and reason.startswith("only a card shipped to this kecamatan")


def test_a_refusal_without_a_known_need_names_both_states() -> None:
    reason = lifecycle.refusal(DIREKAM, RUSAK)
    assert reason == "a card direkam cannot become rusak (allowed next: dikirim_pusat)"


@pytest.mark.parametrize(
    ("side", "back"),
    [
        (GAGAL_CETAK, ANTRIAN_CETAK),
        (RUSAK, ANTRIAN_CETAK),
        (HILANG, ANTRIAN_CETAK),
        (DUPLIKAT, ANTRIAN_CETAK),
        (DIKEMBALIKAN_KOTA, DIKIRIM_KECAMATAN),
        (DIKEMBALIKAN_KOTA, DISERAHKAN),
    ],
)
def test_every_side_path_leads_back_to_the_main_path(side: str, back: str) -> None:
    assert lifecycle.check(side, back).to_state in MAIN_PATH


def test_a_refused_batch_sends_its_cards_back_to_be_sent_again() -> None:
    assert lifecycle.check(DIKIRIM_PUSAT, DIREKAM).event == "batch_refused"
    assert lifecycle.check(DITERIMA_PUSAT, DUPLIKAT).event == "dedup_rejected"


def test_an_uncollected_card_goes_back_to_the_city_office() -> None:
    assert lifecycle.check(DITERIMA_KECAMATAN, DIKEMBALIKAN_KOTA).event == "returned_uncollected"
    assert lifecycle.refusal(DIKIRIM_KECAMATAN, DIKEMBALIKAN_KOTA) is not None


def test_damage_and_loss_are_possible_wherever_a_card_is_handled() -> None:
    assert set(lifecycle.sources_of(RUSAK)) == {
        DICETAK,
        DIKIRIM_DAERAH,
        DITERIMA_KOTA,
        DIKIRIM_KECAMATAN,
        DITERIMA_KECAMATAN,
    }
    assert set(lifecycle.sources_of(HILANG)) == {
        DIKIRIM_DAERAH,
        DITERIMA_KOTA,
        DIKIRIM_KECAMATAN,
        DITERIMA_KECAMATAN,
    }


def test_every_state_but_the_last_has_a_way_on_and_every_state_can_be_reached() -> None:
    for state in STATES:
        if state == DISERAHKAN:
            continue
        assert lifecycle.next_states(state), state
        if state != DIREKAM:
            assert lifecycle.sources_of(state), state
    assert frozenset({DISERAHKAN}) == lifecycle.TERMINAL
    assert len(set(STATES)) == len(STATES)


def test_states_fit_the_database_columns() -> None:
    # cards.state and card_events.to_state are String(20), card_events.event String(32).
    assert max(len(state) for state in STATES) <= 20
    assert max(len(event) for event in TRANSITIONS.values()) <= 32


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1_000), max_size=60))
def test_a_random_walk_over_allowed_moves_stays_in_the_states_and_never_leaves_diserahkan(
    choices: list[int],
) -> None:
    state = DIREKAM
    handed_over = False
    for choice in choices:
        ways = lifecycle.next_states(state)
        if not ways:
            assert state == DISERAHKAN
            break
        target = ways[choice % len(ways)]
        move = lifecycle.check(state, target)
        assert move.to_state in STATES
        assert not handed_over, "a move was allowed after the handover"
        state = move.to_state
        handed_over = state == DISERAHKAN
    assert state in STATES
    if handed_over:
        assert all(lifecycle.refusal(DISERAHKAN, target) for target in STATES)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STATES), st.sampled_from(STATES))
def test_check_and_refusal_agree_on_any_pair(source: str, target: str) -> None:
    reason = lifecycle.refusal(source, target)
    if reason is None:
        assert lifecycle.check(source, target).event == TRANSITIONS[(source, target)]
    else:
        with pytest.raises(IllegalTransition) as raised:
            lifecycle.check(source, target)
        assert raised.value.reason == reason


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1_000), min_size=1, max_size=80))
def test_a_random_walk_reaches_the_handover_only_through_a_kecamatan_or_the_city_office(
    choices: list[int],
) -> None:
    previous, state = None, DIREKAM
    for choice in choices:
        ways = lifecycle.next_states(state)
        if not ways:
            break
        previous, state = state, ways[choice % len(ways)]
    if state == DISERAHKAN:
        assert previous in (DITERIMA_KECAMATAN, DIKEMBALIKAN_KOTA)

"""The rules of a perekaman's captures: modalities, thresholds, retakes, exceptions, completion."""

from __future__ import annotations

import re

import pytest

from ektp.recording import capture_rules as rules
from ektp.recording.capture_rules import Attempt, CaptureRuleError


def _accepted_everything(but: tuple[str, ...] = ()) -> list[Attempt]:
    return [Attempt(modality, 1, 90, True) for modality in rules.MODALITIES if modality not in but]


def test_a_recording_has_a_photo_a_signature_ten_fingers_and_two_irises() -> None:
    assert len(rules.MODALITIES) == 14
    assert len(set(rules.MODALITIES)) == 14
    assert rules.MODALITIES[:2] == ("photo", "signature")
    assert {m for m in rules.MODALITIES if m.startswith("r_") and m != "r_iris"} == {
        "r_thumb",
        "r_index",
        "r_middle",
        "r_ring",
        "r_little",
    }
    assert set(rules.THRESHOLDS) == set(rules.MODALITIES)


def test_an_unknown_modality_is_refused_with_the_list_of_known_ones() -> None:
    with pytest.raises(CaptureRuleError, match=r"unknown modality 'tongue'.*r_thumb") as caught:
        rules.check_modality("tongue")
    assert not caught.value.conflict


@pytest.mark.parametrize("quality", [0, 1, 50, 99, 100])
def test_a_quality_from_0_to_100_is_accepted_as_a_score(quality: int) -> None:
    assert rules.check_quality(quality) == quality


@pytest.mark.parametrize("quality", [-1, 101, 1000])
def test_a_quality_outside_0_to_100_is_refused(quality: int) -> None:
    with pytest.raises(CaptureRuleError, match=f"quality {quality} is outside 0-100"):
        rules.check_quality(quality)


def test_a_boolean_is_not_a_quality_score() -> None:
    with pytest.raises(CaptureRuleError, match="whole number"):
        rules.check_quality(True)


def test_the_threshold_itself_is_accepted_and_one_below_is_not() -> None:
    threshold = rules.THRESHOLDS["r_thumb"]
    assert rules.is_accepted("r_thumb", threshold)
    assert not rules.is_accepted("r_thumb", threshold - 1)


def test_an_image_over_2_mb_is_refused_and_2_mb_exactly_is_not() -> None:
    rules.check_sizes(template_bytes=512, image_bytes=2 * 1024 * 1024)
    with pytest.raises(CaptureRuleError, match=re.escape("at most 2097152 (2 MB)")):
        rules.check_sizes(template_bytes=512, image_bytes=2 * 1024 * 1024 + 1)


def test_an_empty_or_oversized_template_is_refused() -> None:
    with pytest.raises(CaptureRuleError, match="template is empty"):
        rules.check_sizes(template_bytes=0, image_bytes=None)
    with pytest.raises(CaptureRuleError, match="at most 65536"):
        rules.check_sizes(template_bytes=rules.MAX_TEMPLATE_BYTES + 1, image_bytes=None)


def test_attempts_are_numbered_from_one_and_bounded_by_the_retakes() -> None:
    attempts: list[Attempt] = []
    for number in range(1, rules.MAX_ATTEMPTS + 1):
        assert rules.next_attempt("l_ring", attempts, {}) == number
        attempts.append(Attempt("l_ring", number, 10, False))
    with pytest.raises(CaptureRuleError, match="4 captures, none good enough") as caught:
        rules.next_attempt("l_ring", attempts, {})
    assert caught.value.conflict
    assert rules.progress_of("l_ring", attempts).status == rules.EXHAUSTED


def test_retakes_left_count_down_after_each_poor_capture() -> None:
    assert rules.progress_of("r_iris", []).retakes_left == rules.MAX_RETAKES == 3
    poor = [Attempt("r_iris", 1, 5, False)]
    assert rules.progress_of("r_iris", poor).status == rules.RETAKE
    assert rules.progress_of("r_iris", poor).retakes_left == 3
    poor.append(Attempt("r_iris", 2, 5, False))
    assert rules.progress_of("r_iris", poor).retakes_left == 2


def test_an_accepted_modality_takes_no_further_capture() -> None:
    with pytest.raises(CaptureRuleError, match="already accepted") as caught:
        rules.next_attempt("photo", [Attempt("photo", 1, 80, True)], {})
    assert caught.value.conflict


def test_an_excepted_modality_takes_no_capture() -> None:
    with pytest.raises(CaptureRuleError, match=re.escape("excepted (jari hilang)")):
        rules.next_attempt("l_little", [], {"l_little": "jari hilang"})


def test_progress_reports_the_best_quality_of_the_attempts() -> None:
    attempts = [Attempt("signature", 1, 20, False), Attempt("signature", 2, 77, True)]
    state = rules.progress_of("signature", attempts)
    assert (state.status, state.attempts, state.best_quality, state.done) == (
        rules.ACCEPTED,
        2,
        77,
        True,
    )


def test_a_recording_is_complete_when_every_modality_is_accepted_or_excepted() -> None:
    attempts = _accepted_everything(but=("l_little", "r_iris"))
    assert rules.missing(attempts, {}) == ["l_little", "r_iris"]
    with pytest.raises(CaptureRuleError, match="l_little, r_iris neither accepted nor excepted"):
        rules.check_complete(attempts, {})
    rules.check_complete(attempts, {"l_little": "jari hilang", "r_iris": "mata buta"})


def test_a_poor_capture_does_not_count_towards_completion() -> None:
    attempts = [*_accepted_everything(but=("r_thumb",)), Attempt("r_thumb", 1, 3, False)]
    assert rules.missing(attempts, {}) == ["r_thumb"]


def test_the_photo_cannot_be_excepted() -> None:
    with pytest.raises(CaptureRuleError, match="photo cannot be excepted"):
        rules.check_exception("photo", "tidak mau difoto", [], {})


def test_an_exception_needs_a_reason_and_cleans_its_spaces() -> None:
    with pytest.raises(CaptureRuleError, match="give the reason"):
        rules.check_exception("l_thumb", "   ", [], {})
    assert rules.check_exception("l_thumb", "  jari   hilang ", [], {}) == "jari hilang"
    with pytest.raises(CaptureRuleError, match="longer than 200"):
        rules.check_exception("l_thumb", "x" * 201, [], {})


def test_an_accepted_modality_needs_no_exception() -> None:
    with pytest.raises(CaptureRuleError, match="already accepted"):
        rules.check_exception("l_thumb", "jari hilang", [Attempt("l_thumb", 1, 90, True)], {})


def test_an_exhausted_modality_can_be_excepted() -> None:
    attempts = [Attempt("l_index", n, 1, False) for n in range(1, rules.MAX_ATTEMPTS + 1)]
    assert rules.check_exception("l_index", "sidik jari aus", attempts, {}) == "sidik jari aus"


def test_a_failure_needs_a_reason() -> None:
    with pytest.raises(CaptureRuleError, match="reason the recording failed"):
        rules.check_failure_reason("")
    assert rules.check_failure_reason(" alat  macet ") == "alat macet"

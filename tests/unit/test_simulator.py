"""The simulated set's model (pure): stable templates per person, realistic quality scores,
retries that reuse their idempotency key.
"""

from __future__ import annotations

import random
import statistics
from typing import Any

from ektp.recording import capture_rules as rules
from ektp.recording import simulator
from ektp.recording.simulator import SetConfig, SimulatedSet, SimulationReport

NIK = "1671074505800001"
OTHER = "1671071203650002"


def _agreement(first: bytes, second: bytes) -> float:
    same = sum(8 - bin(a ^ b).count("1") for a, b in zip(first, second, strict=True))
    return same / (8 * len(first))


def test_a_person_s_template_is_512_bytes_and_the_same_every_time() -> None:
    template = simulator.stable_template(NIK, "r_thumb")
    assert len(template) == 512
    assert simulator.stable_template(NIK, "r_thumb") == template
    assert simulator.stable_template(NIK, "l_thumb") != template


def test_two_captures_of_one_finger_agree_far_more_than_two_people_do() -> None:
    rng = random.Random(1)
    first = simulator.captured_template(NIK, "r_index", rng)
    second = simulator.captured_template(NIK, "r_index", rng)
    stranger = simulator.captured_template(OTHER, "r_index", rng)
    assert first != second
    assert _agreement(first, second) > 0.97
    assert 0.4 < _agreement(first, stranger) < 0.6


def test_quality_scores_stay_in_0_to_100_and_retakes_read_better() -> None:
    rng = random.Random(7)
    first = [simulator.draw_quality("r_little", rng, attempt=1, age=70) for _ in range(2000)]
    retake = [simulator.draw_quality("r_little", rng, attempt=2, age=70) for _ in range(2000)]
    assert min(first + retake) >= 0 and max(first + retake) <= 100
    assert statistics.mean(retake) > statistics.mean(first) + 5
    poor = sum(q < rules.THRESHOLDS["r_little"] for q in first) / len(first)
    assert 0.02 < poor < 0.3, "retakes are occasional, not the rule"


def test_older_residents_fingerprints_read_worse_than_young_ones() -> None:
    rng = random.Random(3)
    young = [simulator.draw_quality("r_index", rng, attempt=1, age=20) for _ in range(2000)]
    old = [simulator.draw_quality("r_index", rng, attempt=1, age=80) for _ in range(2000)]
    assert statistics.mean(old) < statistics.mean(young) - 5


def test_the_birth_year_is_read_from_the_nik() -> None:
    assert simulator.birth_year("1671074505800001") == 1980
    assert simulator.birth_year("1671070101050001") == 2005
    assert simulator.birth_year("12345") is None


class _FlakyServer:
    """Answers 503 to the first capture, then 201; remembers each request's headers."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        self.sent.append((path, dict(headers)))
        if len(self.sent) == 1:
            return 503, {"detail": "busy"}, {}
        assert body is not None
        return 201, {"accepted": True, "modality": body["modality"]}, {}


def test_a_capture_sent_again_after_a_server_error_keeps_its_idempotency_key() -> None:
    server = _FlakyServer()
    device = SimulatedSet(server, SetConfig("16.71.07", 1, speed=1e6), sleep=lambda _s: None)
    report = SimulationReport()
    assert device._capture_until_good(5, NIK, "r_thumb", 30, report)
    (first_path, first), (second_path, second) = server.sent
    assert first_path == second_path == "/api/v1/recording/5/captures"
    assert first["Idempotency-Key"] == second["Idempotency-Key"]
    assert report.captures == 1

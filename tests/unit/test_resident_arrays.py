"""No. KK texts and numbers turned into household keys that sort as the texts do."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from ektp.scheduling.resident_arrays import household_keys, kk_numbers


def test_sixteen_digit_texts_become_their_numbers_and_others_minus_one() -> None:
    texts = ["1671070101100001", "0000000000000012", "16710701011000X1", "KK 7"]
    assert kk_numbers(texts).tolist() == [1671070101100001, -1, -1, -1]
    assert kk_numbers(["1671070101100002", "1671070101100001"]).tolist() == [
        1671070101100002,
        1671070101100001,
    ]


def test_numbers_read_by_the_database_pass_through_unchanged() -> None:
    assert kk_numbers([1671070101100001, -1]).tolist() == [1671070101100001, -1]


def test_unusual_texts_are_ranked_with_the_rest_in_text_order() -> None:
    ids = np.array([1, 2, 3, 4], dtype=np.int64)
    numbers = np.array([1671070101100001, -1, -1, 1671070101100001], dtype=np.int64)
    keys = household_keys(numbers, {2: "0000000000000012", 3: "KK 7"}, ids)
    # "0000000000000012" < "1671070101100001" < "KK 7" as texts; equal texts, equal keys.
    assert keys.tolist() == [1, 0, 2, 1]


def test_without_unusual_texts_the_numbers_are_the_keys() -> None:
    numbers = np.array([1671070101100002, 1671070101100001], dtype=np.int64)
    assert household_keys(numbers, {}, np.array([1, 2], dtype=np.int64)) is numbers


def _reference(text: str) -> int:
    usual = len(text) == 16 and text.isascii() and text.isdigit() and text[0] != "0"
    return int(text) if usual else -1


@given(
    st.lists(
        st.text(alphabet="0123456789012345678901234567890123456789AXé ", min_size=16, max_size=16)
        | st.from_regex(r"[1-9][0-9]{15}", fullmatch=True)
        | st.text(alphabet="0123456789", min_size=1, max_size=20),
        min_size=1,
        max_size=40,
    )
)
@example(["123456789012345", "12345678901234567"])  # 32 characters, but not 16 each
def test_kk_texts_read_as_numbers_agree_with_reading_each_text_alone(texts: list[str]) -> None:
    # Texts all of sixteen ASCII characters are read together, others one at a time: both
    # must give what reading each text alone gives.
    assert kk_numbers(texts).tolist() == [_reference(text) for text in texts]

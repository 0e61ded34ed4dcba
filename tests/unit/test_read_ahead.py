"""Chunks read by a thread ahead of the caller: in order, errors raised in the caller, the
source closed and the thread gone when the caller stops early."""

from __future__ import annotations

import threading
from collections.abc import Generator

import pytest

from ektp.storage.read_ahead import read_ahead


def _numbers(count: int, closed: list[str], fail_at: int | None = None) -> Generator[int]:
    try:
        for number in range(count):
            if number == fail_at:
                raise LookupError(f"row {number} is bad")
            yield number
    finally:
        closed.append(threading.current_thread().name)


def test_every_chunk_arrives_in_order_and_the_source_is_closed() -> None:
    closed: list[str] = []
    assert list(read_ahead(_numbers(1000, closed), depth=1)) == list(range(1000))
    assert closed == ["ektp-read-ahead"]


def test_an_error_of_the_source_is_raised_in_the_caller_after_the_chunks_before_it() -> None:
    closed: list[str] = []
    got: list[int] = []
    with pytest.raises(LookupError, match="row 7 is bad"):
        got.extend(read_ahead(_numbers(10, closed, fail_at=7)))
    assert got == list(range(7))
    assert closed == ["ektp-read-ahead"]


def test_a_caller_that_stops_early_leaves_no_thread_and_a_closed_source() -> None:
    closed: list[str] = []
    chunks = read_ahead(_numbers(10_000, closed), depth=1)
    assert [next(chunks) for _ in range(3)] == [0, 1, 2]
    chunks.close()
    assert closed == ["ektp-read-ahead"]
    assert not any(thread.name == "ektp-read-ahead" for thread in threading.enumerate())

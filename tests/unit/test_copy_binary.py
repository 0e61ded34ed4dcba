"""PostgreSQL's binary COPY rows for new turns, checked byte by byte without a server."""

from __future__ import annotations

import datetime as dt
import struct

import numpy as np
import pytest

from ektp.scheduling import copy_binary


def _field(value: bytes) -> bytes:
    return struct.pack("!i", len(value)) + value


def _expected(resident: int, day: int, name: bytes, code: bytes, misses: int) -> bytes:
    return struct.pack("!h", copy_binary.FIELDS) + b"".join(
        (
            _field(struct.pack("!i", 3)),
            _field(struct.pack("!i", resident)),
            _field(b"16.71.06"),
            _field(struct.pack("!i", day)),
            _field(name),
            _field(code),
            _field(b"planned"),
            _field(struct.pack("!h", misses)),
            _field(struct.pack("!i", 9)),
            _field(struct.pack("!q", 86_400_000_000)),
        )
    )


def test_rows_keep_the_given_order_across_session_names_of_different_lengths() -> None:
    days = copy_binary.pg_days(["2000-01-02", "2011-10-03"])
    names = ["pagi", "malam", "pagi", "malam"]
    slots = np.array([1, 0, 2, 3, 1], dtype=np.int64)
    codes = np.array([b"AAAAAA", b"CCCCCC", b"DDDDDD", b"EEEEEE", b"FFFFFF"], dtype="S6")
    rows = copy_binary.turn_rows(
        campaign_id=3,
        plan_run_id=9,
        site_code="16.71.06",
        days=np.concatenate((days, days)),
        names=names,
        resident_ids=np.array([10, 11, 12, 13, 14], dtype=np.int64),
        slots=slots,
        codes=codes,
        misses=np.array([0, 1, 0, 2, 0], dtype=np.int64),
        updated=copy_binary.pg_microseconds(dt.datetime(2000, 1, 2, tzinfo=dt.UTC)),
    )
    day_of_slot = [1, 4293, 1, 4293]
    expected = b"".join(
        _expected(resident, day_of_slot[slot], names[slot].encode(), code, misses)
        for resident, slot, code, misses in zip(
            [10, 11, 12, 13, 14], slots.tolist(), codes.tolist(), [0, 1, 0, 2, 0], strict=True
        )
    )
    assert b"".join(bytes(part) for part in rows) == expected


def test_an_empty_session_name_is_refused_rather_than_written_as_a_broken_row() -> None:
    with pytest.raises(ValueError, match="cannot be empty"):
        list(
            copy_binary.turn_rows(
                campaign_id=1,
                plan_run_id=1,
                site_code="16.71.06",
                days=copy_binary.pg_days(["2011-10-03"]),
                names=[""],
                resident_ids=np.array([1], dtype=np.int64),
                slots=np.array([0], dtype=np.int64),
                codes=np.array([b"AAAAAA"], dtype="S6"),
                misses=np.array([0], dtype=np.int64),
                updated=0,
            )
        )

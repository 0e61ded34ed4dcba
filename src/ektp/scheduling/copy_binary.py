"""PostgreSQL's binary ``COPY`` format for new turns, built by numpy a site at a time.

At 1.2 million turns the text format cost more in Python (a formatted line per row) and in
the server (parsing dates and timestamps) than writing the rows themselves. In the binary
format every row is a field count and, per field, a length and the value in network byte
order; rows whose session name has the same length share one layout, so numpy lays out all
of them at once and the rows are then cut into the wanted order.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
"""The file header: signature, flags (no OIDs), no header extension."""
TRAILER = struct.pack("!h", -1)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_EPOCH_DAY = dt.date(2000, 1, 1).toordinal()
_STATUS = b"planned"
FIELDS = 10
"""campaign_id, resident_id, site_code, tanggal, session, attendance_code, status, misses,
plan_run_id, updated_at: ``bulk.INVITATION_COLUMNS``, in that order."""


def pg_days(days: Sequence[str]) -> npt.NDArray[np.int32]:
    """Return ISO dates as PostgreSQL stores a ``date``: days since 2000-01-01."""
    return np.array([dt.date.fromisoformat(day).toordinal() - _EPOCH_DAY for day in days], ">i4")


def pg_microseconds(moment: dt.datetime) -> int:
    """Return an aware moment as PostgreSQL stores a ``timestamptz``: µs since 2000 UTC."""
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


_VALUES = (
    "campaign", "resident", "site", "day", "session", "code", "status", "misses", "run",
    "updated",
)  # fmt: skip
"""The row's values, each after its length (``n_`` + name) in the layout."""


def _layout(site: int, name: int, code: int) -> np.dtype[np.void]:
    """Return the packed row layout for a site code, session name and code of these lengths."""
    status = len(_STATUS)
    types = (
        ">i4",
        ">i4",
        f"S{site}",
        ">i4",
        f"S{name}",
        f"S{code}",
        f"S{status}",
        ">i2",
        ">i4",
        ">i8",
    )
    fields = [("fields", ">i2")]
    for value, kind in zip(_VALUES, types, strict=True):
        fields += [(f"n_{value}", ">i4"), (value, kind)]
    return np.dtype(fields)


def turn_rows(
    *,
    campaign_id: int,
    plan_run_id: int,
    site_code: str,
    days: npt.NDArray[np.int32],
    names: Sequence[str],
    resident_ids: npt.NDArray[np.int64],
    slots: npt.NDArray[np.int64],
    codes: npt.NDArray[np.bytes_],
    misses: npt.NDArray[np.int64],
    updated: int,
) -> Iterator[bytes | memoryview]:
    """Yield the binary rows of ``planned`` turns in the order given, without the header.

    Row ``i`` is resident ``resident_ids[i]`` in slot ``slots[i]`` (an index into ``days``
    and ``names``) with attendance code ``codes[i]``; ``updated`` is ``pg_microseconds``.
    """
    site = site_code.encode()
    encoded = [name.encode() for name in names]
    if not site or not all(encoded) or codes.dtype.itemsize == 0:
        raise ValueError("site codes, session names and codes cannot be empty")
    length_of_slot = np.array([len(name) for name in encoded], dtype=np.int64)
    lengths = length_of_slot[slots] if len(slots) else np.zeros(0, dtype=np.int64)
    by_length: dict[int, tuple[memoryview, int]] = {}
    for length in np.unique(lengths).tolist():
        chosen = np.flatnonzero(lengths == length)
        layout = _layout(len(site), length, codes.dtype.itemsize)
        rows = np.empty(len(chosen), dtype=layout)
        rows["fields"] = FIELDS
        for value in _VALUES:
            rows[f"n_{value}"] = layout[value].itemsize
        rows["campaign"] = campaign_id
        rows["resident"] = resident_ids[chosen]
        rows["site"] = site
        rows["day"] = days[slots[chosen]]
        rows["session"] = np.array(encoded, dtype=f"S{length}")[slots[chosen]]
        rows["code"] = codes[chosen]
        rows["status"] = _STATUS
        rows["misses"] = misses[chosen]
        rows["run"] = plan_run_id
        rows["updated"] = updated
        by_length[length] = (memoryview(rows.tobytes()), layout.itemsize)
    # Cut the runs of equal length back into the given order.
    if not len(lengths):
        return
    cuts = np.flatnonzero(np.diff(lengths)) + 1
    starts = np.concatenate(([0], cuts)).tolist()
    ends = np.concatenate((cuts, [len(lengths)])).tolist()
    taken = dict.fromkeys(by_length, 0)
    for start, end, length in zip(starts, ends, lengths[starts].tolist(), strict=True):
        data, size = by_length[length]
        first = taken[length]
        taken[length] = first + end - start
        yield data[first * size : taken[length] * size]

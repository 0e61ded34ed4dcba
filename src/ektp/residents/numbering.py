"""Numbering helpers of the synthetic population (pure numpy): date parts and serials.

NIKs and No. KKs both end in a serial that tells apart the people (or families) whose first
twelve digits agree; both are built from the parts of a date.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]


def date_parts(dates: Array) -> tuple[Array, Array, Array]:
    """Return (year, month, day) arrays of a datetime64[D] array."""
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months).astype(np.int64) + 1
    return year, month, day


def serial_numbers(rng: np.random.Generator, prefix: Array) -> Array:
    """Return serials 1, 2, ... that tell apart the entries sharing a prefix, in random order."""
    n = len(prefix)
    order = np.lexsort((rng.random(n), prefix))
    ordered = prefix[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]] if n else np.zeros(0, dtype=bool)
    rank = np.arange(n) - np.maximum.accumulate(np.where(starts, np.arange(n), 0)) + 1
    if n and rank.max() > 9999:
        raise ValueError("more than 9999 people share a NIK or No. KK prefix")
    serials = np.empty(n, dtype=np.int64)
    serials[order] = rank
    return serials

"""The defects of a synthetic city (pure numpy): NIK warnings and rows the importer rejects.

A defect is one of ``DEFECTS``; each row carries its index (0: clean). Warning defects leave
the row a valid resident whose NIK disagrees with the record; reject defects are extra rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ektp.residents.numbering import Array, date_parts, serial_numbers

DEFECTS = (
    "",
    "nik_date_mismatch",
    "nik_sex_mismatch",
    "duplicate_nik",
    "impossible_nik",
    "malformed_tanggal_lahir",
    "unknown_kelurahan",
)
WARNING_DEFECTS = DEFECTS[1:3]  # the row stays valid; the importer warns
REJECT_DEFECTS = DEFECTS[3:]  # extra rows the importer must reject


def unknown_kelurahan(kecamatan: list[str], known: set[str]) -> list[str]:
    """Return, per kecamatan, a well-formed kelurahan code that the city does not have."""
    unknown = []
    for code in kecamatan:
        number = 1999
        while f"{code}.{number}" in known:
            number -= 1
        unknown.append(f"{code}.{number}")
    return unknown


def _defect_count(share: float, rows: int) -> int:
    """Return how many rows get a defect: at least one when the share is not zero."""
    return min(rows, max(1, round(share * rows))) if share > 0 and rows else 0


def with_defects(
    rng: np.random.Generator,
    people: dict[str, Array],
    defect_shares: Mapping[str, float],
    kecamatan6: Array,
    kelurahan_count: int,
) -> tuple[dict[str, Array], dict[int, str]]:
    """Return the columns in file order, with NIKs, warning defects and reject rows mixed in.

    Warning defects change what the NIK encodes (the record keeps the true birth date and sex,
    so wajib KTP counts stay exact). Reject rows are extra people copied from real ones and
    spoiled one way each; a duplicate comes after the resident whose NIK it repeats.
    """
    n = len(people["male"])
    count = {name: _defect_count(defect_shares.get(name, 0.0), n) for name in DEFECTS[1:]}
    dated, sexed = count["nik_date_mismatch"], count["nik_sex_mismatch"]
    warned = rng.choice(n, size=min(n, dated + sexed), replace=False)
    people["defect"] = np.zeros(n, dtype=np.int8)
    people["defect"][warned[:dated]] = DEFECTS.index("nik_date_mismatch")
    people["defect"][warned[dated:]] = DEFECTS.index("nik_sex_mismatch")
    encoded_birth = people["birth"].copy()
    encoded_birth[warned[:dated]] -= rng.integers(1, 61, len(warned[:dated])).astype("m8[D]")
    encoded_male = people["male"].copy()
    encoded_male[warned[dated:]] = ~encoded_male[warned[dated:]]

    kinds = np.repeat(
        np.arange(len(WARNING_DEFECTS) + 1, len(DEFECTS)), [count[k] for k in REJECT_DEFECTS]
    ).astype(np.int8)
    e = len(kinds)
    source = rng.integers(0, n, e) if n else np.zeros(0, dtype=np.int64)
    namesake = rng.integers(0, n, e) if n else np.zeros(0, dtype=np.int64)
    extra = {name: column[source] for name, column in people.items()}
    for name in ("male", "given", "second", "family"):
        extra[name] = people[name][namesake]
    extra["birth"] = extra["birth"] - rng.integers(1, 3651, e).astype("m8[D]")
    extra["defect"] = kinds
    extra["wajib"] = np.zeros(e, dtype=bool)
    unknown = kinds == DEFECTS.index("unknown_kelurahan")
    extra["kel"] = np.where(unknown, kelurahan_count + extra["kec"], extra["kel"])

    year, month, day = date_parts(np.concatenate([encoded_birth, extra["birth"]]))
    female = ~np.concatenate([encoded_male, extra["male"]])
    issue = kecamatan6[np.concatenate([people["issue_kec"], extra["issue_kec"]])]
    prefix = (issue * 100 + day + 40 * female) * 10_000 + month * 100 + year % 100
    nik = prefix * 10_000 + serial_numbers(rng, prefix)
    people["nik"], extra["nik"] = nik[:n], nik[n:]

    after = rng.integers(0, max(n, 1), e)
    duplicate = np.flatnonzero(kinds == DEFECTS.index("duplicate_nik"))
    victim = rng.integers(0, max(n, 1), len(duplicate))
    extra["nik"][duplicate] = people["nik"][victim]
    after[duplicate] = victim + (rng.random(len(duplicate)) * (n - victim)).astype(np.int64)
    impossible = np.flatnonzero(kinds == DEFECTS.index("impossible_nik"))
    extra["nik"][impossible] = _spoil_niks(rng, extra["nik"][impossible])
    keep = np.ones(e, dtype=bool)
    _values, first = np.unique(extra["nik"][impossible], return_index=True)
    keep[impossible] = False
    keep[impossible[first]] = True  # two spoilt NIKs that came out equal: keep one

    order = np.argsort(np.r_[2 * np.arange(n), 2 * after[keep] + 1], kind="stable")
    columns = {}
    for name in list(extra):  # one column at a time, to hold one copy of the city at most
        columns[name] = np.concatenate([people.pop(name), extra.pop(name)[keep]])[order]
    malformed_rows = np.flatnonzero(columns["defect"] == DEFECTS.index("malformed_tanggal_lahir"))
    return columns, _malformed_dates(columns["birth"], malformed_rows)


def _spoil_niks(rng: np.random.Generator, niks: Array) -> Array:
    """Return the NIKs made impossible in turn: serial 0000, birth day 32-39, month 13."""
    way = np.arange(len(niks)) % 3
    day = (niks // 10**8) % 100
    month = (niks // 10**6) % 100
    bad_day = 32 + rng.integers(0, 8, len(niks))
    return np.select(
        [way == 0, way == 1],
        [niks // 10_000 * 10_000, niks + (bad_day - day) * 10**8],
        niks + (13 - month) * 10**6,
    )


def _malformed_dates(birth: Array, rows: Array) -> dict[int, str]:
    """Return tanggal_lahir texts that are no date (30 February, month 13, day 00), by row."""
    year, month, day = (part.tolist() for part in date_parts(birth[rows]))
    texts = {}
    for index, row in enumerate(rows.tolist()):
        way = index % 3
        if way == 0:
            texts[row] = f"{year[index]:04d}-02-30"
        elif way == 1:
            texts[row] = f"{year[index]:04d}-13-{day[index]:02d}"
        else:
            texts[row] = f"{year[index]:04d}-{month[index]:02d}-00"
    return texts

"""The shipped Kemendagri region lists (pure: no database): editions, levels, code forms."""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from importlib import resources

EDITIONS = ("2016", "2025")

# Dotted code length -> level. Kemendagri codes: 16 / 16.71 / 16.71.07 / 16.71.07.1001
_LEVEL_BY_LENGTH = {2: "provinsi", 5: "kabupaten_kota", 8: "kecamatan", 13: "kelurahan"}
LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "kelurahan")


class UnknownEditionError(ValueError):
    """Raised for an edition that is not shipped."""


def level_of(kode: str) -> str:
    """Return the level of a dotted Kemendagri code, or raise ValueError."""
    try:
        return _LEVEL_BY_LENGTH[len(kode)]
    except KeyError:
        raise ValueError(f"{kode!r} is not a Kemendagri region code") from None


def parent_of(kode: str) -> str | None:
    """Return the dotted code of the region one level up, or None for a provinsi."""
    return kode.rsplit(".", 1)[0] if "." in kode else None


def dotted(code: str) -> str:
    """Return a region code in dotted form, from dotted or plain digits (1671071001)."""
    code = code.strip()
    if "." in code:
        return code
    cuts = (2, 4, 6, 10)
    parts = [code[start:end] for start, end in zip((0, *cuts), cuts, strict=False)]
    return ".".join(part for part in parts if part)


@cache
def edition_rows(edition: str) -> tuple[tuple[str, str], ...]:
    """Return every (kode, nama) of an edition, in file order."""
    if edition not in EDITIONS:
        raise UnknownEditionError(
            f"unknown region edition {edition!r}; shipped editions: {', '.join(EDITIONS)}"
        )
    data = resources.files("ektp.regions").joinpath("data", f"wilayah-{edition}.csv.gz")
    with gzip.open(io.BytesIO(data.read_bytes()), "rt", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return tuple((kode, nama) for kode, nama in reader)


def city_rows(edition: str, city: str) -> list[tuple[str, str]]:
    """Return the kabupaten/kota ``city``, its provinsi, and everything under it."""
    city = dotted(city)
    rows = edition_rows(edition)
    province = city.split(".")[0]
    wanted = [row for row in rows if row[0] == province or row[0] == city]
    wanted += [row for row in rows if row[0].startswith(city + ".")]
    return wanted


@cache
def known_kecamatan_codes() -> frozenset[str]:
    """Return the six-digit kecamatan codes of every shipped edition (for NIK checks)."""
    return frozenset(
        kode.replace(".", "")
        for edition in EDITIONS
        for kode, _nama in edition_rows(edition)
        if len(kode) == 8
    )

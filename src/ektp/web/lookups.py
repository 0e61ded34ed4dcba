"""Small region look-ups the pages need and ``ektp.regions.service`` does not offer (yet).

They read the ``regions`` table directly; they belong in the regions service once another
caller needs them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.regions.models import Region


@dataclass(frozen=True)
class NamedRegion:
    """A region's code and name."""

    kode: str
    nama: str


@dataclass(frozen=True)
class KecamatanGroup:
    """A kecamatan with its kelurahan, for a grouped drop-down list."""

    kode: str
    nama: str
    kelurahan: list[NamedRegion] = field(default_factory=list)


def loaded_cities(*, session: Session) -> list[NamedRegion]:
    """Return the loaded kabupaten/kota, by code."""
    rows = session.execute(
        select(Region.kode, Region.nama)
        .where(Region.level == "kabupaten_kota")
        .order_by(Region.kode)
    ).all()
    return [NamedRegion(kode, nama) for kode, nama in rows]


def region_names(*, session: Session, codes: Collection[str]) -> dict[str, str]:
    """Return the names of the loaded regions among ``codes``."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(select(Region.kode, Region.nama).where(Region.kode.in_(wanted)))
    return {kode: nama for kode, nama in rows}


def kelurahan_in_area(*, session: Session, area_kode: str) -> list[KecamatanGroup]:
    """Return the kelurahan inside ``area_kode`` grouped by kecamatan, both by code."""
    prefix = area_kode + "."
    rows = session.execute(
        select(Region.kode, Region.nama, Region.level)
        .where(
            Region.level.in_(("kecamatan", "kelurahan")),
            (Region.kode == area_kode) | Region.kode.startswith(prefix, autoescape=True),
        )
        .order_by(Region.kode)
    ).all()
    groups: dict[str, KecamatanGroup] = {}
    for kode, nama, level in rows:
        if level == "kecamatan":
            groups[kode] = KecamatanGroup(kode, nama)
    for kode, nama, level in rows:
        if level == "kelurahan":
            kecamatan = kode[:8]
            if kecamatan not in groups:
                groups[kecamatan] = KecamatanGroup(kecamatan, kecamatan)
            groups[kecamatan].kelurahan.append(NamedRegion(kode, nama))
    return list(groups.values())

"""Pydantic shapes of regions and their resident counts, as the CLI and API show them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RegionCounts(BaseModel):
    """A region (or RW/RT unit) with its resident and wajib KTP counts on one date."""

    kode: str
    nama: str
    level: str
    residents: int
    wajib_ktp: int


class RegionSummary(RegionCounts):
    """A region with its direct children, as ``ektp regions show --json`` prints it."""

    children: list[RegionCounts]


class LoadResult(BaseModel):
    """What ``regions load`` did."""

    city: str
    nama: str
    edition: str
    kecamatan: int
    kelurahan: int
    inserted: int
    updated: int


class NamedRegion(BaseModel):
    """A region's code and name."""

    kode: str
    nama: str


class KecamatanGroup(NamedRegion):
    """A kecamatan with its kelurahan, for a grouped drop-down list."""

    kelurahan: list[NamedRegion] = Field(default_factory=list)

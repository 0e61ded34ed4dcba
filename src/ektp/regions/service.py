"""Use cases of the regions domain: load a city's Kemendagri regions, browse them with counts.

Functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ektp.regions import wilayah
from ektp.regions.models import Region, RukunTetangga
from ektp.regions.schemas import (
    KecamatanGroup,
    LoadResult,
    NamedRegion,
    RegionCounts,
    RegionSummary,
)
from ektp.residents.counts import counts_by_kelurahan, counts_by_unit

_CITY_CODE = re.compile(r"^\d{2}\.\d{2}$")
_REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_UNIT_CODE = re.compile(
    r"^(?P<kelurahan>[\d.]+)\.RW(?P<rw>\d+)(?:\.RT(?P<rt>\d+))?$", re.IGNORECASE
)
_UPSERT_REGION = text(
    "INSERT INTO regions (kode, nama, level, parent_kode, edition) "
    "VALUES (:kode, :nama, :level, :parent_kode, :edition) "
    "ON CONFLICT (kode) DO UPDATE SET nama = excluded.nama, level = excluded.level, "
    "parent_kode = excluded.parent_kode, edition = excluded.edition"
)


class RegionLoadError(ValueError):
    """Raised when a city cannot be loaded; the message says why in plain words."""


class RegionNotFoundError(LookupError):
    """Raised for a region or RW/RT code that is not loaded."""


def load_city(*, session: Session, city: str, edition: str) -> LoadResult:
    """Return what was stored after upserting a city, its provinsi and everything under it."""
    kode = wilayah.dotted(city)
    if not _CITY_CODE.match(kode):
        raise RegionLoadError(
            f"{city!r} is not a kabupaten/kota code; give two parts like 16.71 or 1671"
        )
    try:
        rows = wilayah.city_rows(edition, kode)
    except wilayah.UnknownEditionError as error:
        raise RegionLoadError(str(error)) from None
    names = dict(rows)
    if kode not in names:
        raise RegionLoadError(f"kabupaten/kota {kode} does not exist in the {edition} edition")
    loaded = loaded_edition(session=session, city=kode)
    if loaded is not None and loaded != edition:
        raise RegionLoadError(
            f"{names[kode]} ({kode}) is already loaded with the {loaded} edition; "
            f"it cannot be reloaded with the {edition} edition because residents and plans "
            "refer to the loaded codes"
        )
    provinsi = kode.split(".")[0]
    provinsi_edition = session.execute(
        select(Region.edition).where(Region.kode == provinsi)
    ).scalar_one_or_none()
    if provinsi_edition is not None and provinsi_edition != edition:
        # Another city of this provinsi came from the other edition; keep its provinsi row.
        rows = [row for row in rows if row[0] != provinsi]
    # Sorted by code, every parent comes before its children (the foreign key needs that).
    params = [
        {
            "kode": row_kode,
            "nama": nama,
            "level": wilayah.level_of(row_kode),
            "parent_kode": wilayah.parent_of(row_kode),
            "edition": edition,
        }
        for row_kode, nama in sorted(rows)
    ]
    codes = [param["kode"] for param in params]
    existing = session.execute(select(Region.kode).where(Region.kode.in_(codes))).scalars().all()
    session.execute(_UPSERT_REGION, params)
    levels = [param["level"] for param in params]
    return LoadResult(
        city=kode,
        nama=names[kode],
        edition=edition,
        kecamatan=levels.count("kecamatan"),
        kelurahan=levels.count("kelurahan"),
        inserted=len(params) - len(existing),
        updated=len(existing),
    )


def kelurahan_codes(*, session: Session, city: str | None = None) -> set[str]:
    """Return the dotted codes of loaded kelurahan, all of them or those under ``city``."""
    query = select(Region.kode).where(Region.level == "kelurahan")
    if city is not None:
        query = query.where(Region.kode.startswith(wilayah.dotted(city) + "."))
    return set(session.execute(query).scalars())


def get_region(*, session: Session, kode: str) -> Region | None:
    """Return the loaded region with this dotted or plain code, or None."""
    return session.get(Region, wilayah.dotted(kode))


def loaded_edition(*, session: Session, city: str) -> str | None:
    """Return the edition a kabupaten/kota was loaded from, or None when it is not loaded."""
    return session.execute(
        select(Region.edition).where(Region.kode == wilayah.dotted(city))
    ).scalar_one_or_none()


def loaded_cities(*, session: Session) -> list[NamedRegion]:
    """Return the loaded kabupaten/kota, by code."""
    rows = session.execute(
        select(Region.kode, Region.nama)
        .where(Region.level == "kabupaten_kota")
        .order_by(Region.kode)
    ).all()
    return [NamedRegion(kode=kode, nama=nama) for kode, nama in rows]


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
            groups[kode] = KecamatanGroup(kode=kode, nama=nama)
    for kode, nama, level in rows:
        if level == "kelurahan":
            kecamatan = kode[:8]
            if kecamatan not in groups:
                groups[kecamatan] = KecamatanGroup(kode=kecamatan, nama=kecamatan)
            groups[kecamatan].kelurahan.append(NamedRegion(kode=kode, nama=nama))
    return list(groups.values())


def region_summary(*, session: Session, kode: str, as_of: dt.date) -> RegionSummary:
    """Return a region or RW/RT unit with its counts on ``as_of`` and its children's counts."""
    unit = _UNIT_CODE.match(kode.strip())
    if unit is not None:
        kelurahan = wilayah.dotted(unit["kelurahan"])
        rw = int(unit["rw"])
        if unit["rt"] is None:
            return _rw_summary(session, kelurahan, rw, as_of)
        return _rt_summary(session, kelurahan, rw, int(unit["rt"]), as_of)
    dotted = wilayah.dotted(kode)
    region = session.get(Region, dotted) if _REGION_CODE.match(dotted) else None
    if region is None:
        raise RegionNotFoundError(f"no loaded region has the code {kode.strip()!r}")
    if region.level == "kelurahan":
        return _kelurahan_summary(session, region, as_of)
    return _area_summary(session, region, as_of)


def rw_code(kode_kelurahan: str, rw: int) -> str:
    """Return the browser code of an RW unit, like ``16.71.07.1001.RW003``."""
    return f"{kode_kelurahan}.RW{rw:03d}"


def rt_code(kode_kelurahan: str, rw: int, rt: int) -> str:
    """Return the browser code of an RT unit, like ``16.71.07.1001.RW003.RT005``."""
    return f"{rw_code(kode_kelurahan, rw)}.RT{rt:03d}"


@dataclass(frozen=True)
class _Node:
    kode: str
    nama: str
    level: str


def _summary(node: _Node, children: Iterable[RegionCounts]) -> RegionSummary:
    listed = list(children)
    return RegionSummary(
        kode=node.kode,
        nama=node.nama,
        level=node.level,
        residents=sum(child.residents for child in listed),
        wajib_ktp=sum(child.wajib_ktp for child in listed),
        children=listed,
    )


def _area_summary(session: Session, region: Region, as_of: dt.date) -> RegionSummary:
    children = session.execute(
        select(Region.kode, Region.nama, Region.level)
        .where(Region.parent_kode == region.kode)
        .order_by(Region.kode)
    ).all()
    kelurahan = kelurahan_codes(session=session, city=region.kode)
    counts = counts_by_kelurahan(session=session, kelurahan=kelurahan, as_of=as_of)
    prefix_length = len(children[0].kode) if children else 0
    per_child: dict[str, list[int]] = {child.kode: [0, 0] for child in children}
    for kode, (residents, wajib_ktp) in counts.items():
        totals = per_child.get(kode[:prefix_length])
        if totals is not None:
            totals[0] += residents
            totals[1] += wajib_ktp
    node = _Node(region.kode, region.nama, region.level)
    return _summary(
        node,
        (
            RegionCounts(
                kode=child.kode,
                nama=child.nama,
                level=child.level,
                residents=per_child[child.kode][0],
                wajib_ktp=per_child[child.kode][1],
            )
            for child in children
        ),
    )


def _kelurahan_summary(session: Session, region: Region, as_of: dt.date) -> RegionSummary:
    units = session.execute(
        select(RukunTetangga.rw)
        .where(RukunTetangga.kode_kelurahan == region.kode)
        .distinct()
        .order_by(RukunTetangga.rw)
    ).scalars()
    counts = counts_by_unit(session=session, kode_kelurahan=region.kode, as_of=as_of)
    node = _Node(region.kode, region.nama, region.level)
    return _summary(
        node,
        (
            _unit_counts(rw_code(region.kode, rw), f"RW {rw:03d}", "rw", counts.get(rw))
            for rw in units
        ),
    )


def _rw_summary(session: Session, kelurahan: str, rw: int, as_of: dt.date) -> RegionSummary:
    rts = _rt_numbers(session, kelurahan, rw)
    if not rts:
        raise RegionNotFoundError(f"no RW {rw:03d} is known in kelurahan {kelurahan}")
    counts = counts_by_unit(session=session, kode_kelurahan=kelurahan, as_of=as_of, rw=rw)
    node = _Node(rw_code(kelurahan, rw), f"RW {rw:03d}", "rw")
    return _summary(
        node,
        (
            _unit_counts(rt_code(kelurahan, rw, rt), f"RT {rt:03d}", "rt", counts.get(rt))
            for rt in rts
        ),
    )


def _rt_summary(
    session: Session, kelurahan: str, rw: int, rt: int, as_of: dt.date
) -> RegionSummary:
    if rt not in _rt_numbers(session, kelurahan, rw):
        raise RegionNotFoundError(f"no RT {rt:03d} in RW {rw:03d} of kelurahan {kelurahan}")
    counts = counts_by_unit(session=session, kode_kelurahan=kelurahan, as_of=as_of, rw=rw)
    residents, wajib_ktp = counts.get(rt, (0, 0))
    return RegionSummary(
        kode=rt_code(kelurahan, rw, rt),
        nama=f"RT {rt:03d}",
        level="rt",
        residents=residents,
        wajib_ktp=wajib_ktp,
        children=[],
    )


def _rt_numbers(session: Session, kelurahan: str, rw: int) -> list[int]:
    return list(
        session.execute(
            select(RukunTetangga.rt)
            .where(RukunTetangga.kode_kelurahan == kelurahan, RukunTetangga.rw == rw)
            .order_by(RukunTetangga.rt)
        ).scalars()
    )


def _unit_counts(kode: str, nama: str, level: str, counts: tuple[int, int] | None) -> RegionCounts:
    residents, wajib_ktp = counts or (0, 0)
    return RegionCounts(kode=kode, nama=nama, level=level, residents=residents, wajib_ktp=wajib_ktp)

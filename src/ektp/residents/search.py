"""Search the registry by NIK or name inside an area, one keyset page at a time.

Every query walks an index in order and stops after one page: NIK searches walk the unique
index on ``nik``, name searches the index on ``nama`` through range comparisons (``nama >= :p
AND nama < :p_next``; the column is COLLATE "C" on PostgreSQL so byte order holds as on SQLite).
Nothing counts the matches: over a city that would read every one of them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from ektp.regions.service import kelurahan_codes
from ektp.regions.wilayah import dotted
from ektp.residents.models import Resident
from ektp.residents.schemas import ResidentDetail, ResidentListItem, ResidentPage

NIK_LENGTH = 16
NIK_PREFIX_MIN = 6
NAME_MIN = 2
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

_KELURAHAN = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_UNIT = re.compile(r"^(?P<kelurahan>[\d.]+?)(?:\.RW(?P<rw>\d{1,3})(?:\.RT(?P<rt>\d{1,3}))?)?$")


class SearchError(ValueError):
    """Raised for a query that cannot be run; ``key`` names the reason for translation."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class SearchTerm:
    """What the user typed, classified: ``nik``, ``nik_prefix``, ``name`` or ``all`` (empty)."""

    kind: str
    value: str


@dataclass(frozen=True)
class Unit:
    """A kelurahan, or an RW or RT inside it, that narrows a search."""

    kode_kelurahan: str
    rw: int | None = None
    rt: int | None = None


def classify(text: str) -> SearchTerm:
    """Return the kind of search that ``text`` asks for; raise SearchError when it is unusable."""
    cleaned = " ".join(text.split()).upper()
    if not cleaned:
        return SearchTerm("all", "")
    digits = cleaned.replace(" ", "")
    if digits.isdigit():
        if len(digits) == NIK_LENGTH:
            return SearchTerm("nik", digits)
        if len(digits) > NIK_LENGTH:
            raise SearchError("nik_too_long", f"a NIK has {NIK_LENGTH} digits")
        if len(digits) < NIK_PREFIX_MIN:
            raise SearchError("nik_too_short", f"give at least {NIK_PREFIX_MIN} digits of a NIK")
        return SearchTerm("nik_prefix", digits)
    if len(cleaned) < NAME_MIN:
        raise SearchError("name_too_short", f"give at least {NAME_MIN} letters of a name")
    return SearchTerm("name", cleaned)


def parse_unit(code: str) -> Unit:
    """Return the kelurahan/RW/RT of a code like ``16.71.07.1001.RW003.RT005`` or ``1671071001``."""
    match = _UNIT.match(code.strip().upper())
    kelurahan = dotted(match["kelurahan"]) if match else ""
    if match is None or not _KELURAHAN.match(kelurahan):
        raise SearchError("bad_kelurahan", f"{code.strip()!r} is not a kelurahan, RW or RT code")
    rw = int(match["rw"]) if match["rw"] else None
    rt = int(match["rt"]) if match["rt"] else None
    return Unit(kelurahan, rw, rt)


def next_prefix(prefix: str) -> str:
    """Return the smallest string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def encode_cursor(nama: str, nik: str) -> str:
    """Return an opaque, URL-safe cursor for the row after which the next page starts."""
    raw = json.dumps([nama, nik], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """Return the (nama, nik) of a cursor made by ``encode_cursor``; raise SearchError if bad."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        nama, nik = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise SearchError("bad_cursor", "the page link is damaged; search again") from None
    if not isinstance(nama, str) or not isinstance(nik, str):
        raise SearchError("bad_cursor", "the page link is damaged; search again")
    return nama, nik


def area_condition(*, session: Session, area_kode: str) -> ColumnElement[bool]:
    """Return the SQL condition "the resident lives inside ``area_kode``", shaped per planner."""
    if _KELURAHAN.match(area_kode):
        return Resident.kode_kelurahan == area_kode
    if session.get_bind().dialect.name == "postgresql":
        # A list of kelurahan codes lets PostgreSQL estimate how many residents the area holds
        # (a substr() filter is guessed at 0.5%) and so walk the name index in order and stop
        # after one page, instead of reading and sorting every match in the city.
        codes = sorted(kelurahan_codes(session=session, city=area_kode))
        return Resident.kode_kelurahan.in_(codes) if codes else false()
    # SQLite would take an IN list to the area index and sort the whole area; substr() keeps
    # it on the name or NIK index. (Not LIKE or a range: collations may ignore the dots.)
    prefix = area_kode + "."
    return func.substr(Resident.kode_kelurahan, 1, len(prefix)) == prefix


def search_residents(
    *,
    session: Session,
    text: str,
    area_kode: str,
    unit: Unit | None = None,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> ResidentPage:
    """Return one page of residents inside ``area_kode`` that match ``text``.

    ``text`` is a NIK (16 digits), a NIK prefix (6 digits or more), or the start of the full
    name; inside a ``unit`` it may be any part of the name, or empty to list the unit.
    """
    term = classify(text)
    if term.kind == "all" and unit is None:
        raise SearchError("empty", "type a NIK or a name, or choose a kelurahan")
    limit = max(1, min(limit, MAX_LIMIT))
    by_nik = term.kind in ("nik", "nik_prefix")
    query = _base_query().where(area_condition(session=session, area_kode=area_kode))
    if unit is not None:
        query = query.where(Resident.kode_kelurahan == unit.kode_kelurahan)
        if unit.rw is not None:
            query = query.where(Resident.rw == unit.rw)
        if unit.rt is not None:
            query = query.where(Resident.rt == unit.rt)
    query = query.where(_term_condition(term, within_unit=unit is not None))
    if after:
        after_nama, after_nik = decode_cursor(after)
        query = query.where(_after_condition(by_nik, after_nama, after_nik))
    order = (Resident.nik,) if by_nik else (Resident.nama, Resident.nik)
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    items = [ResidentListItem.model_validate(row, from_attributes=True) for row in rows[:limit]]
    next_after = None
    if len(rows) > limit:
        last = items[-1]
        next_after = encode_cursor(last.nama, last.nik)
    return ResidentPage(items=items, next_after=next_after)


def _base_query() -> Select[str, str, str, dt.date, str, int, int]:
    return select(
        Resident.nik,
        Resident.nama,
        Resident.jenis_kelamin,
        Resident.tanggal_lahir,
        Resident.kode_kelurahan,
        Resident.rw,
        Resident.rt,
    )


def _term_condition(term: SearchTerm, *, within_unit: bool) -> ColumnElement[bool]:
    if term.kind == "nik":
        return Resident.nik == term.value
    if term.kind == "nik_prefix":
        return and_(Resident.nik >= term.value, Resident.nik < next_prefix(term.value))
    if term.kind == "name":
        if within_unit:
            # A kelurahan holds ~15,000 residents: scanning them for a substring is cheap.
            return Resident.nama.contains(term.value, autoescape=True)
        return and_(Resident.nama >= term.value, Resident.nama < next_prefix(term.value))
    return true()


def _after_condition(by_nik: bool, nama: str, nik: str) -> ColumnElement[bool]:
    if by_nik:
        return Resident.nik > nik
    # The redundant "nama >= :nama" gives the planner an index bound that the OR hides.
    return and_(
        Resident.nama >= nama,
        or_(Resident.nama > nama, and_(Resident.nama == nama, Resident.nik > nik)),
    )


def find_resident(*, session: Session, nik: str) -> ResidentDetail | None:
    """Return the whole record of the resident with this NIK, or None."""
    resident = session.execute(
        select(Resident).where(Resident.nik == nik.strip())
    ).scalar_one_or_none()
    if resident is None:
        return None
    return ResidentDetail.model_validate(resident, from_attributes=True)

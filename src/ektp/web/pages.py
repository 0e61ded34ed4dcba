"""Pages open to every logged-in role: the home page and the region browser (counts only)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ektp.auth import roles
from ektp.regions import service as regions_service
from ektp.regions.wilayah import parent_of
from ektp.web.deps import CurrentUser, DbSession
from ektp.web.render import render, translate

router = APIRouter(include_in_schema=False)

_UNIT = re.compile(
    r"^(?P<kelurahan>\d{2}\.\d{2}\.\d{2}\.\d{4})\.RW(?P<rw>\d+)(?:\.RT(?P<rt>\d+))?$"
)


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb trail."""

    label: str
    href: str


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the list of loaded kabupaten/kota."""
    area_name = None
    if user.area_kode:
        area_name = regions_service.region_names(session=session, codes=[user.area_kode]).get(
            user.area_kode
        )
    return render(
        request,
        "home.html",
        {
            "cities": regions_service.loaded_cities(session=session),
            "area_name": area_name,
            "active": "home",
        },
    )


def parse_as_of(raw: str | None, today: dt.date) -> tuple[dt.date, bool]:
    """Return the chosen date (today when absent or invalid) and whether ``raw`` was invalid."""
    if not raw:
        return today, False
    try:
        return dt.date.fromisoformat(raw), False
    except ValueError:
        return today, True


def ancestor_codes(kode: str) -> list[str]:
    """Return the codes from the kabupaten/kota down to ``kode``'s parent, top first."""
    unit = _UNIT.match(kode)
    if unit is not None:
        kelurahan = unit["kelurahan"]
        chain = [*ancestor_codes(kelurahan), kelurahan]
        if unit["rt"] is not None:
            chain.append(f"{kelurahan}.RW{unit['rw']}")
        return chain
    chain = []
    parent = parent_of(kode)
    # The provinsi (two digits) is not browsed: the trail starts at the kabupaten/kota.
    while parent is not None and len(parent) >= 5:
        chain.insert(0, parent)
        parent = parent_of(parent)
    return chain


@router.get("/wilayah/{kode}", response_class=HTMLResponse)
def region_page(
    request: Request,
    kode: str,
    user: CurrentUser,
    session: DbSession,
    as_of: str | None = None,
) -> HTMLResponse:
    """Return a region with its resident and wajib KTP counts and those of its children."""
    today = dt.date.today()
    chosen, invalid = parse_as_of(as_of, today)
    try:
        summary = regions_service.region_summary(session=session, kode=kode, as_of=chosen)
    except regions_service.RegionNotFoundError:
        raise HTTPException(status_code=404, detail="no such region") from None
    chain = ancestor_codes(summary.kode)
    names = regions_service.region_names(session=session, codes=chain)
    date_query = "" if chosen == today else "?" + urlencode({"as_of": chosen.isoformat()})
    crumbs = [
        Crumb(names.get(code) or _unit_label(code), f"/wilayah/{code}{date_query}")
        for code in chain
    ]
    crumbs.append(Crumb(summary.nama, f"/wilayah/{summary.kode}{date_query}"))
    residents_href = None
    kelurahan = _kelurahan_of(summary.kode)
    if (
        kelurahan is not None
        and roles.may_see_personal_data(user.role)
        and user.area_kode is not None
        and roles.area_covers(user.area_kode, kelurahan)
    ):
        residents_href = "/penduduk?" + urlencode({"kelurahan": summary.kode})
    return render(
        request,
        "region.html",
        {
            "summary": summary,
            "as_of": chosen,
            "date_query": date_query,
            "crumbs": crumbs,
            "residents_href": residents_href,
            "date_error": translate(request, "region.bad_date") if invalid else None,
            "active": "home",
        },
    )


def _kelurahan_of(kode: str) -> str | None:
    unit = _UNIT.match(kode)
    if unit is not None:
        return unit["kelurahan"]
    return kode if len(kode) == 13 else None


def _unit_label(code: str) -> str:
    unit = _UNIT.match(code)
    if unit is None:
        return code
    if unit["rt"] is not None:
        return f"RT {unit['rt']}"
    return f"RW {unit['rw']}"

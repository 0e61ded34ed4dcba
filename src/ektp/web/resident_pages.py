"""Pages with personal data: resident search and a resident's record (area-scoped, audited)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ektp.regions.service import kelurahan_in_area, region_names, rt_code
from ektp.residents import search
from ektp.residents.eligibility import age_on, is_wajib_ktp
from ektp.residents.schemas import ResidentPage
from ektp.web.deps import DbSession, PersonalDataUser, client_address
from ektp.web.person_access import open_record, search_for
from ektp.web.render import render, translate

router = APIRouter(include_in_schema=False)


@router.get("/penduduk", response_class=HTMLResponse)
def search_page(
    request: Request,
    user: PersonalDataUser,
    session: DbSession,
    q: str = "",
    kelurahan: str = "",
    after: str | None = None,
    rows: int = 0,
) -> HTMLResponse:
    """Return the search form and, when asked, one page of results (only the rows for htmx)."""
    assert user.area_kode is not None
    page: ResidentPage | None = None
    error = None
    unit_label = None
    if q.strip() or kelurahan:
        try:
            page = search_for(
                session=session,
                user=user,
                text=q,
                kelurahan=kelurahan or None,
                after=after,
                limit=search.DEFAULT_LIMIT,
                client=client_address(request),
            )
            if kelurahan:
                unit_label = _unit_label(request, session, search.parse_unit(kelurahan))
        except search.SearchError as problem:
            error = translate(request, f"search.error.{problem.key}")
    next_href = None
    if page is not None and page.next_after:
        query = {"q": q, "kelurahan": kelurahan, "after": page.next_after}
        next_href = "/penduduk?" + urlencode(query)
    names = region_names(
        session=session, codes={row.kode_kelurahan for row in page.items} if page else set()
    )
    context: dict[str, object] = {
        "q": q,
        "kelurahan": kelurahan,
        "unit_label": unit_label,
        "page": page,
        "error": error,
        "next_href": next_href,
        "kelurahan_names": names,
        "active": "search",
    }
    if rows and page is not None:
        return render(request, "partials/result_rows.html", context, personal=True)
    context["kelurahan_groups"] = kelurahan_in_area(session=session, area_kode=user.area_kode)
    return render(request, "search.html", context, status_code=400 if error else 200, personal=True)


def _unit_label(request: Request, session: DbSession, unit: search.Unit) -> str | None:
    # A plain kelurahan is shown by the drop-down list itself; RW/RT need their own option.
    if unit.rw is None:
        return None
    nama = region_names(session=session, codes=[unit.kode_kelurahan]).get(
        unit.kode_kelurahan, unit.kode_kelurahan
    )
    if unit.rt is None:
        return translate(request, "search.unit", kelurahan=nama, rw=f"{unit.rw:03d}")
    return translate(
        request, "search.unit_rt", kelurahan=nama, rw=f"{unit.rw:03d}", rt=f"{unit.rt:03d}"
    )


@router.get("/penduduk/{nik}", response_class=HTMLResponse)
def person_page(
    request: Request, nik: str, user: PersonalDataUser, session: DbSession
) -> HTMLResponse:
    """Return a resident's record, or 404 when it is unknown or outside the user's area."""
    person = open_record(session=session, user=user, nik=nik, client=client_address(request))
    if person is None:
        # Returned, not raised: the audit event of the refused view must be committed.
        return render(
            request,
            "error.html",
            {
                "heading": translate(request, "error.404"),
                "message": translate(request, "error.404.text"),
            },
            status_code=404,
            personal=True,
        )
    kecamatan_kode = person.kode_kelurahan[:8]
    names = region_names(session=session, codes=[person.kode_kelurahan, kecamatan_kode])
    today = dt.date.today()
    referer = request.headers.get("referer", "")
    back_href = "/penduduk"
    if "/penduduk?" in referer:
        back_href = "/penduduk?" + referer.split("/penduduk?", 1)[1]
    return render(
        request,
        "person.html",
        {
            "person": person,
            "age": age_on(person.tanggal_lahir, today),
            "wajib_ktp": is_wajib_ktp(person.tanggal_lahir, person.status_kawin, today),
            "rt_code": rt_code(person.kode_kelurahan, person.rw, person.rt),
            "kelurahan_nama": names.get(person.kode_kelurahan, person.kode_kelurahan),
            "kecamatan_kode": kecamatan_kode,
            "kecamatan_nama": names.get(kecamatan_kode, kecamatan_kode),
            "back_href": back_href,
            "active": "search",
        },
        personal=True,
    )

"""JSON routes of residents: search and one record, scoped to the user's area and audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from ektp.residents import search
from ektp.residents.schemas import ResidentDetail, ResidentPage
from ektp.web.deps import DbSession, PersonalDataUser, client_address
from ektp.web.person_access import open_record, search_for

router = APIRouter(prefix="/residents", tags=["residents"])
# Personal data: no browser or proxy may keep a copy.
_NO_STORE = {"Cache-Control": "no-store"}


@router.get("", response_model=ResidentPage)
def search_residents(
    request: Request,
    user: PersonalDataUser,
    session: DbSession,
    q: str = "",
    kelurahan: str | None = None,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_LIMIT)] = search.DEFAULT_LIMIT,
) -> Response:
    """Return one page of residents in your area matching a NIK, NIK prefix or name prefix.

    Pass ``next_after`` of a page as ``after`` to get the next one.
    """
    try:
        page = search_for(
            session=session,
            user=user,
            text=q,
            kelurahan=kelurahan,
            after=after,
            limit=limit,
            client=client_address(request),
        )
    except search.SearchError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return JSONResponse(page.model_dump(mode="json"), headers=_NO_STORE)


@router.get(
    "/{nik}",
    response_model=ResidentDetail,
    responses={404: {"description": "Unknown, or outside your area"}},
)
def get_resident(
    nik: str, request: Request, user: PersonalDataUser, session: DbSession
) -> Response:
    """Return a resident's record; 404 when unknown or outside your area (indistinguishable)."""
    person = open_record(session=session, user=user, nik=nik, client=client_address(request))
    if person is None:
        # Returned, not raised: the audit event of the refused view must be committed.
        return JSONResponse({"detail": "not found"}, status_code=404, headers=_NO_STORE)
    return JSONResponse(person.model_dump(mode="json"), headers=_NO_STORE)

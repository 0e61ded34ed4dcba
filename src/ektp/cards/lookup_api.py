"""Public API of the card status lookup: ``POST /api/v1/status`` (no login).

Each client address gets a limited number of attempts (the application's public limiter,
shared with the other NIK-keyed public endpoints); beyond it, 429 with Retry-After.
"""

from __future__ import annotations

import datetime as dt
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ektp.cards.lookup import lookup_status
from ektp.web.deps import DbSession, client_address

router = APIRouter(tags=["cards"])
_NO_STORE = {"Cache-Control": "no-store"}


class StatusRequest(BaseModel):
    """A resident's own lookup: NIK and birth date."""

    nik: str = Field(max_length=32, examples=["1671074117800001"])
    tanggal_lahir: dt.date = Field(examples=["1980-05-17"])


class StatusMessage(BaseModel):
    """The answer's text in both languages."""

    id: str
    en: str


class StatusAnswer(BaseModel):
    """Where the card is; the same fields for every answer, ``tidak_ada`` included."""

    stage: str
    message: StatusMessage
    date: dt.date | None
    place: str | None


def too_many(request: Request) -> Response | None:
    """Return the 429 answer when the client has used up its attempts, else count this one."""
    limiter = request.app.state.public_limiter
    client = client_address(request) or "unknown"
    moment = time.monotonic()
    if limiter.allow(client, moment):
        return None
    wait = int(limiter.retry_after(client, moment)) + 1
    return JSONResponse(
        {"detail": "too many attempts from this address; try again later"},
        status_code=429,
        headers={"Retry-After": str(wait), **_NO_STORE},
    )


@router.post(
    "/status",
    response_model=StatusAnswer,
    responses={429: {"description": "Too many attempts from this address"}},
)
def post_status(body: StatusRequest, request: Request, session: DbSession) -> Response:
    """Return where your card is: NIK and birth date in; a stage, a date and a place out.

    Public. A wrong NIK or birth date gets the same answer as a resident without a card.
    """
    refused = too_many(request)
    if refused is not None:
        return refused
    answer = lookup_status(
        session=session,
        nik=body.nik,
        tanggal_lahir=body.tanggal_lahir,
        client=client_address(request),
        now=dt.datetime.now(dt.UTC),
    )
    return JSONResponse(answer.as_json(), headers=_NO_STORE)

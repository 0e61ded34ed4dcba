"""Downloads of the kelurahan page: call-up letters (PDF) and delivery lists (CSV, PDF).

Letters and lists carry personal data (names, masked NIKs, addresses): each download is
checked like the page itself and written to the audit log. Printing letters moves their
invitations from ``planned`` to ``letter_printed``, as ``ektp letters`` does, so it is a POST
with the form's CSRF token; the delivery lists change nothing and are plain links.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from ektp.auth import service as auth_service
from ektp.scheduling import letters
from ektp.scheduling.letters_service import LettersError, letters_of, mark_letters_printed
from ektp.web.deps import CurrentUser, DbSession, client_address, csrf_ok
from ektp.web.plan_access import kelurahan_crumbs

router = APIRouter(include_in_schema=False)

ACTION_LETTERS_PRINTED = "letters_printed"
"""The audit action ``ektp letters`` writes too: one search finds both ways of printing."""
ACTION_DELIVERY_LIST = "delivery_list.download"
MAX_WORKERS = 4


def _unit_suffix(rw: int | None, rt: int | None) -> str:
    return (f"-rw{rw:03d}" if rw is not None else "") + (f"-rt{rt:03d}" if rt is not None else "")


def _unit_detail(rw: int | None, rt: int | None) -> str:
    return (f", RW {rw}" if rw is not None else "") + (f", RT {rt}" if rt is not None else "")


def _batch(
    session: DbSession, kode: str, rw: int | None, rt: int | None, now: dt.datetime
) -> letters.LetterBatch:
    try:
        return letters_of(
            session=session,
            kode_kelurahan=kode,
            rw=rw,
            rt=rt,
            printed_on=letters.local_date(kode, now),
        )
    except LettersError:
        raise HTTPException(status_code=404, detail="no letters to print here") from None


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Personal data: no browser or proxy keeps a copy.
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/rencana/kelurahan/{kode}/surat.pdf")
def letters_download(
    request: Request,
    kode: str,
    user: CurrentUser,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
    rw: Annotated[int | None, Form(ge=1)] = None,
    rt: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """Return the letters of the kelurahan (or one RW, one RT) as a PDF; mark them printed."""
    kelurahan_crumbs(request=request, session=session, user=user, kode=kode)
    if not csrf_ok(request, csrf_token):
        raise HTTPException(status_code=403, detail="the form has expired")
    now = dt.datetime.now(dt.UTC)
    batch = _batch(session, kode, rw, rt, now)
    username = user.username
    # Laying out a whole kelurahan takes minutes: hold no transaction open meanwhile (nothing
    # was written yet). The invitations are marked once the PDF exists, as the CLI does.
    session.rollback()
    big = len(batch.letters) > letters.LETTERS_PER_PART
    workers = min(MAX_WORKERS, os.cpu_count() or 1) if big else 1
    pdf = letters.letters_pdf(batch, workers=workers)
    ids = [letter.invitation_id for letter in batch.letters]
    marked = mark_letters_printed(session=session, invitation_ids=ids, now=now, by=username)
    auth_service.record_audit(
        session=session,
        username=username,
        action=ACTION_LETTERS_PRINTED,
        subject=batch.kode_kelurahan,
        detail=f"{len(ids)} letters{_unit_detail(rw, rt)}; {marked} marked letter_printed",
        client=client_address(request),
        now=now,
    )
    return _download(pdf, "application/pdf", f"surat-{kode}{_unit_suffix(rw, rt)}.pdf")


@router.get("/rencana/kelurahan/{kode}/daftar-antar.{kind}")
def delivery_list_download(
    request: Request,
    kode: str,
    kind: str,
    user: CurrentUser,
    session: DbSession,
    rw: int | None = None,
    rt: int | None = None,
) -> Response:
    """Return the delivery list (one row per letter, a column to sign) as CSV or PDF."""
    kelurahan_crumbs(request=request, session=session, user=user, kode=kode)
    if kind not in ("csv", "pdf") or (rw is not None and rw < 1) or (rt is not None and rt < 1):
        raise HTTPException(status_code=404, detail="no such list")
    now = dt.datetime.now(dt.UTC)
    batch = _batch(session, kode, rw, rt, now)
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=ACTION_DELIVERY_LIST,
        subject=batch.kode_kelurahan,
        detail=f"{kind}, {len(batch.letters)} rows{_unit_detail(rw, rt)}",
        client=client_address(request),
        now=now,
    )
    filename = f"daftar-antar-{kode}{_unit_suffix(rw, rt)}.{kind}"
    if kind == "csv":
        # With a BOM, as the CLI writes it: spreadsheet programs then read the names right.
        text = letters.delivery_list_csv(batch).encode("utf-8-sig")
        return _download(text, "text/csv; charset=utf-8", filename)
    return _download(letters.delivery_list_pdf(batch), "application/pdf", filename)

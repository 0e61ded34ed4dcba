"""The centre's inbox (``/pusat``): packages received or refused with the reason, counts,
an upload form; and the kecamatan's page to send its batch (``/pusat/kirim``).

Both hold counts and batch ids, no personal data. The inbox is for ``petugas_pusat`` and
the city admin; sending and withdrawing for a kecamatan's operator (its own kecamatan) and
the city admin, with the form's CSRF token; each step is audited by the batch service.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from ektp.auth import roles
from ektp.cards import batches, lifecycle
from ektp.cards.batch_api import CENTRE_ROLES, SEND_ROLES, package_response, require_centre
from ektp.cards.models import Batch, BatchReceipt, Card
from ektp.cards.package import MAX_MEMBER_BYTES
from ektp.recording.crypto import cipher_from_settings
from ektp.regions.service import region_names
from ektp.web.deps import CurrentUser, DbSession, client_address, csrf_ok
from ektp.web.render import render, translate

router = APIRouter(include_in_schema=False)
_FLASH = "centre_flash"
__all__ = ["CENTRE_ROLES", "router"]


def _check_form(request: Request, token: str) -> None:
    if not csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="the form has expired")


@router.get("/pusat", response_class=HTMLResponse)
def inbox(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the centre's inbox: counts, then the latest packages with their answer."""
    require_centre(user)
    by_status = dict(
        session.execute(select(Batch.status, func.count()).group_by(Batch.status)).all()
    )
    accepted_records = session.scalar(
        select(func.coalesce(func.sum(Batch.records), 0)).where(Batch.status == batches.ACCEPTED)
    )
    refused = session.scalar(
        select(func.count()).select_from(BatchReceipt).where(BatchReceipt.accepted.is_(False))
    )
    rows = session.execute(
        select(BatchReceipt, Batch.kode_kecamatan)
        .outerjoin(Batch, Batch.batch_uid == BatchReceipt.batch_uid)
        .order_by(BatchReceipt.id.desc())
        .limit(100)
    ).all()
    names = region_names(session=session, codes={kec for _, kec in rows if kec})
    waiting = session.execute(
        select(Batch.batch_uid, Batch.kode_kecamatan, Batch.records, Batch.created_at)
        .where(Batch.status == batches.SENT)
        .order_by(Batch.created_at)
        .limit(100)
    ).all()
    context: dict[str, Any] = {
        "counts": {
            "waiting": by_status.get(batches.SENT, 0),
            "accepted": by_status.get(batches.ACCEPTED, 0),
            "withdrawn": by_status.get(batches.REFUSED, 0),
            "refused": refused or 0,
            "records": accepted_records or 0,
        },
        "receipts": [(receipt, kec, names.get(kec or "", "")) for receipt, kec in rows],
        "waiting": waiting,
        "flash": request.session.pop(_FLASH, None),
        "active": "centre",
    }
    return render(request, "centre/inbox.html", context)


@router.post("/pusat/terima")
async def upload(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Receive an uploaded package and show the answer on the inbox."""
    require_centre(user)
    _check_form(request, csrf_token)
    # A missing file is answered like an empty one: refused, with the reason shown.
    data = await file.read(MAX_MEMBER_BYTES + 1) if file is not None else b""
    result = batches.receive_batch(
        session=session,
        data=data,
        now=dt.datetime.now(dt.UTC),
        by=user.username,
        client=client_address(request),
    )
    request.session[_FLASH] = {
        "kind": "notice" if result.accepted else "error",
        "text": translate(
            request,
            "centre.duplicate"
            if result.duplicate
            else "centre.accepted"
            if result.accepted
            else "centre.refused",
            uid=result.batch_uid or "?",
            records=result.records,
            reason=result.reason,
        ),
    }
    return RedirectResponse("/pusat", status_code=303)


def _sender_area(user: Any) -> str:
    if user.role not in SEND_ROLES or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role does not send batches")
    return str(user.area_kode)


@router.get("/pusat/kirim", response_class=HTMLResponse)
def send_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the kecamatan's recorded cards waiting to be sent, and its recent batches."""
    area = _sender_area(user)
    waiting = session.execute(
        select(Card.kode_kecamatan, Card.recorded_on, func.count())
        .where(Card.state == lifecycle.DIREKAM)
        .group_by(Card.kode_kecamatan, Card.recorded_on)
        .order_by(Card.kode_kecamatan, Card.recorded_on)
    ).all()
    waiting = [row for row in waiting if roles.area_covers(area, row[0])]
    sent = [
        batch
        for batch in session.scalars(select(Batch).order_by(Batch.id.desc()).limit(200))
        if roles.area_covers(area, batch.kode_kecamatan)
    ][:50]
    refusals = dict(
        session.execute(
            select(BatchReceipt.batch_uid, BatchReceipt.reason)
            .where(
                BatchReceipt.accepted.is_(False),
                BatchReceipt.batch_uid.in_([batch.batch_uid for batch in sent]),
            )
            .order_by(BatchReceipt.id)
        ).all()
    )
    codes = {row[0] for row in waiting} | {batch.kode_kecamatan for batch in sent}
    context: dict[str, Any] = {
        "waiting": waiting,
        "kecamatan": sorted({row[0] for row in waiting}),
        "sent": sent,
        "refusals": refusals,
        "names": region_names(session=session, codes=codes),
        "flash": request.session.pop(_FLASH, None),
        "active": "centre",
    }
    return render(request, "centre/send.html", context)


@router.post("/pusat/kirim")
def send_form(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kode_kecamatan: Annotated[str, Form()] = "",
    tanggal: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Sign the kecamatan's recorded cards into a batch and return its file to download."""
    area = _sender_area(user)
    _check_form(request, csrf_token)
    if not roles.area_covers(area, kode_kecamatan):
        raise HTTPException(status_code=404, detail="no such kecamatan in your area")
    try:
        day = dt.date.fromisoformat(tanggal) if tanggal else None
    except ValueError:
        raise HTTPException(status_code=400, detail="a date looks like 2011-10-03") from None
    try:
        batch, data = batches.send_batch(
            session=session,
            kode_kecamatan=kode_kecamatan,
            tanggal=day,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
            cipher=cipher_from_settings(request.app.state.runtime.settings),
            client=client_address(request),
        )
    except batches.BatchError as error:
        request.session[_FLASH] = {"kind": "error", "text": str(error)}
        return RedirectResponse("/pusat/kirim", status_code=303)
    return package_response(batch, data)


@router.post("/pusat/kirim/tarik")
def withdraw_form(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    batch_uid: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Withdraw a sent, not yet accepted batch of the user's area: its cards wait again."""
    area = _sender_area(user)
    _check_form(request, csrf_token)
    kecamatan = session.scalar(select(Batch.kode_kecamatan).where(Batch.batch_uid == batch_uid))
    if kecamatan is None or not roles.area_covers(area, kecamatan):
        raise HTTPException(status_code=404, detail="no such batch in your area")
    try:
        batches.withdraw_batch(
            session=session,
            batch_uid=batch_uid,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
            client=client_address(request),
        )
        request.session[_FLASH] = {
            "kind": "notice",
            "text": translate(request, "centre.withdrawn", uid=batch_uid),
        }
    except batches.BatchError as error:
        request.session[_FLASH] = {"kind": "error", "text": str(error)}
    return RedirectResponse("/pusat/kirim", status_code=303)

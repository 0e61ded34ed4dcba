"""Batch API: a kecamatan sends its batch (the file comes back), the centre uploads one.

``POST /batches/send`` is for the kecamatan's operator (its own kecamatan) and the city
admin; ``POST /pusat/batches`` (the package as the raw body) and ``GET /pusat/batches`` for
the centre (``petugas_pusat``) and the city admin. A refusal answers 422 with the reason and
still commits its receipt and audit event.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth.models import User
from ektp.cards import batches
from ektp.cards.models import Batch, BatchReceipt
from ektp.cards.package import MAX_MEMBER_BYTES
from ektp.recording.crypto import cipher_from_settings
from ektp.web.deps import CurrentUser, DbSession, client_address

router = APIRouter(tags=["batches"])
SEND_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
CENTRE_ROLES = frozenset({roles.ADMIN_KOTA, roles.PETUGAS_PUSAT})


class SendRequest(BaseModel):
    """Which kecamatan's recorded cards to send, and optionally only one day's."""

    kode_kecamatan: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}$")
    tanggal: dt.date | None = None


def require_sender(session: Session, user: User, kode_kecamatan: str) -> None:
    """Raise 403 unless the role sends batches, 404 when the kecamatan is outside its area."""
    del session
    if user.role not in SEND_ROLES or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role does not send batches")
    if not roles.area_covers(user.area_kode, kode_kecamatan):
        raise HTTPException(status_code=404, detail="no such kecamatan in your area")


def require_centre(user: User) -> None:
    """Raise 403 unless the role works at the centre."""
    if user.role not in CENTRE_ROLES:
        raise HTTPException(status_code=403, detail="only the centre receives batches")


@router.post("/batches/send")
def send(body: SendRequest, request: Request, user: CurrentUser, session: DbSession) -> Response:
    """Return the new batch's package file (its uid and count in the headers)."""
    require_sender(session, user, body.kode_kecamatan)
    try:
        batch, data = batches.send_batch(
            session=session,
            kode_kecamatan=body.kode_kecamatan,
            tanggal=body.tanggal,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
            cipher=cipher_from_settings(request.app.state.runtime.settings),
            client=client_address(request),
        )
    except batches.BatchError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    return package_response(batch, data)


def package_response(batch: Batch, data: bytes) -> Response:
    """Return ``data`` as the download of ``batch``'s file."""
    return Response(
        content=data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="batch-{batch.batch_uid}.zip"',
            "X-Batch-Uid": batch.batch_uid,
            "X-Batch-Records": str(batch.records),
            "Cache-Control": "no-store",
        },
    )


@router.post("/pusat/batches")
async def receive(request: Request, user: CurrentUser, session: DbSession) -> JSONResponse:
    """Return the centre's answer to the package in the body (200 accepted, 422 refused)."""
    require_centre(user)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_MEMBER_BYTES:
        raise HTTPException(status_code=413, detail="the file is larger than a batch can be")
    data = await request.body()
    result = batches.receive_batch(
        session=session,
        data=data,
        now=dt.datetime.now(dt.UTC),
        by=user.username,
        client=client_address(request),
    )
    return JSONResponse(result.as_json(), status_code=200 if result.accepted else 422)


@router.get("/pusat/batches")
def receipts(user: CurrentUser, session: DbSession, limit: int = 100) -> list[dict[str, object]]:
    """Return the packages the centre was handed, newest first, with their batch."""
    require_centre(user)
    rows = session.execute(
        select(BatchReceipt, Batch.kode_kecamatan, Batch.status)
        .outerjoin(Batch, Batch.batch_uid == BatchReceipt.batch_uid)
        .order_by(BatchReceipt.id.desc())
        .limit(max(1, min(limit, 1000)))
    ).all()
    return [
        {
            "batch_uid": receipt.batch_uid,
            "kode_kecamatan": kecamatan,
            "batch_status": status,
            "accepted": receipt.accepted,
            "duplicate": receipt.duplicate,
            "records": receipt.records,
            "reason": receipt.reason,
            "received_at": receipt.received_at.isoformat(),
            "received_by": receipt.received_by,
        }
        for receipt, kecamatan, status in rows
    ]

"""The handover desk ``/penyerahan``: find the card by NIK or the letter's QR, compare the
face with the recorded photo, record who receives it (owner or representative) and their
signature or the tick box, and hand it over.

Only ``admin_kota`` (the city) and ``operator_kecamatan`` (its own kecamatan) use it; another
role gets 403, a card outside the user's area 404. A search for a resident of another area
reads exactly like one for a NIK nobody has. Every search and every view of a card is
audited; the pages are never cached. Of the biometrics only the face photo is opened, to
compare faces. A card is handed over where it lies: one returned to the city office only
at the city's desk.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.cards import handover
from ektp.cards.handover import HandoverCard, HandoverRefused
from ektp.recording.crypto import BiometricCipher, DecryptionError, cipher_from_settings
from ektp.regions.service import region_names
from ektp.web.deps import CurrentUser, DbSession, client_address, csrf_ok
from ektp.web.render import render

router = APIRouter(include_in_schema=False)

HANDOVER_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
FLASH_KEY = "handover_flash"
ACTION_VIEW = "card.handover_view"
ACTION_SEARCH = "card.handover_search"
ACTION_DONE = "card.handover"
ACTION_REFUSED = "card.handover_refused"
_IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (handover.PNG_MAGIC, "image/png"))


def _require_role(user: User) -> str:
    if user.role not in HANDOVER_ROLES or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role does not hand over cards")
    return user.area_kode


def _card_in_area(session: Session, user: User, card_id: int) -> HandoverCard:
    area = _require_role(user)
    card = handover.card_by_id(session=session, card_id=card_id)
    if card is None or not roles.area_covers(area, card.kode_kecamatan):
        raise HTTPException(status_code=404, detail="no such card in your area")
    return card


def _cipher(request: Request) -> BiometricCipher:
    cipher = getattr(request.app.state, "biometric_cipher", None)
    if not isinstance(cipher, BiometricCipher):
        cipher = cipher_from_settings(request.app.state.runtime.settings)
        request.app.state.biometric_cipher = cipher
    return cipher


def _photo(request: Request, session: Session, card: HandoverCard) -> dict[str, Any]:
    """Return the photo as a data URI when it is a displayable image, else why not."""
    try:
        image = handover.recorded_photo(
            session=session, recording_id=card.recording_id, cipher=_cipher(request)
        )
    except DecryptionError:
        return {"photo_problem": "handover.photo_locked"}
    if image is None:
        return {"photo_problem": "handover.photo_none"}
    for magic, media in _IMAGE_TYPES:
        if image.startswith(magic):
            encoded = base64.b64encode(image).decode("ascii")
            return {"photo_uri": f"data:{media};base64,{encoded}"}
    return {"photo_problem": "handover.photo_unviewable"}


def _audit(
    request: Request, session: Session, user: User, action: str, card: HandoverCard, **detail: Any
) -> None:
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=action,
        subject=card.nik,
        detail=json.dumps({"card": card.card_id, **detail}, ensure_ascii=False),
        client=client_address(request),
    )


@router.get("/penyerahan", response_class=HTMLResponse)
def search_page(request: Request, user: CurrentUser) -> HTMLResponse:
    """Return the search form: scan the letter's QR or type the NIK."""
    _require_role(user)
    flash = request.session.pop(FLASH_KEY, None)
    return render(
        request, "handover/search.html", {"active": "handover", "flash": flash}, personal=True
    )


@router.post("/penyerahan/cari", response_model=None)
def search(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    nik: Annotated[str, Form(max_length=32)] = "",
    qr: Annotated[str, Form(max_length=80)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Return a redirect to the card found (no NIK in any URL), or the form with the reason."""
    area = _require_role(user)
    if not csrf_ok(request, csrf_token):
        raise HTTPException(status_code=403, detail="the form has expired")
    typed = nik.strip()[:16] if not qr.strip() else "(qr)"
    try:
        card = handover.find_card(session=session, nik=nik, qr=qr, area=area)
    except HandoverRefused as refused:
        # Rendered, not raised: the audit of the search must be committed. A NIK nobody has
        # and a resident of another area read the same (404, one sentence).
        _audit_search(request, session, user, typed, found=False)
        if refused.not_found:
            context: dict[str, Any] = {"problem_key": "handover.not_in_area"}
            status = 404
        else:
            context, status = {"problem": str(refused)}, 422
        return render(
            request,
            "handover/search.html",
            {"active": "handover", **context},
            status_code=status,
            personal=True,
        )
    _audit_search(request, session, user, card.nik, found=True)
    return RedirectResponse(f"/penyerahan/kartu/{card.card_id}", status_code=303)


def _audit_search(
    request: Request, session: Session, user: User, subject: str, *, found: bool
) -> None:
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=ACTION_SEARCH,
        subject=subject,
        detail=json.dumps({"found": found}),
        client=client_address(request),
    )


def _card_page(
    request: Request,
    session: Session,
    user: User,
    card: HandoverCard,
    *,
    status_code: int = 200,
    problem: str | None = None,
    field: str | None = None,
) -> HTMLResponse:
    _audit(request, session, user, ACTION_VIEW, card)
    names = region_names(session=session, codes=[card.kode_kecamatan])
    earlier = handover.handover_of(session=session, card_id=card.card_id)
    return render(
        request,
        "handover/card.html",
        {
            "active": "handover",
            "card": card,
            "refusal": card.refusal_at(user.area_kode),
            "kecamatan_name": names.get(card.kode_kecamatan, card.kode_kecamatan),
            "earlier": earlier,
            "flash": request.session.pop(FLASH_KEY, None),
            "problem": problem,
            "field": field,
            **_photo(request, session, card),
        },
        status_code=status_code,
        personal=True,
    )


@router.get("/penyerahan/kartu/{card_id}", response_class=HTMLResponse)
def card_page(
    request: Request, card_id: int, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    """Return the card at the desk: the resident's name and recorded photo, and the form."""
    card = _card_in_area(session, user, card_id)
    return _card_page(request, session, user, card)


@router.post("/penyerahan/kartu/{card_id}", response_model=None)
async def hand_over(
    request: Request,
    card_id: int,
    user: CurrentUser,
    session: DbSession,
    recipient: Annotated[str, Form(max_length=8)] = "pemilik",
    representative_name: Annotated[str, Form(max_length=120)] = "",
    representative_nik: Annotated[str, Form(max_length=32)] = "",
    representative_relation: Annotated[str, Form(max_length=60)] = "",
    face_confirmed: Annotated[str, Form(max_length=8)] = "",
    acknowledged: Annotated[str, Form(max_length=8)] = "",
    signature: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Return a redirect to the card after handing it over, or the card with the reason."""
    card = _card_in_area(session, user, card_id)
    if not csrf_ok(request, csrf_token):
        raise HTTPException(status_code=403, detail="the form has expired")
    signature_png = None
    if signature is not None and signature.filename:
        signature_png = await signature.read(handover.MAX_SIGNATURE_BYTES + 1)
    try:
        done = handover.hand_over(
            session=session,
            card_id=card.card_id,
            recipient=recipient,
            representative_name=representative_name or None,
            representative_nik=representative_nik or None,
            representative_relation=representative_relation or None,
            face_confirmed=face_confirmed == "1",
            acknowledged=acknowledged == "1",
            signature_png=signature_png,
            operator=user.username,
            operator_name=user.full_name,
            now=dt.datetime.now(dt.UTC),
            desk_area=user.area_kode,
        )
    except HandoverRefused as refused:
        # Rendered, not raised: the audit of the refused attempt must be committed.
        _audit(request, session, user, ACTION_REFUSED, card, reason=str(refused))
        status = 422 if refused.field else 409
        return _card_page(
            request,
            session,
            user,
            card,
            status_code=status,
            problem=str(refused),
            field=refused.field,
        )
    _audit(request, session, user, ACTION_DONE, card, recipient=recipient, days=done.days)
    request.session[FLASH_KEY] = {"kind": "notice", "key": "handover.done"}
    return RedirectResponse(f"/penyerahan/kartu/{card.card_id}", status_code=303)

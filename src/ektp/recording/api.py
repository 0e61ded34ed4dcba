"""The device API of a recording set, under /recording: take the next resident, start the
recording, upload captures, note exceptions, complete or fail.

Real scanners come with vendor SDKs; a small adapter on the set's PC calls these routes with
a per-user API token (``Authorization: Bearer``, see ``ektp users token``) or the operator's
session. Only ``operator_kecamatan`` (its kecamatan's sites) and ``admin_kota`` may call
them; a recording or site outside the caller's area answers 404, as if it did not exist.

A refused payload (unknown modality, quality outside 0-100, bad base64, an image over 2 MB,
an unknown recording, a finished one) gets a 4xx with a plain message and changes nothing.
A capture retried with the same ``Idempotency-Key`` returns the first result (with the
header ``Idempotent-Replayed: true``) and stores nothing; a repeated complete returns the
completed recording. Templates and images are encrypted before they are stored and never
appear in an answer or in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.recording import capture_rules as rules
from ektp.recording import desk, desk_rows, desk_views
from ektp.recording.capture_payload import (
    CAPTURE_DOC,
    capture_body,
    check_idempotency_key,
    decode_base64,
)
from ektp.recording.crypto import BiometricCipher, cipher_from_settings
from ektp.recording.desk_schemas import (
    CaptureRequest,
    CaptureView,
    DeskView,
    ExceptionRequest,
    FailRequest,
    NextRequest,
    RecordingView,
    StartRequest,
)
from ektp.recording.models import QueueTicket, Recording
from ektp.recording.queue_api import clock
from ektp.web.deps import CurrentUser, DbSession, client_address

router = APIRouter(prefix="/recording", tags=["recording"])

DESK_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
_NO_STORE = {"Cache-Control": "no-store"}
_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No session and no valid API token."},
    403: {"description": "The role does not run recording desks."},
    404: {"description": "No such recording, ticket or site in the caller's area."},
    409: {"description": "The recording's state refuses the step (finished, not complete...)."},
    422: {"description": "The payload breaks a rule; the message says which."},
}


async def _biometric_cipher(request: Request) -> BiometricCipher:
    # Built on first use, not at startup: a server that never records needs no key file.
    # On the event loop (no worker thread per call): after the first call it reads an attribute.
    cipher = getattr(request.app.state, "biometric_cipher", None)
    if not isinstance(cipher, BiometricCipher):
        cipher = cipher_from_settings(request.app.state.runtime.settings)
        request.app.state.biometric_cipher = cipher
    return cipher


Cipher = Annotated[BiometricCipher, Depends(_biometric_cipher)]
Now = Annotated[dt.datetime, Depends(clock)]
"""The queue API's clock: a replay (``ektp demo --simulate-days``) sets one time for both."""


async def _desk_user(user: CurrentUser) -> User:
    if user.role not in DESK_ROLES or user.area_kode is None:
        raise HTTPException(
            status_code=403, detail="only kecamatan operators and the city admin run desks"
        )
    return user


DeskUser = Annotated[User, Depends(_desk_user)]


def _require_site(session: Session, user: User, site_code: str, what: str) -> None:
    kecamatan = desk_views.site_kecamatan(session=session, site_code=site_code)
    assert user.area_kode is not None
    if kecamatan is None or not roles.area_covers(user.area_kode, kecamatan):
        raise HTTPException(status_code=404, detail=f"{what} is not in your area")


def _recording_in_area(
    session: Session, user: User, recording_id: int, *, lock: bool = False
) -> Recording:
    # A step that locks the recording takes the lock here already: the service then finds
    # the row held by this transaction instead of reading it a second time.
    recording = desk_rows.recording_of(session, recording_id, lock=lock)
    if recording is None:
        raise HTTPException(status_code=404, detail=f"there is no recording {recording_id}")
    _require_site(session, user, recording.site_code, f"recording {recording_id}")
    return recording


def _refused(error: desk.DeskError) -> HTTPException:
    return HTTPException(status_code=error.status_code, detail=str(error))


def _lost_race() -> HTTPException:
    return HTTPException(status_code=409, detail="a concurrent change came first; reload and retry")


def _audit(
    session: Session,
    request: Request,
    user: User,
    action: str,
    recording: Recording,
    now: dt.datetime,
    **detail: object,
) -> None:
    nik = desk_views.resident_brief(session=session, resident_id=recording.resident_id).nik
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=action,
        subject=nik,
        detail=json.dumps({"recording": recording.id, **detail}, ensure_ascii=False),
        client=client_address(request),
        now=now,
    )


@router.get("/desk", response_model=DeskView, responses=_REFUSALS)
def get_desk(
    user: DeskUser,
    session: DbSession,
    site_code: Annotated[str, Query(max_length=40, examples=["16.71.06"])],
    set_no: Annotated[int, Query(ge=1, le=99)],
) -> DeskView:
    """Return the resident now at a set: the called ticket and its recording, if any."""
    _require_site(session, user, site_code, f"site {site_code}")
    return desk_views.desk_view(session=session, site_code=site_code, set_no=set_no)


@router.post("/next", response_model=DeskView, responses=_REFUSALS)
def post_next(body: NextRequest, user: DeskUser, session: DbSession, now: Now) -> DeskView:
    """Return the set's current ticket, or call the next waiting number to it.

    ``ticket_id`` is null when nobody is waiting.
    """
    _require_site(session, user, body.site_code, f"site {body.site_code}")
    current = desk_views.desk_view(session=session, site_code=body.site_code, set_no=body.set_no)
    if current.ticket_id is not None:
        return current
    from ektp.recording import checkin, queue

    try:
        called = checkin.call_next(
            session=session,
            site_code=body.site_code,
            set_no=body.set_no,
            now=now,
            by=user.username,
        )
    except queue.UnknownSetError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except queue.QueueError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    if called is None:
        return current
    # Just called: it is the set's ticket now, and no recording has started on it.
    return DeskView(
        site_code=body.site_code,
        set_no=body.set_no,
        ticket_id=called.id,
        number=called.number,
        recording_id=None,
        recording_status=None,
    )


@router.post("/start", response_model=RecordingView, responses=_REFUSALS)
def post_start(
    body: StartRequest, request: Request, user: DeskUser, session: DbSession, now: Now
) -> JSONResponse:
    """Return the recording of the ticket called to this set, starting it if needed.

    Starting twice returns the same recording. The answer names the resident (NIK, name);
    the view is written to the audit log.
    """
    ticket = session.get(QueueTicket, body.ticket_id)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"there is no queue ticket {body.ticket_id}")
    _require_site(session, user, ticket.site_code, f"ticket {body.ticket_id}")
    try:
        recording = desk.start_recording(
            session=session,
            ticket_id=body.ticket_id,
            set_no=body.set_no,
            now=now,
            by=user.username,
        )
    except desk.DeskError as error:
        raise _refused(error) from None
    _audit(session, request, user, "recording.start", recording, now, set_no=body.set_no)
    view = desk_views.recording_view(session=session, recording=recording)
    return JSONResponse(view.model_dump(mode="json"), headers=_NO_STORE)


@router.get("/{recording_id}", response_model=RecordingView, responses=_REFUSALS)
def get_recording(
    recording_id: int, request: Request, user: DeskUser, session: DbSession, now: Now
) -> JSONResponse:
    """Return a recording's state: each modality's progress, never templates or images."""
    recording = _recording_in_area(session, user, recording_id)
    _audit(session, request, user, "recording.view", recording, now)
    return JSONResponse(
        desk_views.recording_view(session=session, recording=recording).model_dump(mode="json"),
        headers=_NO_STORE,
    )


@router.post(
    "/{recording_id}/captures",
    response_model=CaptureView,
    status_code=201,
    responses={
        **_REFUSALS,
        413: {"description": "The image is over 2 MB or the template over 64 KiB."},
        415: {"description": "The body is not application/json."},
    },
    openapi_extra=CAPTURE_DOC,
)
def post_capture(
    recording_id: int,
    request: Request,
    user: DeskUser,
    session: DbSession,
    now: Now,
    cipher: Cipher,
    payload: Annotated[CaptureRequest, Depends(capture_body)],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="A fresh value (e.g. a UUID) per capture; the same one on a retry.",
        ),
    ] = None,
) -> JSONResponse:
    """Store one capture; a retry with the same Idempotency-Key returns the first result."""
    check_idempotency_key(idempotency_key)
    template = decode_base64(payload.template_b64, "template_b64", rules.MAX_TEMPLATE_BYTES)
    image = (
        None
        if payload.image_b64 is None
        else decode_base64(payload.image_b64, "image_b64", rules.MAX_IMAGE_BYTES)
    )
    recording = _recording_in_area(session, user, recording_id, lock=True)
    try:
        result = desk.add_capture(
            session=session,
            recording_id=recording_id,
            modality=payload.modality,
            quality=payload.quality,
            template=template,
            image=image,
            idempotency_key=idempotency_key,
            now=now,
            cipher=cipher,
        )
    except desk.DeskError as error:
        raise _refused(error) from None
    except IntegrityError:
        raise _lost_race() from None
    headers = dict(_NO_STORE)
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    else:
        _audit(
            session,
            request,
            user,
            "recording.capture",
            recording,
            now,
            modality=result.modality,
            attempt=result.attempt,
            quality=result.quality,
            accepted=result.accepted,
        )
    view = CaptureView(**{key: getattr(result, key) for key in CaptureView.model_fields})
    return JSONResponse(view.model_dump(mode="json"), status_code=201, headers=headers)


@router.post("/{recording_id}/exceptions", response_model=RecordingView, responses=_REFUSALS)
def post_exception(
    recording_id: int,
    body: ExceptionRequest,
    request: Request,
    user: DeskUser,
    session: DbSession,
    now: Now,
) -> JSONResponse:
    """Note that the resident cannot give a modality, and why; returns the recording."""
    recording = _recording_in_area(session, user, recording_id, lock=True)
    try:
        recording = desk.note_exception(
            session=session,
            recording_id=recording_id,
            modality=body.modality,
            reason=body.reason,
            by=user.username,
        )
    except desk.DeskError as error:
        raise _refused(error) from None
    _audit(session, request, user, "recording.exception", recording, now, modality=body.modality)
    return JSONResponse(
        desk_views.recording_view(session=session, recording=recording).model_dump(mode="json"),
        headers=_NO_STORE,
    )


@router.post("/{recording_id}/complete", response_model=RecordingView, responses=_REFUSALS)
def post_complete(
    recording_id: int, request: Request, user: DeskUser, session: DbSession, now: Now
) -> JSONResponse:
    """Complete the recording once every modality is accepted or excepted (idempotent)."""
    recording = _recording_in_area(session, user, recording_id)
    was = recording.status
    try:
        recording = desk.complete_recording(
            session=session,
            recording_id=recording_id,
            now=now,
            by=user.username,
        )
    except desk.DeskError as error:
        raise _refused(error) from None
    except IntegrityError:
        raise _lost_race() from None
    if was != recording.status:
        _audit(session, request, user, "recording.complete", recording, now)
    return JSONResponse(
        desk_views.recording_view(session=session, recording=recording).model_dump(mode="json"),
        headers=_NO_STORE,
    )


@router.post("/{recording_id}/fail", response_model=RecordingView, responses=_REFUSALS)
def post_fail(
    recording_id: int,
    body: FailRequest,
    request: Request,
    user: DeskUser,
    session: DbSession,
    now: Now,
) -> JSONResponse:
    """Fail the recording with a reason; the resident is re-invited when the session closes."""
    recording = _recording_in_area(session, user, recording_id)
    was = recording.status
    try:
        recording = desk.fail_recording(
            session=session,
            recording_id=recording_id,
            reason=body.reason,
            now=now,
            by=user.username,
        )
    except desk.DeskError as error:
        raise _refused(error) from None
    if was != recording.status:
        _audit(
            session,
            request,
            user,
            "recording.fail",
            recording,
            now,
            reason=recording.failure_reason,
        )
    return JSONResponse(
        desk_views.recording_view(session=session, recording=recording).model_dump(mode="json"),
        headers=_NO_STORE,
    )

"""Pages of printing and shipping: the print queue and runs (``/pusat/cetak``), shipments in
transit with the forms to send (``/pengiriman``), and one shipment's manifest and receiving
with scan-as-you-go (``/pengiriman/{id}``: htmx swaps the scan panel, its input keeps focus).

The pages show card serials, boxes and places, never a person: no audit of views is needed.
Who may do what: see ``shipment_access``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ektp.cards import printing, receiving, shipping
from ektp.cards.models import Shipment
from ektp.cards.shipping_api import clock, manifest_download
from ektp.cards.transitions import ConcurrentChange, TransitionRefused
from ektp.regions.service import region_names
from ektp.web import shipment_access as access
from ektp.web.deps import CurrentUser, DbSession, csrf_ok
from ektp.web.exports import table_response
from ektp.web.render import render, translate

router = APIRouter(include_in_schema=False)
Now = Annotated[dt.datetime, Depends(clock)]
FLASH_KEY = "shipping_flash"
REFUSALS = (
    printing.PrintError,
    shipping.ShippingError,
    receiving.ReceivingError,
    TransitionRefused,
    ConcurrentChange,
)


def _check_form(request: Request, token: str) -> None:
    if not csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="the form has expired")


def _flash(request: Request, kind: str, text: str) -> None:
    request.session[FLASH_KEY] = {"kind": kind, "text": text}


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/pusat/cetak", response_class=HTMLResponse)
def print_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the print queue per city, the latest runs and the form to start a run."""
    area = access.print_area(user)
    queue = [
        line
        for line in printing.queue_by_city(session=session)
        if area is None or line.kode_kota == area
    ]
    runs = printing.recent_runs(session=session, kode_kota=area)
    ready = shipping.ready_to_ship(session=session, leg=shipping.PUSAT_KOTA, area=area)
    cities = sorted({line.kode_kota for line in queue} | set(ready) | ({area} if area else set()))
    return render(
        request,
        "shipping/print.html",
        {
            "active": "centre",
            "queue": queue,
            "runs": runs,
            "ready": ready,
            "cities": cities,
            "names": region_names(session=session, codes=cities),
            "may_ship": shipping.PUSAT_KOTA in access.sendable_legs(user),
            "flash": request.session.pop(FLASH_KEY, None),
        },
    )


@router.post("/pusat/cetak")
def start_run(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    now: Now,
    csrf_token: Annotated[str, Form()] = "",
    kode_kota: Annotated[str, Form(max_length=5)] = "",
    size: Annotated[int, Form(ge=1, le=printing.MAX_RUN_SIZE)] = 1000,
    failures: Annotated[int, Form(ge=0, le=printing.MAX_RUN_SIZE)] = 0,
) -> Response:
    """Start a print run; back to the print page with what it did."""
    access.require_printer(user, kode_kota)
    _check_form(request, csrf_token)
    try:
        run = printing.start_print_run(
            session=session,
            kode_kota=kode_kota,
            size=size,
            now=now,
            by=user.username,
            failures=failures,
        )
    except REFUSALS as error:
        _flash(request, "error", str(error))
        return _back("/pusat/cetak")
    _flash(
        request,
        "notice",
        translate(request, "shipping.run_done", id=run.id, printed=run.printed, failed=run.failed),
    )
    return _back("/pusat/cetak")


@router.get("/pusat/cetak/riwayat.{fmt}")
def runs_export(fmt: str, user: CurrentUser, session: DbSession) -> Response:
    """Return the latest print runs as CSV or XLSX."""
    area = access.print_area(user)
    runs = printing.recent_runs(session=session, kode_kota=area, limit=1000)
    return table_response(
        fmt,
        "cetak-riwayat",
        ("id", "kode_kota", "ukuran", "dicetak", "gagal", "status", "mulai", "oleh"),
        (
            (r.id, r.kode_kota, r.size, r.printed, r.failed, r.status, r.created_at, r.created_by)
            for r in runs
        ),
    )


def _list_context(user: CurrentUser, session: DbSession) -> dict[str, Any]:
    area, leg = access.shipping_scope(user)
    moving = shipping.in_transit(session=session, area=area, leg=leg)
    done = shipping.recent(session=session, area=area, leg=leg, limit=20)
    legs = access.sendable_legs(user)
    ready = {
        one: shipping.ready_to_ship(
            session=session, leg=one, area=None if one == shipping.PUSAT_KOTA else area
        )
        for one in legs
    }
    codes = {s.destination for s in moving + done} | {d for r in ready.values() for d in r}
    return {
        "moving": moving,
        "done": done,
        "ready": ready,
        "names": region_names(session=session, codes=codes),
        "may_receive": access.may_receive(user),
    }


@router.get("/pengiriman", response_class=HTMLResponse)
def shipments_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the shipments on their way to the user's area and the forms to send."""
    context = _list_context(user, session)
    return render(
        request,
        "shipping/list.html",
        {
            **context,
            "active": "shipments",
            "default_box": shipping.DEFAULT_BOX_SIZE,
            "flash": request.session.pop(FLASH_KEY, None),
        },
    )


@router.post("/pengiriman")
def send_shipment(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    now: Now,
    csrf_token: Annotated[str, Form()] = "",
    leg: Annotated[str, Form(max_length=16)] = "",
    destination: Annotated[str, Form(max_length=13)] = "",
    box_size: Annotated[int, Form(ge=1, le=shipping.MAX_BOX_SIZE)] = shipping.DEFAULT_BOX_SIZE,
) -> Response:
    """Send the cards ready for a destination; on to the new shipment's page."""
    access.require_sender(user, leg, destination)
    _check_form(request, csrf_token)
    try:
        shipment = shipping.create_shipment(
            session=session,
            leg=leg,
            destination=destination,
            now=now,
            by=user.username,
            box_size=box_size,
        )
    except REFUSALS as error:
        _flash(request, "error", str(error))
        return _back("/pengiriman")
    _flash(
        request,
        "notice",
        translate(request, "shipping.sent", number=shipment.number, cards=shipment.cards),
    )
    return _back(f"/pengiriman/{shipment.id}")


@router.get("/pengiriman/daftar.{fmt}")
def shipments_export(fmt: str, user: CurrentUser, session: DbSession) -> Response:
    """Return the shipments in transit and the latest received ones as CSV or XLSX."""
    context = _list_context(user, session)
    rows = [
        (
            s.number,
            s.leg,
            s.origin,
            s.destination,
            s.boxes,
            s.cards,
            s.status,
            s.sent_at,
            s.received_at,
        )
        for s in context["moving"] + context["done"]
    ]
    return table_response(
        fmt,
        "pengiriman",
        ("nomor", "jalur", "asal", "tujuan", "kotak", "kartu", "status", "dikirim", "diterima"),
        rows,
    )


def _shipment_context(user: CurrentUser, session: DbSession, shipment: Shipment) -> dict[str, Any]:
    state = receiving.receiving_state(session=session, shipment_id=shipment.id)
    report = receiving.discrepancy_report(session=session, shipment_id=shipment.id)
    return {
        "shipment": shipment,
        "state": state,
        "report": report,
        "open": shipment.status == shipping.STATUS_SENT,
        "may_receive": access.may_receive(user),
        "names": region_names(session=session, codes={shipment.origin, shipment.destination}),
    }


@router.get("/pengiriman/{shipment_id}", response_class=HTMLResponse)
def shipment_page(
    request: Request, shipment_id: int, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    """Return one shipment: its boxes, downloads, and receiving (scan, missing, close)."""
    shipment = access.require_view(user, session.get(Shipment, shipment_id))
    return render(
        request,
        "shipping/shipment.html",
        {
            **_shipment_context(user, session, shipment),
            "active": "shipments",
            "result": None,
            "flash": request.session.pop(FLASH_KEY, None),
        },
    )


@router.post("/pengiriman/{shipment_id}/pindai", response_model=None)
def scan_serial(
    request: Request,
    shipment_id: int,
    user: CurrentUser,
    session: DbSession,
    now: Now,
    csrf_token: Annotated[str, Form()] = "",
    serial: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Scan one serial; htmx gets the scan panel back, a plain form the page."""
    shipment = access.require_receiver(user, session.get(Shipment, shipment_id))
    _check_form(request, csrf_token)
    result: receiving.ScanResult | None = None
    error: str | None = None
    try:
        result = receiving.scan(
            session=session, shipment_id=shipment.id, serial=serial, now=now, by=user.username
        )
    except REFUSALS as refusal:
        error = str(refusal)
    if not request.headers.get("HX-Request"):
        if result is not None:
            _flash(
                request,
                "notice" if result.outcome == receiving.MATCHED else "warning",
                result.message,
            )
        else:
            _flash(request, "error", error or "")
        return _back(f"/pengiriman/{shipment.id}")
    return render(
        request,
        "shipping/_scan.html",
        {**_shipment_context(user, session, shipment), "result": result, "error": error},
    )


@router.post("/pengiriman/{shipment_id}/tutup")
def close_shipment(
    request: Request,
    shipment_id: int,
    user: CurrentUser,
    session: DbSession,
    now: Now,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Close receiving: the report is written and shown on the shipment's page."""
    shipment = access.require_receiver(user, session.get(Shipment, shipment_id))
    _check_form(request, csrf_token)
    try:
        report = receiving.close_receiving(
            session=session, shipment_id=shipment.id, now=now, by=user.username
        )
    except REFUSALS as refusal:
        _flash(request, "error", str(refusal))
        return _back(f"/pengiriman/{shipment.id}")
    _flash(
        request,
        "notice",
        translate(request, "shipping.closed", number=report.number, missing=len(report.missing)),
    )
    return _back(f"/pengiriman/{shipment.id}")


@router.get("/pengiriman/{shipment_id}/manifes.{kind}")
def manifest_file(shipment_id: int, kind: str, user: CurrentUser, session: DbSession) -> Response:
    """Return the manifest: PDF for the courier, CSV for systems."""
    shipment = access.require_view(user, session.get(Shipment, shipment_id))
    return manifest_download(session, shipment, kind)


@router.get("/pengiriman/{shipment_id}/isi.{fmt}")
def contents_export(shipment_id: int, fmt: str, user: CurrentUser, session: DbSession) -> Response:
    """Return the shipment's cards with their receipt, and the report's lines, as CSV/XLSX."""
    shipment = access.require_view(user, session.get(Shipment, shipment_id))
    rows: list[tuple[Any, ...]] = [
        (box, serial, kec, received_at, "")
        for box, serial, kec, received_at in shipping.contents(
            session=session, shipment_id=shipment.id
        )
    ]
    state = receiving.receiving_state(session=session, shipment_id=shipment.id)
    rows.extend(
        ("", serial, "", None, f"{kind}: {detail or ''}") for serial, kind, detail in state.lines
    )
    return table_response(
        fmt,
        f"isi-{shipment.number}",
        ("kotak", "serial", "kecamatan", "diterima", "catatan"),
        rows,
    )

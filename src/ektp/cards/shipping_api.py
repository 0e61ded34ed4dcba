"""JSON API of printing, shipping and receiving: ``/api/v1/cards/...``.

Refusals keep their reason: a bad field is 422 with the field named, an illegal or
concurrent card move 409; the request's transaction rolls back, so nothing is half-written.
Who may do what: see ``ektp.web.shipment_access``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ektp.auth import roles
from ektp.cards import manifests, printing, receiving, shipping
from ektp.cards.models import Shipment
from ektp.cards.transitions import ConcurrentChange, TransitionRefused, states_of
from ektp.web import shipment_access as access
from ektp.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/cards", tags=["cards"])


def clock() -> dt.datetime:
    """Return the present moment (UTC); tests override this dependency."""
    return dt.datetime.now(dt.UTC)


Now = Annotated[dt.datetime, Depends(clock)]


class PrintRunRequest(BaseModel):
    kode_kota: str = Field(pattern=r"^\d{2}\.\d{2}$")
    size: int = Field(ge=1, le=printing.MAX_RUN_SIZE)
    failures: int | list[int] = 0


class ReprintRequest(BaseModel):
    card_ids: list[int] = Field(min_length=1, max_length=100_000)
    reason: str | None = Field(default=None, max_length=200)


class ShipmentRequest(BaseModel):
    leg: Literal["pusat_kota", "kota_kecamatan"]
    destination: str = Field(pattern=r"^\d{2}\.\d{2}(\.\d{2})?$")
    box_size: int = Field(default=shipping.DEFAULT_BOX_SIZE, ge=1, le=shipping.MAX_BOX_SIZE)
    card_ids: list[int] | None = Field(default=None, max_length=200_000)


class ScanRequest(BaseModel):
    serial: str = Field(min_length=1, max_length=40)


def refused(error: Exception) -> HTTPException:
    """Return the HTTP error for a refusal of the card services."""
    if isinstance(error, TransitionRefused | ConcurrentChange):
        return HTTPException(status_code=409, detail=str(error))
    return HTTPException(status_code=422, detail=str(error))


def run_view(run: Any) -> dict[str, Any]:
    """Return a print run as JSON."""
    return {
        "id": run.id,
        "kode_kota": run.kode_kota,
        "size": run.size,
        "printed": run.printed,
        "failed": run.failed,
        "status": run.status,
        "created_at": run.created_at.isoformat(),
        "created_by": run.created_by,
    }


def shipment_view(summary: shipping.ShipmentSummary) -> dict[str, Any]:
    """Return a shipment as JSON."""
    return {
        "id": summary.id,
        "number": summary.number,
        "leg": summary.leg,
        "origin": summary.origin,
        "destination": summary.destination,
        "boxes": summary.boxes,
        "cards": summary.cards,
        "status": summary.status,
        "sent_at": summary.sent_at.isoformat(),
        "received_at": summary.received_at.isoformat() if summary.received_at else None,
    }


def report_view(report: receiving.DiscrepancyReport) -> dict[str, Any]:
    """Return a discrepancy report as JSON."""
    return {
        "number": report.number,
        "status": report.status,
        "expected": report.expected,
        "received": report.received,
        "missing": [{"box": box, "serial": serial} for box, serial in report.missing],
        "extra": [{"serial": s, "detail": d} for s, d in report.extra],
        "wrong_destination": [{"serial": s, "detail": d} for s, d in report.wrong_destination],
    }


@router.get("/print-queue")
def print_queue(user: CurrentUser, session: DbSession) -> list[dict[str, Any]]:
    """Return how many cards wait in the print queue per city."""
    area = access.print_area(user)
    lines = printing.queue_by_city(session=session)
    return [
        {"kode_kota": line.kode_kota, "cards": line.cards}
        for line in lines
        if area is None or line.kode_kota == area
    ]


@router.get("/print-runs")
def list_print_runs(user: CurrentUser, session: DbSession) -> list[dict[str, Any]]:
    """Return the latest print runs the user may see."""
    area = access.print_area(user)
    return [run_view(run) for run in printing.recent_runs(session=session, kode_kota=area)]


@router.post("/print-runs", status_code=201)
def create_print_run(
    body: PrintRunRequest, user: CurrentUser, session: DbSession, now: Now
) -> dict[str, Any]:
    """Start a print run over the oldest queued cards of a city."""
    access.require_printer(user, body.kode_kota)
    try:
        run = printing.start_print_run(
            session=session,
            kode_kota=body.kode_kota,
            size=body.size,
            now=now,
            by=user.username,
            failures=body.failures,
        )
    except (printing.PrintError, TransitionRefused, ConcurrentChange) as error:
        raise refused(error) from None
    return run_view(run)


@router.post("/reprints")
def reprint(
    body: ReprintRequest, user: CurrentUser, session: DbSession, now: Now
) -> dict[str, int]:
    """Send failed, damaged or lost cards back to the print queue."""
    access.require_printer(user)
    if user.role != roles.PETUGAS_PUSAT:
        # A city office requeues only its own cards.
        found = states_of(session=session, card_ids=body.card_ids)
        for _, kecamatan in found.values():
            access.require_printer(user, printing.kota_of(kecamatan))
    try:
        moved = printing.requeue_failed(
            session=session, card_ids=body.card_ids, now=now, by=user.username, reason=body.reason
        )
    except (printing.PrintError, TransitionRefused, ConcurrentChange) as error:
        raise refused(error) from None
    return {"requeued": moved}


@router.get("/shipments")
def list_shipments(user: CurrentUser, session: DbSession) -> list[dict[str, Any]]:
    """Return the shipments on their way to the user's area."""
    area, leg = access.shipping_scope(user)
    return [shipment_view(s) for s in shipping.in_transit(session=session, area=area, leg=leg)]


@router.post("/shipments", status_code=201)
def create_shipment(
    body: ShipmentRequest, user: CurrentUser, session: DbSession, now: Now
) -> dict[str, Any]:
    """Send the cards ready for a destination as a numbered, boxed shipment."""
    access.require_sender(user, body.leg, body.destination)
    try:
        shipment = shipping.create_shipment(
            session=session,
            leg=body.leg,
            destination=body.destination,
            now=now,
            by=user.username,
            box_size=body.box_size,
            card_ids=body.card_ids,
        )
    except (shipping.ShippingError, TransitionRefused, ConcurrentChange) as error:
        raise refused(error) from None
    return shipment_view(shipping.summary_of(shipment))


def _viewable(user: CurrentUser, session: DbSession, shipment_id: int) -> Shipment:
    return access.require_view(user, session.get(Shipment, shipment_id))


@router.get("/shipments/{shipment_id}")
def get_shipment(shipment_id: int, user: CurrentUser, session: DbSession) -> dict[str, Any]:
    """Return a shipment with where its receiving stands (or its discrepancy report)."""
    shipment = _viewable(user, session, shipment_id)
    state = receiving.receiving_state(session=session, shipment_id=shipment.id)
    report = receiving.discrepancy_report(session=session, shipment_id=shipment.id)
    return {
        **shipment_view(shipping.summary_of(shipment)),
        "received_cards": state.received,
        "missing_count": state.missing_count,
        "missing": [{"box": box, "serial": serial} for box, serial in state.missing],
        "lines": [{"serial": s, "kind": k, "detail": d} for s, k, d in state.lines],
        "report": report_view(report) if report is not None else None,
    }


@router.post("/shipments/{shipment_id}/scan")
def scan(
    shipment_id: int, body: ScanRequest, user: CurrentUser, session: DbSession, now: Now
) -> dict[str, Any]:
    """Scan one card serial against the shipment: matched, extra, wrong place or twice."""
    shipment = access.require_receiver(user, session.get(Shipment, shipment_id))
    try:
        result = receiving.scan(
            session=session, shipment_id=shipment.id, serial=body.serial, now=now, by=user.username
        )
    except (receiving.ReceivingError, TransitionRefused, ConcurrentChange) as error:
        raise refused(error) from None
    state = receiving.receiving_state(session=session, shipment_id=shipment.id)
    return {
        "outcome": result.outcome,
        "message": result.message,
        "serial": result.serial,
        "box": result.box_no,
        "belongs_to": result.belongs_to,
        "received_cards": state.received,
        "missing_count": state.missing_count,
    }


@router.post("/shipments/{shipment_id}/close")
def close(shipment_id: int, user: CurrentUser, session: DbSession, now: Now) -> dict[str, Any]:
    """Close receiving: the cards never scanned are reported missing (and become hilang)."""
    shipment = access.require_receiver(user, session.get(Shipment, shipment_id))
    try:
        report = receiving.close_receiving(
            session=session, shipment_id=shipment.id, now=now, by=user.username
        )
    except (receiving.ReceivingError, TransitionRefused, ConcurrentChange) as error:
        raise refused(error) from None
    return report_view(report)


@router.get("/shipments/{shipment_id}/manifest.{kind}")
def manifest(shipment_id: int, kind: str, user: CurrentUser, session: DbSession) -> Response:
    """Return the shipment's manifest: ``csv`` for systems, ``pdf`` for the courier."""
    shipment = _viewable(user, session, shipment_id)
    return manifest_download(session, shipment, kind)


def manifest_download(session: DbSession, shipment: Shipment, kind: str) -> Response:
    """Return the manifest download of ``shipment`` as ``kind`` (404 for another kind)."""
    if kind not in ("csv", "pdf"):
        raise HTTPException(status_code=404, detail=f"unknown format {kind!r}; use csv or pdf")
    made = manifests.manifest_of(session=session, shipment=shipment)
    if kind == "csv":
        content: bytes = ("\ufeff" + manifests.manifest_csv(made)).encode("utf-8")
        media = "text/csv; charset=utf-8"
    else:
        content = manifests.manifest_pdf(made)
        media = "application/pdf"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="manifes-{shipment.number}.{kind}"'},
    )

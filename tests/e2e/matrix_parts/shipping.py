"""Route-matrix part of printing and shipping: the print queue and runs (the centre and the
city admin), shipments (the centre sees its leg; the city admin its city; the kecamatan
operator its own kecamatan), receiving (never the centre), manifests and exports.
Shipments hold serials, boxes and places, no person."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ektp.cards import lifecycle, shipping
from tests.e2e.matrix_base import MORNING, SUKARAMI, Call, Ids
from tests.integration.card_rows import add_cards

TALANG_BETUTU = "16.71.07.1002"

LINES: dict[str, str] = {
    "GET /pusat/cetak":                                               "A F F A F L",
    "POST /pusat/cetak":                                              "A F F A F L",
    "GET /pusat/cetak/riwayat.{fmt}":                                 "A F F A F L",
    "GET /pengiriman":                                                "A A F A F L",
    "POST /pengiriman":                                               "A F F F F L",
    "GET /pengiriman/daftar.{fmt}":                                   "A A F A F L",
    "GET /pengiriman/{shipment_id}":                                  "A A F N F L",
    "POST /pengiriman/{shipment_id}/pindai":                          "A A F F F L",
    "POST /pengiriman/{shipment_id}/tutup":                           "A A F F F L",
    "GET /pengiriman/{shipment_id}/manifes.{kind}":                   "A A F N F L",
    "GET /pengiriman/{shipment_id}/isi.{fmt}":                        "A A F N F L",
    "GET /api/v1/cards/print-queue":                                  "A F F A F L",
    "GET /api/v1/cards/print-runs":                                   "A F F A F L",
    "POST /api/v1/cards/print-runs":                                  "A F F A F L",
    "POST /api/v1/cards/reprints":                                    "A F F A F L",
    "GET /api/v1/cards/shipments":                                    "A A F A F L",
    "POST /api/v1/cards/shipments":                                   "A F F F F L",
    "GET /api/v1/cards/shipments/{shipment_id}":                      "A A F N F L",
    "POST /api/v1/cards/shipments/{shipment_id}/scan":                "A A F F F L",
    "POST /api/v1/cards/shipments/{shipment_id}/close":               "A A F F F L",
    "GET /api/v1/cards/shipments/{shipment_id}/manifest.{kind}":      "A A F N F L",
}  # fmt: skip


def build(session: Session, ids: Ids) -> dict[str, Any]:
    """Return a shipment on its way to Sukarami, one of its serials, and queued cards."""
    add_cards(session, TALANG_BETUTU, 2, lifecycle.ANTRIAN_CETAK)
    add_cards(session, TALANG_BETUTU, 2, lifecycle.DITERIMA_KOTA)
    shipment = shipping.create_shipment(
        session=session,
        leg=shipping.KOTA_KECAMATAN,
        destination=SUKARAMI,
        now=MORNING,
        by="matrix",
    )
    add_cards(session, TALANG_BETUTU, 1, lifecycle.DITERIMA_KOTA)
    serial = shipping.manifest_rows(session=session, shipment_id=shipment.id)[0][1]
    return {"shipment": shipment.id, "serial": serial}


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route of LINES."""
    extra = ids.extra.get("shipping", {})
    number = extra.get("shipment", 1)
    serial = extra.get("serial", "900000000000001")
    page = f"/pengiriman/{number}"
    api = f"/api/v1/cards/shipments/{number}"
    send = {"leg": "kota_kecamatan", "destination": SUKARAMI, "box_size": "10"}
    return {
        "GET /pusat/cetak": Call("GET", "/pusat/cetak"),
        "POST /pusat/cetak": Call(
            "POST", "/pusat/cetak", form={"kode_kota": "16.71", "size": "1", "failures": "0"}
        ),
        "GET /pusat/cetak/riwayat.{fmt}": Call("GET", "/pusat/cetak/riwayat.csv"),
        "GET /pengiriman": Call("GET", "/pengiriman"),
        "POST /pengiriman": Call("POST", "/pengiriman", form=send),
        "GET /pengiriman/daftar.{fmt}": Call("GET", "/pengiriman/daftar.xlsx"),
        "GET /pengiriman/{shipment_id}": Call("GET", page),
        "POST /pengiriman/{shipment_id}/pindai": Call(
            "POST", f"{page}/pindai", form={"serial": serial}
        ),
        "POST /pengiriman/{shipment_id}/tutup": Call("POST", f"{page}/tutup", form={}),
        "GET /pengiriman/{shipment_id}/manifes.{kind}": Call("GET", f"{page}/manifes.csv"),
        "GET /pengiriman/{shipment_id}/isi.{fmt}": Call("GET", f"{page}/isi.csv"),
        "GET /api/v1/cards/print-queue": Call("GET", "/api/v1/cards/print-queue"),
        "GET /api/v1/cards/print-runs": Call("GET", "/api/v1/cards/print-runs"),
        "POST /api/v1/cards/print-runs": Call(
            "POST", "/api/v1/cards/print-runs", json={"kode_kota": "16.71", "size": 1}
        ),
        "POST /api/v1/cards/reprints": Call(
            "POST", "/api/v1/cards/reprints", json={"card_ids": [1]}
        ),
        "GET /api/v1/cards/shipments": Call("GET", "/api/v1/cards/shipments"),
        "POST /api/v1/cards/shipments": Call(
            "POST",
            "/api/v1/cards/shipments",
            json={"leg": "kota_kecamatan", "destination": SUKARAMI, "box_size": 10},
        ),
        "GET /api/v1/cards/shipments/{shipment_id}": Call("GET", api),
        "POST /api/v1/cards/shipments/{shipment_id}/scan": Call(
            "POST", f"{api}/scan", json={"serial": serial}
        ),
        "POST /api/v1/cards/shipments/{shipment_id}/close": Call("POST", f"{api}/close"),
        "GET /api/v1/cards/shipments/{shipment_id}/manifest.{kind}": Call(
            "GET", f"{api}/manifest.csv"
        ),
    }

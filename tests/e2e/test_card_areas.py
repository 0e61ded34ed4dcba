"""A kecamatan's operator never sees nor acts on another kecamatan's batches and shipments
(small city, over HTTP): 404 for what lies elsewhere, absent from lists, nothing changed."""

from __future__ import annotations

import os
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ektp.cards import batches, lifecycle, shipping
from ektp.cards.models import Batch, Card, Shipment, ShipmentDiscrepancy
from ektp.recording.crypto import BiometricCipher
from ektp.runtime import Runtime
from tests.e2e.conftest import NOW, csrf_from, log_in
from tests.integration.card_rows import ILIR_10, IT2, add_cards


def _rows(runtime: Runtime) -> dict[str, Any]:
    with runtime.transaction() as session:
        return {
            "cards": session.execute(select(Card.id, Card.state).order_by(Card.id)).all(),
            "batches": session.execute(select(Batch.batch_uid, Batch.status)).all(),
            "shipments": session.execute(select(Shipment.id, Shipment.status)).all(),
            "lines": session.execute(select(ShipmentDiscrepancy.id)).all(),
        }


def test_the_operator_of_sukarami_cannot_touch_ilir_timur_iis_batches_or_shipments(
    client: TestClient, web_runtime: Runtime
) -> None:
    with web_runtime.transaction() as session:
        add_cards(session, ILIR_10, 2, lifecycle.DIREKAM)
        batch, _ = batches.send_batch(
            session=session,
            kode_kecamatan=IT2,
            tanggal=None,
            now=NOW,
            by="camat-it2",
            cipher=BiometricCipher(os.urandom(32)),
        )
        add_cards(session, ILIR_10, 1, lifecycle.DIREKAM)
        add_cards(session, ILIR_10, 2, lifecycle.DITERIMA_KOTA)
        shipment = shipping.create_shipment(
            session=session, leg=shipping.KOTA_KECAMATAN, destination=IT2, now=NOW, by="admin"
        )
        uid, shipment_id, number = batch.batch_uid, shipment.id, shipment.number
    before = _rows(web_runtime)
    assert log_in(client, "camat") == 303
    send_page = client.get("/pusat/kirim")
    assert send_page.status_code == 200 and uid not in send_page.text and IT2 not in send_page.text
    token = csrf_from(send_page.text)
    assert (
        client.post("/pusat/kirim", data={"csrf_token": token, "kode_kecamatan": IT2}).status_code
        == 404
    )
    assert client.post("/api/v1/batches/send", json={"kode_kecamatan": IT2}).status_code == 404
    withdraw = client.post("/pusat/kirim/tarik", data={"csrf_token": token, "batch_uid": uid})
    assert withdraw.status_code == 404
    assert number not in client.get("/pengiriman").text
    assert client.get("/api/v1/cards/shipments").json() == []
    assert client.get(f"/pengiriman/{shipment_id}/isi.csv").status_code == 404
    assert client.get(f"/api/v1/cards/shipments/{shipment_id}").status_code == 404
    close = client.post(f"/pengiriman/{shipment_id}/tutup", data={"csrf_token": token})
    assert close.status_code == 404
    assert client.post(f"/api/v1/cards/shipments/{shipment_id}/close").status_code == 404
    assert _rows(web_runtime) == before

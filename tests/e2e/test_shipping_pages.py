"""The printing and shipping pages over HTTP: the print form, sending to a kecamatan,
scan-as-you-go answers (htmx), closing with a report, downloads, and area refusals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from ektp.auth import service as auth_service
from ektp.cards import lifecycle, shipping
from ektp.cards.models import Card, PrintRun, Shipment
from ektp.runtime import Runtime
from tests.e2e.conftest import NOW, PASSWORD, csrf_from, log_in
from tests.integration.card_rows import ILIR_10, SUKARAMI, TALANG_BETUTU, add_cards


def _shipment_to_sukarami(runtime: Runtime, count: int = 3) -> tuple[int, list[str]]:
    with runtime.transaction() as session:
        add_cards(session, TALANG_BETUTU, count, lifecycle.DITERIMA_KOTA)
        shipment = shipping.create_shipment(
            session=session, leg=shipping.KOTA_KECAMATAN, destination=SUKARAMI, now=NOW, by="a"
        )
        serials = [
            s for _, s, _ in shipping.manifest_rows(session=session, shipment_id=shipment.id)
        ]
        return shipment.id, serials


def test_the_centre_starts_a_print_run_from_the_print_page(
    client: TestClient, web_runtime: Runtime
) -> None:
    with web_runtime.transaction() as session:
        add_cards(session, TALANG_BETUTU, 4, lifecycle.ANTRIAN_CETAK)
    assert log_in(client, "pusat") == 303
    page = client.get("/pusat/cetak")
    assert page.status_code == 200 and 'id="print-queue"' in page.text
    answer = client.post(
        "/pusat/cetak",
        data={
            "csrf_token": csrf_from(page.text),
            "kode_kota": "16.71",
            "size": "3",
            "failures": "1",
        },
    )
    assert answer.status_code == 303
    shown = client.get("/pusat/cetak").text
    assert "2 kartu dicetak, 1 gagal" in shown
    with web_runtime.transaction() as session:
        run = session.scalars(select(PrintRun)).one()
        assert (run.printed, run.failed) == (2, 1)
    assert client.get("/pusat/cetak/riwayat.xlsx").status_code == 200


def test_the_city_admin_sends_the_cards_of_a_kecamatan(
    client: TestClient, web_runtime: Runtime
) -> None:
    with web_runtime.transaction() as session:
        add_cards(session, TALANG_BETUTU, 3, lifecycle.DITERIMA_KOTA)
    assert log_in(client, "admin") == 303
    page = client.get("/pengiriman")
    assert 'id="send-form-kota_kecamatan"' in page.text
    answer = client.post(
        "/pengiriman",
        data={
            "csrf_token": csrf_from(page.text),
            "leg": "kota_kecamatan",
            "destination": SUKARAMI,
            "box_size": "2",
        },
    )
    assert answer.status_code == 303
    shipment_page = client.get(answer.headers["location"])
    assert "KRM-" in shipment_page.text and "3 kartu" in shipment_page.text
    with web_runtime.transaction() as session:
        shipment = session.scalars(select(Shipment)).one()
        assert (shipment.boxes, shipment.cards) == (2, 3)
    manifest = client.get(f"/pengiriman/{shipment.id}/manifes.csv")
    assert manifest.status_code == 200 and manifest.text.count("\n") == 4
    assert "WARGA" not in manifest.text


def test_scanning_answers_each_serial_at_once_and_closing_keeps_the_report(
    client: TestClient, web_runtime: Runtime
) -> None:
    shipment_id, serials = _shipment_to_sukarami(web_runtime)
    assert log_in(client, "camat") == 303
    page = client.get(f"/pengiriman/{shipment_id}")
    assert 'id="serial"' in page.text and "autofocus" in page.text
    token = csrf_from(page.text)
    hx = {"HX-Request": "true"}

    def scan(serial: str) -> str:
        answer = client.post(
            f"/pengiriman/{shipment_id}/pindai",
            data={"csrf_token": token, "serial": serial},
            headers=hx,
        )
        assert answer.status_code == 200
        return answer.text

    first = scan(serials[0])
    assert 'data-outcome="matched"' in first and "1 dari 3 diterima" in first
    assert 'id="scan-panel"' in first and "autofocus" in first
    assert 'data-outcome="already_received"' in scan(serials[0])
    extra = scan("111222333444555")
    assert 'data-outcome="extra"' in extra and serials[2] in extra  # still on the missing list
    scan(serials[1])
    closed = client.post(f"/pengiriman/{shipment_id}/tutup", data={"csrf_token": token})
    assert closed.status_code == 303
    report = client.get(f"/pengiriman/{shipment_id}").text
    assert 'id="report-missing"' in report and serials[2] in report
    assert 'id="report-extra"' in report and "111222333444555" in report
    with web_runtime.transaction() as session:
        states = session.scalars(select(Card.state).where(Card.serial.in_(serials))).all()
        assert sorted(states) == sorted([lifecycle.DITERIMA_KECAMATAN] * 2 + [lifecycle.HILANG])
    export = client.get(f"/pengiriman/{shipment_id}/isi.csv")
    assert export.status_code == 200 and "lebih" in export.text


def test_an_operator_of_another_kecamatan_can_neither_see_nor_receive_the_shipment(
    client: TestClient, web_runtime: Runtime
) -> None:
    shipment_id, serials = _shipment_to_sukarami(web_runtime, 1)
    with web_runtime.transaction() as session:
        auth_service.create_user(
            session=session,
            username="camat-it2",
            full_name="Camat IT II",
            role="operator_kecamatan",
            area_kode="16.71.06",
            password=PASSWORD,
            now=NOW,
        )
        add_cards(session, ILIR_10, 1, lifecycle.DITERIMA_KOTA)
    assert log_in(client, "camat-it2") == 303
    token = csrf_from(client.get("/pengiriman").text)
    assert client.get(f"/pengiriman/{shipment_id}").status_code == 404
    scan = client.post(
        f"/pengiriman/{shipment_id}/pindai", data={"csrf_token": token, "serial": serials[0]}
    )
    assert scan.status_code == 404
    api = client.post(f"/api/v1/cards/shipments/{shipment_id}/scan", json={"serial": serials[0]})
    assert api.status_code == 404
    assert client.get(f"/pengiriman/{shipment_id}/manifes.csv").status_code == 404
    with web_runtime.transaction() as session:
        state = session.scalar(select(Card.state).where(Card.serial == serials[0]))
        assert state == lifecycle.DIKIRIM_KECAMATAN
    listing = client.get("/pengiriman").text
    assert f"/pengiriman/{shipment_id}" not in listing


def test_the_api_scans_and_closes_with_a_wrong_place_refused(
    client: TestClient, web_runtime: Runtime
) -> None:
    shipment_id, serials = _shipment_to_sukarami(web_runtime, 2)
    with web_runtime.transaction() as session:
        add_cards(session, ILIR_10, 1, lifecycle.DITERIMA_KOTA)
        other = shipping.create_shipment(
            session=session, leg=shipping.KOTA_KECAMATAN, destination="16.71.06", now=NOW, by="a"
        )
        stray = shipping.manifest_rows(session=session, shipment_id=other.id)[0][1]
    assert log_in(client, "admin") == 303
    matched = client.post(
        f"/api/v1/cards/shipments/{shipment_id}/scan", json={"serial": serials[0]}
    )
    assert matched.json()["outcome"] == "matched"
    wrong = client.post(f"/api/v1/cards/shipments/{shipment_id}/scan", json={"serial": stray})
    assert wrong.json()["outcome"] == "wrong_destination"
    assert "16.71.06" in wrong.json()["message"]
    report = client.post(f"/api/v1/cards/shipments/{shipment_id}/close").json()
    assert report["status"] == "diterima_selisih"
    assert [line["serial"] for line in report["missing"]] == [serials[1]]
    assert [line["serial"] for line in report["wrong_destination"]] == [stray]
    again = client.post(f"/api/v1/cards/shipments/{shipment_id}/close")
    assert again.status_code == 422 and "already received" in again.json()["detail"]
    pdf = client.get(f"/api/v1/cards/shipments/{shipment_id}/manifest.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

"""An operator receives a shipment in a browser by scanning serials: each scan answers at
once while the cursor stays in the serial field; one card never comes, one extra does, and
closing writes both into the discrepancy report.

Drives Debian's chromium through Playwright against a real uvicorn server (see
tests/e2e/browser.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from ektp.cards import lifecycle, shipping
from ektp.cards.models import Card
from ektp.runtime import Runtime
from tests.e2e.browser import chromium_context, screenshots_dir
from tests.e2e.conftest import NOW, PASSWORD
from tests.integration.card_rows import SUKARAMI, TALANG_BETUTU, add_cards

pytestmark = pytest.mark.browser

EXTRA = "123451234512345"


@pytest.fixture
def page() -> Iterator[object]:
    """Yield a Playwright page in Debian's chromium (skipped, with the reason, without it)."""
    with chromium_context(height=900) as context:
        yield context.new_page()


def test_receiving_a_shipment_with_one_card_missing_and_one_extra(
    page: object, live_server: str, web_runtime: Runtime, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    shots = screenshots_dir(tmp_path)
    with web_runtime.transaction() as session:
        add_cards(session, TALANG_BETUTU, 3, lifecycle.DITERIMA_KOTA)
        shipment = shipping.create_shipment(
            session=session,
            leg=shipping.KOTA_KECAMATAN,
            destination=SUKARAMI,
            now=NOW,
            by="admin",
            box_size=2,
        )
        shipment_id, number = shipment.id, shipment.number
        serials = [
            s for _, s, _ in shipping.manifest_rows(session=session, shipment_id=shipment_id)
        ]

    page.goto(f"{live_server}/login?next=/pengiriman/{shipment_id}")
    page.get_by_label("Nama pengguna").fill("camat")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{live_server}/pengiriman/{shipment_id}")
    expect(page.locator("h1")).to_contain_text(number)
    serial = page.locator("#serial")
    expect(serial).to_be_focused()

    for n, code in enumerate(serials[:2], start=1):
        serial.fill(code)
        serial.press("Enter")
        expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "matched")
        expect(page.locator("#scan-counts")).to_contain_text(f"{n} dari 3 diterima")
        serial = page.locator("#serial")
        expect(serial).to_be_focused()
    expect(page.locator("#missing-list")).to_contain_text(serials[2])
    expect(page.locator("#missing-list")).not_to_contain_text(serials[0])

    serial.fill(serials[0])
    serial.press("Enter")
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "already_received")
    # As after every scan: the swapped-in form is ready once it has the focus (pressing
    # Enter sooner posts the whole page instead, as without JavaScript).
    expect(page.locator("#serial")).to_be_focused()
    page.locator("#serial").fill(EXTRA)
    page.locator("#serial").press("Enter")
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "extra")
    expect(page.locator("#noted-lines")).to_contain_text(EXTRA)
    expect(page.locator("#serial")).to_be_focused()
    page.screenshot(path=str(shots / "receiving-scanned.png"), full_page=True)

    page.get_by_role("button", name="Selesai menerima").click()
    expect(page.locator("#report-missing")).to_contain_text(serials[2])
    expect(page.locator("#report-extra")).to_contain_text(EXTRA)
    expect(page.locator("#shipment-status")).to_contain_text("Diterima dengan selisih")
    page.screenshot(path=str(shots / "receiving-report.png"), full_page=True)

    with web_runtime.transaction() as session:
        states = dict(
            (str(s), str(st))
            for s, st in session.execute(
                select(Card.serial, Card.state).where(Card.serial.in_(serials))
            )
        )
    assert states == {
        serials[0]: lifecycle.DITERIMA_KECAMATAN,
        serials[1]: lifecycle.DITERIMA_KECAMATAN,
        serials[2]: lifecycle.HILANG,
    }

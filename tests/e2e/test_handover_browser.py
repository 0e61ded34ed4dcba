"""An operator hands a card over at the desk in a browser: finds the resident's ready card by
NIK, compares the face with the recorded photo, ticks the confirmation and the receipt box,
hands it over; the card reads diserahkan, and a second attempt (a form left open in another
tab) is refused with nothing changed.

Drives Debian's chromium through Playwright against a real uvicorn server (see
tests/e2e/browser.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ektp.cards import lifecycle
from ektp.cards.models import Card, Handover
from ektp.recording.crypto import cipher_from_settings
from ektp.runtime import Runtime
from ektp.settings import Settings
from tests.e2e.browser import chromium_context, screenshots_dir
from tests.e2e.conftest import PASSWORD, RESIDENTS
from tests.integration.handover_city import NOW, advance, record

pytestmark = pytest.mark.browser

OWNER = RESIDENTS[0]
"""SITI AMINAH of Talang Betutu (Sukarami), whose card waits at the kecamatan."""


def tiny_png(width: int = 24, height: int = 32) -> bytes:
    """Return a real grey PNG image (so the browser can show it as the recorded face)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def web_runtime(web_database_url: str) -> Iterator[Runtime]:
    """Yield a runtime on this test's copy of the small city with its own biometric key."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
    runtime = Runtime(
        Settings(database_url=web_database_url, secret_key="web-test-secret", biometric_key=key)
    )
    try:
        yield runtime
    finally:
        runtime.dispose()


@pytest.fixture
def ready_card(web_runtime: Runtime) -> int:
    """Return the id of OWNER's card, ready for pickup in Sukarami, with a sealed photo."""
    cipher = cipher_from_settings(web_runtime.settings)
    with web_runtime.transaction() as session:
        card = record(session, OWNER.nik, cipher=cipher, photo=tiny_png())
        advance(session, [card], lifecycle.DITERIMA_KECAMATAN, NOW + dt.timedelta(days=30))
    return card


@pytest.fixture
def context() -> Iterator[object]:
    """Yield a Playwright browser context in Debian's chromium (skipped without it)."""
    with chromium_context(height=900) as browser_context:
        yield browser_context


def test_the_operator_hands_a_ready_card_over_once(
    context: object, live_server: str, web_runtime: Runtime, ready_card: int, tmp_path: Path
) -> None:
    from playwright.sync_api import BrowserContext, expect

    assert isinstance(context, BrowserContext)
    shots = screenshots_dir(tmp_path)
    page = context.new_page()
    page.goto(f"{live_server}/login?next=/penyerahan")
    page.get_by_label("Nama pengguna").fill("camat")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{live_server}/penyerahan")

    page.get_by_label("NIK pemilik").fill(OWNER.nik)
    page.get_by_role("button", name="Cari kartu").click()
    card_url = f"{live_server}/penyerahan/kartu/{ready_card}"
    expect(page).to_have_url(card_url)
    # No NIK in the address bar: the search posted it and redirected to the card's id.
    assert OWNER.nik not in page.url
    expect(page.locator("h1")).to_contain_text(OWNER.nama)
    expect(page.locator("#handover-state")).to_have_text("Siap diambil")
    photo = page.locator("#handover-photo img")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.naturalWidth") == 24
    page.screenshot(path=str(shots / "handover-card.png"), full_page=True)

    # A second tab with the same card's form, left open (a double submit, or a colleague).
    stale = context.new_page()
    stale.goto(card_url)
    expect(stale.locator("#handover-form")).to_be_visible()

    page.get_by_label("Wajah penerima/pemilik sesuai dengan foto perekaman").check()
    page.get_by_label("Kartu diterima; dicentang oleh petugas Pengguna camat").check()
    page.get_by_role("button", name="Serahkan", exact=True).click()
    expect(page.locator("#handover-flash")).to_have_text("Kartu telah diserahkan.")
    expect(page.locator("#handover-state")).to_have_text("Diserahkan")
    expect(page.locator("#handover-done")).to_contain_text("Pengguna camat")
    expect(page.locator("#handover-form")).to_have_count(0)
    page.screenshot(path=str(shots / "handover-done.png"), full_page=True)

    stale.get_by_label("Wajah penerima/pemilik sesuai dengan foto perekaman").check()
    stale.get_by_label("Kartu diterima; dicentang oleh petugas Pengguna camat").check()
    with stale.expect_response(card_url) as answer:
        stale.get_by_role("button", name="Serahkan", exact=True).click()
    assert answer.value.status == 409
    expect(stale.locator("#handover-problem")).to_contain_text("already handed over")
    expect(stale.locator("#handover-state")).to_have_text("Diserahkan")
    stale.screenshot(path=str(shots / "handover-refused.png"), full_page=True)

    with web_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 1
        card = session.get(Card, ready_card)
        assert card is not None and card.state == lifecycle.DISERAHKAN

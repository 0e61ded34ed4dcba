"""An operator at the door and the waiting room, in a browser: check a resident in by NIK and
attendance code, call the next number to set 1, and watch the display (which refreshes
itself) show it.

Drives Debian's chromium through Playwright against a real uvicorn server (see
tests/e2e/test_browser.py). The server runs on the real clock: the small campaign's deadline
has passed, so its day is its first day (a replay), and an invited resident's check-in does
not depend on the hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp.runtime import Runtime
from tests.e2e.browser import chromium_context, screenshots_dir
from tests.e2e.conftest import PASSWORD
from tests.e2e.queue_city import SITE, build_queue_city, copy_url
from tests.integration.queue_day import MONDAY, turns

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def queue_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the planned small city, built once for the module."""
    return build_queue_city(sqlite_template, tmp_path_factory.mktemp("queue-browser"))


@pytest.fixture
def web_database_url(queue_template: Path, tmp_path: Path) -> str:
    """Return the URL of this test's copy of the planned city (the live server uses it)."""
    return copy_url(queue_template, tmp_path)


@pytest.fixture
def browser_context() -> Iterator[object]:
    """Yield a Playwright browser context in Debian's chromium (skipped without it)."""
    with chromium_context(height=900) as context:
        yield context


def test_an_operator_checks_a_resident_in_calls_them_and_the_display_shows_it(
    browser_context: object, live_server: str, web_runtime: Runtime, tmp_path: Path
) -> None:
    from playwright.sync_api import BrowserContext, expect

    assert isinstance(browser_context, BrowserContext)
    shots = screenshots_dir(tmp_path)
    invitation, nik = turns(web_runtime, MONDAY, "pagi", site=SITE)[0]
    operator = browser_context.new_page()
    operator.goto(f"{live_server}/login")
    operator.get_by_label("Nama pengguna").fill("camat")
    operator.get_by_label("Kata sandi").fill(PASSWORD)
    operator.get_by_role("button", name="Masuk").click()
    expect(operator.get_by_role("heading", name="Wilayah")).to_be_visible()

    operator.get_by_role("link", name="Antrean").click()
    expect(operator).to_have_url(f"{live_server}/antrean/{SITE}")
    display = browser_context.new_page()  # the waiting room's screen, same login
    display.goto(f"{live_server}/antrean/{SITE}/layar")
    set_one = display.locator("#call-set-1 .call-number")
    expect(set_one).to_have_text("–")

    operator.get_by_role("link", name="Pendaftaran kedatangan").click()
    # Wait for the check-in page itself: typing before it has loaded lands in the old page.
    expect(operator).to_have_url(f"{live_server}/antrean/{SITE}/checkin")
    expect(operator.get_by_label("NIK")).to_be_editable()
    operator.get_by_label("NIK").fill(nik)
    operator.get_by_label("Kode kehadiran (pada surat)").fill(invitation.attendance_code.lower())
    operator.get_by_role("button", name="Daftarkan").click()
    expect(operator.locator(".ticket-number")).to_have_text("001")
    expect(operator.locator(".ticket")).to_contain_text("Diundang")
    operator.screenshot(path=str(shots / "queue-checkin.png"), full_page=True)

    operator.get_by_role("link", name="Antrean").first.click()
    expect(operator.locator("table.queue-waiting")).to_contain_text("001")
    operator.get_by_role("button", name="Panggil berikutnya ke loket 1").click()
    expect(operator.get_by_role("status")).to_have_text("Nomor 001 dipanggil ke loket 1.")
    operator.screenshot(path=str(shots / "queue-operator.png"), full_page=True)

    # The display was not reloaded: htmx polls its board every 5 seconds.
    expect(set_one).to_have_text("001", timeout=12_000)
    expect(display.locator("body")).not_to_contain_text(nik)
    display.screenshot(path=str(shots / "queue-display.png"), full_page=True)

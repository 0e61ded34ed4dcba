"""A person at a browser: log in, drill down the region browser, find a resident.

Drives Debian's chromium (never a downloaded browser) through Playwright against a real
uvicorn server. Screenshots go to ``EKTP_TEST_SCREENSHOTS`` when set, else the test's tmp dir.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import chromium_context, screenshots_dir
from tests.e2e.conftest import IN_ILIR_10, IN_TALANG_BETUTU, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page() -> Iterator[object]:
    """Yield a Playwright page in Debian's chromium (skipped, with the reason, without it)."""
    with chromium_context(height=768) as context:
        yield context.new_page()


def test_an_operator_logs_in_drills_down_and_finds_a_resident(
    page: object, live_server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    shots = screenshots_dir(tmp_path)
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login?next=%2F")
    page.get_by_label("Nama pengguna").fill("camat")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Wilayah")).to_be_visible()

    page.get_by_role("link", name="KOTA PALEMBANG").click()
    expect(page).to_have_url(f"{live_server}/wilayah/16.71")
    expect(page.locator("h1")).to_contain_text("KOTA PALEMBANG")
    page.screenshot(path=str(shots / "region-kota.png"), full_page=True)

    page.get_by_role("link", name="Sukarami").click()
    expect(page).to_have_url(f"{live_server}/wilayah/16.71.07")
    page.get_by_role("link", name="Talang Betutu").click()
    expect(page).to_have_url(f"{live_server}/wilayah/16.71.07.1002")
    page.get_by_role("link", name="RW 003").click()
    expect(page).to_have_url(f"{live_server}/wilayah/16.71.07.1002.RW003")
    expect(page.get_by_role("link", name="RT 005")).to_be_visible()
    breadcrumbs = page.get_by_role("navigation", name="Lokasi")
    expect(breadcrumbs).to_contain_text("Talang Betutu")
    page.screenshot(path=str(shots / "region-rw.png"), full_page=True)

    page.get_by_role("link", name="Cari penduduk").click()
    page.get_by_label("NIK atau nama").fill("siti am")
    page.get_by_label("NIK atau nama").press("Enter")
    results = page.locator("#results-body")
    expect(results).to_contain_text("SITI AMINAH")
    expect(results).not_to_contain_text(IN_ILIR_10.nama)
    page.screenshot(path=str(shots / "search-name.png"), full_page=True)

    page.get_by_label("NIK atau nama").fill(IN_TALANG_BETUTU.nik)
    page.get_by_role("button", name="Cari").click()
    expect(results.locator("tr")).to_have_count(1)
    page.get_by_role("link", name=IN_TALANG_BETUTU.nik).click()
    expect(page.locator("h1")).to_contain_text("SITI AMINAH")
    expect(page.locator("table.record")).to_contain_text("Perempuan")
    page.screenshot(path=str(shots / "person.png"), full_page=True)


def test_the_next_page_of_results_is_added_below_the_first(
    page: object, live_server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label("Username").fill("lurah")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/penduduk?q=BUDI")
    rows = page.locator("#results-body tr:not(.more)")
    expect(rows).to_have_count(20)
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(30)
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    expect(page).to_have_url(f"{live_server}/penduduk?q=BUDI")
    page.screenshot(path=str(screenshots_dir(tmp_path) / "search-more-en.png"), full_page=True)

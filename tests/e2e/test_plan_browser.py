"""The campaign plan pages at a browser: one path through the Dinas's, the Camat's and the
kelurahan's page, on the planned small city of ``plan_city``.

Drives Debian's chromium through Playwright against a real uvicorn server (the conftest's
``live_server``, here serving the planned city). Screenshots go to ``EKTP_TEST_SCREENSHOTS``
when set, else the test's tmp dir.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp.runtime import Runtime
from tests.e2e.browser import chromium_context, screenshots_dir
from tests.e2e.conftest import PASSWORD
from tests.e2e.plan_city import SUKARAMI, PlanCity, planned_city, runtime_on_copy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def plan_city(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> PlanCity:
    """Return the planned small city (built once per test session)."""
    return planned_city(sqlite_template, tmp_path_factory.mktemp("plan"))


@pytest.fixture
def web_runtime(plan_city: PlanCity, tmp_path: Path) -> Iterator[Runtime]:
    """Yield a Runtime on this test's copy of the planned city (the conftest's live_server
    serves it).
    """
    with runtime_on_copy(plan_city, tmp_path) as runtime:
        yield runtime


@pytest.fixture
def page() -> Iterator[object]:
    """Yield a Playwright page in Debian's chromium (skipped, with the reason, without it)."""
    with chromium_context(height=768, timeout_ms=20_000, accept_downloads=True) as context:
        yield context.new_page()


def _log_in(page: object, base: str, username: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Wilayah")).to_be_visible()


_CHART_STATE = """() => {
  const canvas = document.querySelector('canvas[data-plan-chart]');
  const chart = canvas && window.Chart && window.Chart.getChart(canvas);
  if (!chart) return null;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
  return {planned: chart.data.datasets[0].data.reduce((a, b) => a + b, 0),
          days: chart.data.labels.length, width: canvas.width, painted: painted};
}"""


def test_the_dinas_reads_the_plan_and_the_chart_follows_the_chosen_kecamatan(
    page: object, live_server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import ConsoleMessage, Page, expect

    assert isinstance(page, Page)
    shots = screenshots_dir(tmp_path)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # The browser asks for /favicon.ico on its own; this app has none.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(f"{message.text} ({message.location['url']})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    _log_in(page, live_server, "admin")
    page.get_by_role("link", name="Rencana perekaman").click()
    expect(page).to_have_url(f"{live_server}/rencana")
    table = page.locator("table.plan")
    expect(table.locator("tbody tr")).to_have_count(16)
    expect(table.locator("tfoot")).to_contain_text("Seluruh kota")
    expect(table.locator("tbody tr.late")).to_contain_text("Seberang Ulu I")
    expect(page.locator("canvas[data-plan-chart]")).to_have_attribute("data-drawn", "true")
    city = page.evaluate(_CHART_STATE)
    assert city is not None and city["width"] > 300 and city["painted"] > 1000
    page.screenshot(path=str(shots / "plan-dinas.png"), full_page=True)

    page.get_by_label("Tampilkan untuk").select_option(label="Sukarami")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(f"{live_server}/rencana?kecamatan={SUKARAMI}")
    expect(page.locator("canvas[data-plan-chart]")).to_have_attribute("data-drawn", "true")
    sukarami = page.evaluate(_CHART_STATE)
    assert sukarami is not None and sukarami["painted"] > 1000
    assert 0 < sukarami["planned"] < city["planned"]
    page.locator("#chart-heading").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "plan-dinas-sukarami.png"))
    # Nothing refused by the Content-Security-Policy, no script error.
    assert problems == [], problems


def test_the_camat_sees_the_sessions_and_moves_through_the_days(
    page: object, live_server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    shots = screenshots_dir(tmp_path)
    _log_in(page, live_server, "camat")
    page.get_by_role("link", name="Rencana perekaman").click()
    expect(page).to_have_url(f"{live_server}/rencana/kecamatan/{SUKARAMI}")
    expect(page.locator("h1")).to_contain_text("Sukarami")
    # Today lies long after the 2011 campaign: the page starts at the campaign's first day.
    expect(page.get_by_role("status")).to_contain_text("3 Oktober 2011")
    rows = page.locator("table.sessions tbody tr")
    expect(rows).to_have_count(15)
    expect(rows.first).to_contain_text("pagi")
    expect(rows.first).to_contain_text("08:00–12:00")
    page.screenshot(path=str(shots / "sessions-camat.png"), full_page=True)

    page.get_by_label("Mulai tanggal").fill("2011-10-10")
    page.get_by_label("Jumlah hari").select_option("3")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(
        f"{live_server}/rencana/kecamatan/{SUKARAMI}?tanggal=2011-10-10&hari=3"
    )
    expect(rows).to_have_count(9)
    expect(rows.first.locator("td").first).to_have_text("10 Oktober 2011")
    page.get_by_role("link", name="Berikutnya ›").click()
    expect(rows.first.locator("td").first).to_have_text("13 Oktober 2011")
    expect(page.get_by_label("Mulai tanggal")).to_have_value("2011-10-13")
    page.screenshot(path=str(shots / "sessions-camat-later.png"), full_page=True)


def test_the_kelurahan_prints_the_letters_of_an_rt(
    page: object, live_server: str, plan_city: PlanCity, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    shots = screenshots_dir(tmp_path)
    _log_in(page, live_server, "lurah")
    page.get_by_role("link", name="Rencana perekaman").click()
    expect(page).to_have_url(f"{live_server}/rencana/kelurahan/{plan_city.kelurahan}")
    rows = page.locator("table.rts tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 1
    first = rows.first
    invited = first.locator("td").nth(5).inner_text()
    expect(first.locator("td").nth(6)).to_have_text("0")
    page.screenshot(path=str(shots / "rt-kelurahan.png"), full_page=True)

    with page.expect_download() as waiting:
        first.get_by_role("button").click()
    download = waiting.value
    assert download.suggested_filename.startswith(f"surat-{plan_city.kelurahan}-rw")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.reload()
    expect(rows.first.locator("td").nth(6)).to_have_text(invited)
    page.get_by_role("link", name="Daftar tindak lanjut →").click()
    expect(page.locator("table.follow-up tbody tr").first).to_be_visible()
    page.screenshot(path=str(shots / "follow-up.png"), full_page=True)

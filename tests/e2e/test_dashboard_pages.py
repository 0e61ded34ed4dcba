"""The progress dashboards and the alerts page over HTTP: each level's figures, the chart's
data, the ranking, downloads as CSV and XLSX, alerts, and who may open what (counts only,
limited to the user's area). A small browser test checks that the chart is drawn.

The per-RT counts and closed days are written directly here (the closing that writes them is
tested in tests/integration/test_progress.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from pypdf import PdfReader

from ektp.cards.models import CardStageCount
from ektp.monitoring.models import ProgressRtDay
from ektp.recording.models import DailyReport
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.web.dashboard_pages import TABLES
from tests.e2e.browser import chromium_context
from tests.e2e.conftest import ILIR_10, NOW, PASSWORD, RESIDENTS, TALANG_BETUTU, USERS, log_in

SUKARAMI, IT2 = "16.71.07", "16.71.06"
WEEK = [dt.date(2011, 10, 3) + dt.timedelta(days=n) for n in range(5)]
RT_3_5 = f"{TALANG_BETUTU}.RW003.RT005"


def _rt_day(kel: str, rw: int, rt: int, day: dt.date, recorded: int, **more: int) -> ProgressRtDay:
    return ProgressRtDay(
        campaign_id=1,
        site_code=kel[:8],
        tanggal=day,
        kode_kecamatan=kel[:8],
        kode_kelurahan=kel,
        rw=rw,
        rt=rt,
        recorded=recorded,
        failed=0,
        walk_ins=more.get("walk_ins", 0),
        evening=more.get("evening", 0),
        invited=more.get("invited", recorded),
        missed=more.get("missed", 0),
    )


def _report(kecamatan: str, day: dt.date, recorded: int) -> DailyReport:
    per_set = [{"set_no": n, "busy_minutes": 500, "idle_minutes": 160} for n in (1, 2)]
    return DailyReport(
        campaign_id=1,
        site_code=kecamatan,
        kode_kecamatan=kecamatan,
        tanggal=day,
        session="hari",
        recorded=recorded,
        failed=0,
        walk_ins=0,
        missed=0,
        mean_minutes=3.0,
        idle_minutes=320,
        target=300,
        sets_working=2,
        per_set=json.dumps(per_set),
        closed_at=NOW,
        closed_by="t",
    )


@pytest.fixture
def city(web_runtime: Runtime) -> Runtime:
    """Return the small city with the Palembang campaign and a closed week: Sukarami records
    10 a day in RT 3/5 of Talang Betutu (2 walk-ins, 4 in the evening, 1 of 12 turns
    missed), Ilir Timur II 2 a day, both under the 300 target every day."""
    with web_runtime.transaction() as session:
        scheduling.create_campaign(session=session, scenario="palembang-2011", now=NOW)
        for day in WEEK:
            session.add(
                _rt_day(TALANG_BETUTU, 3, 5, day, 10, walk_ins=2, evening=4, invited=12, missed=1)
            )
            session.add(_rt_day(ILIR_10, 1, 1, day, 2))
            session.add(_report(SUKARAMI, day, 10))
            session.add(_report(IT2, day, 2))
        session.add(CardStageCount(kode_kecamatan=SUKARAMI, state="direkam", cards=40))
        session.add(CardStageCount(kode_kecamatan=SUKARAMI, state="dicetak", cards=7))
    return web_runtime


@pytest.fixture
def admin(client: TestClient, city: Runtime) -> TestClient:
    log_in(client, "admin")
    return client


def _figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1)


def test_the_city_dashboard_ranks_kecamatan_and_charts_recorded_against_the_target(
    admin: TestClient,
) -> None:
    response = admin.get("/pantauan")
    assert response.status_code == 200
    html = response.text
    assert _figure(html, "recorded") == "60"
    assert _figure(html, "walk_in_share") == "16.7 %"  # 10 walk-ins of 60 recorded
    assert _figure(html, "evening_share") == "33.3 %"
    chart = json.loads(re.search(r'id="dashboard-chart-data">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert chart["recorded"] == [12] * 5
    assert chart["target"] == [300 * 16] * 5
    rows = re.findall(
        r'<tr data-kode="([\d.]+)">\s*<td class="num">(\d+)</td><td class="num">(\d+)</td>', html
    )
    assert len(rows) == 16
    by_pace = {kode: int(pace) for kode, _coverage, pace in rows}
    # Sukarami records 10 a day, Ilir Timur II 2, the others none yet.
    assert (by_pace[SUKARAMI], by_pace[IT2]) == (1, 2)
    assert 'data-state="dicetak">7<' in html


def test_a_kelurahan_and_an_rt_show_their_turns_as_the_chart_line(admin: TestClient) -> None:
    html = admin.get(f"/pantauan/{TALANG_BETUTU}").text
    assert _figure(html, "recorded") == "50"
    assert _figure(html, "missed_rate") == "8.3 %"  # 5 of 60 turns
    assert f'href="/pantauan/{RT_3_5}"' in html
    rt = admin.get(f"/pantauan/{RT_3_5}")
    assert rt.status_code == 200
    chart = json.loads(re.search(r'id="dashboard-chart-data">(.*?)</script>', rt.text).group(1))  # type: ignore[union-attr]
    assert chart["target"] == [12] * 5 and chart["recorded"] == [10] * 5


def test_every_dashboard_table_downloads_as_csv_and_xlsx(admin: TestClient) -> None:
    csv = admin.get(f"/pantauan/{SUKARAMI}/unduh/wilayah.csv")
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("kode,nama,wajib_ktp,recorded,coverage")
    assert any(line.startswith(f"{TALANG_BETUTU},") and ",50," in line for line in lines)
    for table in ("wilayah", "harian", "alat", "kartu"):
        xlsx = admin.get(f"/pantauan/{SUKARAMI}/unduh/{table}.xlsx")
        assert xlsx.status_code == 200, table
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None and sheet.max_row >= 2, table
    assert admin.get(f"/pantauan/{SUKARAMI}/unduh/wilayah.pdf").status_code == 404
    assert admin.get(f"/pantauan/{SUKARAMI}/unduh/lain.csv").status_code == 404


def test_the_alerts_page_names_both_kecamatan_below_target(admin: TestClient) -> None:
    html = admin.get("/peringatan").text
    below = re.findall(r'data-kind="below_target" data-area="([\d.]+)"', html)
    assert sorted(below) == [IT2, SUKARAMI]
    assert "5 hari kerja berturut-turut" in html
    english = admin.get("/peringatan?lang=en").text
    assert "working days in a row" in english
    dashboard = admin.get(f"/pantauan/{SUKARAMI}").text
    shown = re.search(r'id="dashboard-alerts">(.*?)</section>', dashboard, re.S)
    assert shown and "Sukarami" in shown.group(1) and IT2 not in shown.group(1)
    rows = admin.get("/peringatan.csv").content.decode("utf-8-sig").splitlines()
    assert len(rows) == 3 and rows[0].startswith("kind,kode_kecamatan,area")


def test_alerts_name_the_kecamatan_and_write_dates_and_numbers_the_readers_way(
    admin: TestClient,
) -> None:
    html = admin.get("/peringatan").text
    assert (
        "Kecamatan Ilir Timur II (16.71.06) di bawah target 5 hari kerja berturut-turut sejak "
        "3 Oktober 2011: 10 terekam dari target 1.500." in html
    )
    english = admin.get("/peringatan?lang=en").text
    assert (
        "Kecamatan Ilir Timur II (16.71.06) below target 5 working days in a row since "
        "3 October 2011: 10 recorded of a 1,500 target." in english
    )
    api = admin.get("/api/v1/monitoring/alerts").json()["alerts"]
    assert {alert["params"]["nama"] for alert in api} == {"Ilir Timur II", "Sukarami"}


def test_area_users_see_their_own_area_only(client: TestClient, city: Runtime) -> None:
    log_in(client, "camat")
    home = client.get("/pantauan", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, f"/pantauan/{SUKARAMI}")
    assert client.get(f"/pantauan/{SUKARAMI}").status_code == 200
    assert client.get(f"/pantauan/{IT2}").status_code == 404
    assert client.get(f"/pantauan/{IT2}/unduh/wilayah.csv").status_code == 404
    assert client.get("/api/v1/monitoring/progress/16.71").status_code == 404
    alerts = client.get("/api/v1/monitoring/alerts").json()["alerts"]
    assert {alert["area"] for alert in alerts} == {SUKARAMI}
    client.cookies.clear()
    log_in(client, "lurah")
    assert client.get(f"/pantauan/{RT_3_5}").status_code == 200
    assert client.get(f"/pantauan/{SUKARAMI}").status_code == 404
    client.cookies.clear()
    log_in(client, "pusat")
    assert client.get("/pantauan").status_code == 403


IT2_KELURAHAN_RT = f"{ILIR_10}.RW001.RT001"
OTHER_KELURAHAN = "16.71.07.1004"  # Sukajaya: Sukarami, but not the officer's kelurahan


def _outside(area: str) -> list[str]:
    """Return every monitoring URL about a region outside ``area`` (Ilir Timur II's)."""
    urls = [f"/pantauan/{kode}" for kode in (IT2, ILIR_10, IT2_KELURAHAN_RT, "16.71")]
    urls += [f"/pantauan/{IT2}/unduh/{table}.{fmt}" for table in TABLES for fmt in ("csv", "xlsx")]
    urls += [f"/pantauan/{ILIR_10}/unduh/wilayah.csv", f"/api/v1/monitoring/progress/{IT2}"]
    urls += [f"/api/v1/monitoring/progress/{IT2_KELURAHAN_RT}", "/api/v1/monitoring/progress/16.71"]
    if len(area) > 8:
        urls += [f"/pantauan/{SUKARAMI}", f"/pantauan/{OTHER_KELURAHAN}"]
        urls += [f"/pantauan/{SUKARAMI}/unduh/wilayah.csv"]
    return urls


@pytest.mark.parametrize("username", ["camat", "lurah"])
def test_an_area_user_gets_404_for_every_page_export_and_api_outside_their_area(
    client: TestClient, city: Runtime, username: str
) -> None:
    log_in(client, username)
    area = USERS[username][1]
    assert area is not None
    for url in _outside(area):
        assert client.get(url).status_code == 404, url
    for malformed in (f"{area}.", f"{area}.RW001", f"{area[:5]}.6", "16.71.07%2F..%2F16.71.06"):
        assert client.get(f"/pantauan/{malformed}").status_code == 404, malformed
    found = client.get("/peringatan.csv").content.decode("utf-8-sig").splitlines()[1:]
    assert all(f",{IT2}," not in line for line in found)


def test_the_centre_is_refused_every_monitoring_and_planning_route(
    client: TestClient, city: Runtime
) -> None:
    log_in(client, "pusat")
    urls = ["/pantauan", f"/pantauan/{SUKARAMI}", f"/pantauan/{SUKARAMI}/unduh/harian.csv"]
    urls += ["/peringatan", "/peringatan.xlsx", f"/api/v1/monitoring/progress/{SUKARAMI}"]
    urls += ["/api/v1/monitoring/alerts", "/perencanaan-alat", "/perencanaan-alat.csv"]
    urls += ["/api/v1/planning/equipment", "/laporan/sekda.xlsx"]
    for url in urls:
        assert client.get(url).status_code == 403, url


def _texts(response: Response) -> str:
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if "pdf" in kind:
        return "\n".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
    return response.content.decode("utf-8-sig")


def test_no_monitoring_page_export_or_report_shows_a_resident(admin: TestClient) -> None:
    people = [
        value
        for resident in RESIDENTS
        for value in (resident.nik, resident.nama, resident.no_kk, resident.alamat)
        if value
    ]
    urls = ["/pantauan", f"/pantauan/{SUKARAMI}", f"/pantauan/{TALANG_BETUTU}"]
    urls += [f"/pantauan/{RT_3_5}", "/peringatan", "/peringatan.csv", "/peringatan.xlsx"]
    urls += [f"/pantauan/{kode}/unduh/{table}.{fmt}" for kode in ("16.71", TALANG_BETUTU)
             for table in TABLES for fmt in ("csv", "xlsx")]  # fmt: skip
    urls += [f"/api/v1/monitoring/progress/{RT_3_5}", "/api/v1/monitoring/alerts"]
    urls += ["/perencanaan-alat", "/perencanaan-alat.csv", "/api/v1/planning/equipment"]
    urls += ["/laporan/sekda.xlsx", "/laporan/sekda.pdf"]
    for url in urls:
        response = admin.get(url)
        assert response.status_code == 200, url
        text = _texts(response).upper()
        shown = [value for value in people if value.upper() in text]
        assert shown == [], url


@pytest.fixture
def slow_week(web_runtime: Runtime) -> Runtime:
    """Return the small city with the Palembang campaign and one closed week in which
    Sukarami recorded one resident a day."""
    with web_runtime.transaction() as session:
        scheduling.create_campaign(session=session, scenario="palembang-2011", now=NOW)
        for day in WEEK:
            session.add(_report(SUKARAMI, day, 1))
    return web_runtime


def test_a_kecamatan_dashboard_says_when_it_will_finish_by_pace_and_by_capacity(
    client: TestClient, slow_week: Runtime
) -> None:
    log_in(client, "camat")
    html = client.get(f"/pantauan/{SUKARAMI}").text
    # Sukarami's 35 wajib KTP less the 5 recorded: 30 at 1 a working day from Monday 10
    # October (the day after the last closed day): 16 working days in October, 14 in
    # November, the 30th is Friday 18 November. Its 2 sets offer 2 x 220 = 440 turns a day
    # (reserve included): the first day would do.
    forecast = dict(re.findall(r'data-forecast="(\w+)"[^>]*>([^<]*)<', html))
    assert forecast["remaining"] == "30"
    assert forecast["expected"].strip() == "18 November 2011"
    assert forecast["by_capacity"] == "10 Oktober 2011"
    assert 'data-status="on_track"' in html and "termasuk cadangan" in html
    assert "/perencanaan-alat" not in html  # the planner is the city's, not the operator's
    body = client.get(f"/api/v1/monitoring/progress/{SUKARAMI}").json()["forecast"]
    assert (body["remaining"], body["expected"], body["by_capacity"]) == (
        30,
        "2011-11-18",
        "2011-10-10",
    )
    client.cookies.clear()
    log_in(client, "pengamat")
    city = client.get("/pantauan").text
    assert 'id="forecast"' in city and 'href="/perencanaan-alat"' in city
    assert "/laporan/sekda.pdf" in city
    assert 'id="forecast"' not in client.get(f"/pantauan/{TALANG_BETUTU}").text


def test_the_api_gives_the_same_figures_as_the_page(admin: TestClient) -> None:
    body = admin.get(f"/api/v1/monitoring/progress/{SUKARAMI}").json()
    assert (body["recorded"], body["walk_ins"], body["invited"], body["missed"]) == (50, 10, 60, 5)
    assert body["cards"]["direkam"] == 40
    assert [day["recorded"] for day in body["days"]] == [10] * 5
    assert body["sites"][0]["per_set_per_day"] == 5.0
    assert admin.get("/api/v1/monitoring/progress/16.71.99").status_code == 404


@pytest.fixture
def page() -> Iterator[object]:
    """Yield a Playwright page in Debian's chromium (skipped, with the reason, without it)."""
    with chromium_context(height=768, timeout_ms=20_000) as context:
        yield context.new_page()


def test_the_dashboard_draws_its_chart_in_a_browser(
    page: object, city: Runtime, live_server: str
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{live_server}/login?next=/pantauan")
    page.get_by_label("Nama pengguna").fill("pengamat")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server}/pantauan")
    expect(page.locator("canvas[data-dashboard-chart]")).to_have_attribute("data-drawn", "true")
    bars = page.evaluate(
        "() => window.Chart.getChart(document.querySelector('canvas[data-dashboard-chart]'))"
        ".data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    assert bars == 60

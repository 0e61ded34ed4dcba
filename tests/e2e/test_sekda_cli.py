"""``ektp report sekda`` and ``ektp jobs evening`` end to end on SQLite, and the download
``/laporan/sekda.{fmt}`` for the Dinas: the small city planned on Palembang 2011, two days
closed through ``ektp report close``."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from ektp.app import create_app
from ektp.auth import service as auth_service
from ektp.cli import app
from ektp.monitoring.jobs import next_run
from ektp.runtime import Runtime
from ektp.scheduling import service
from ektp.settings import Settings
from tests.e2e.conftest import PASSWORD, log_in
from tests.integration.schedule_city import NOW, load, small_city

RUNNER = CliRunner()
SUKARAMI = "16.71.07"
IT2 = "16.71.06"
DAYS = (dt.date(2011, 10, 3), dt.date(2011, 10, 4))
PAGES = 1 + 16


def ektp(url: str, *arguments: str) -> tuple[int, str, str]:
    """Run ``ektp --db url arguments``; return the exit code, stdout and stderr."""
    result = RUNNER.invoke(app, ["--db", url, *arguments])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of the planned small city with two days closed at two sites."""
    directory = tmp_path_factory.mktemp("sekda")
    url = f"sqlite:///{directory / 'city.sqlite3'}"
    assert ektp(url, "init")[0] == 0
    runtime = Runtime(Settings(database_url=url, secret_key="t"))
    try:
        with runtime.transaction() as session:
            load(session, small_city())
            service.create_campaign(session=session, scenario="palembang-2011", now=NOW)
            service.plan(session=session, now=NOW)
    finally:
        runtime.dispose()
    for day in DAYS:
        for site in (SUKARAMI, IT2):
            code, _out, err = ektp(
                url, "report", "close", "--site", site, "--date", day.isoformat()
            )
            assert code == 0, err
    return url


def test_report_sekda_writes_a_pdf_of_the_last_closed_day(city: str, tmp_path: Path) -> None:
    out = tmp_path / "sekda.pdf"
    code, stdout, stderr = ektp(city, "report", "sekda", "--out", str(out))
    assert code == 0, stderr
    assert "report of 2011-10-04, 17 pages" in stdout
    assert len(PdfReader(str(out)).pages) == PAGES


def test_report_sekda_writes_an_xlsx_of_the_day_asked(city: str, tmp_path: Path) -> None:
    out = tmp_path / "sekda.xlsx"
    code, _stdout, stderr = ektp(city, "report", "sekda", "--date", "2011-10-03", "--out", str(out))
    assert code == 0, stderr
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "Kota" and len(book.sheetnames) == PAGES
    rows = {r[0]: r[1] for r in book["Kota"].iter_rows(values_only=True) if len(r) > 1 and r[0]}
    assert rows["tanggal_laporan"] == dt.datetime(2011, 10, 3)


def test_report_sekda_refuses_another_format_and_writes_nothing(city: str, tmp_path: Path) -> None:
    out = tmp_path / "sekda.docx"
    code, _stdout, stderr = ektp(city, "report", "sekda", "--out", str(out))
    assert code != 0 and ".pdf or .xlsx" in stderr
    assert not out.exists()


def test_report_sekda_refuses_a_bad_date(city: str, tmp_path: Path) -> None:
    code, _stdout, stderr = ektp(
        city, "report", "sekda", "--date", "4-10-2011", "--out", str(tmp_path / "x.pdf")
    )
    assert code != 0 and "--date" in stderr


def test_jobs_evening_writes_both_files_into_the_folder(city: str, tmp_path: Path) -> None:
    code, stdout, stderr = ektp(city, "jobs", "evening", "--out-dir", str(tmp_path / "laporan"))
    assert code == 0, stderr
    assert sorted(p.name for p in (tmp_path / "laporan").iterdir()) == [
        "sekda-2011-10-04.pdf",
        "sekda-2011-10-04.xlsx",
    ]
    assert "sekda-2011-10-04.pdf" in stdout


def test_the_dinas_downloads_the_report_and_an_operator_may_not(city: str) -> None:
    runtime = Runtime(Settings(database_url=city, secret_key="t"))
    try:
        with runtime.transaction() as session:
            for username, role, area in (
                ("dinas", "admin_kota", "16.71"),
                ("camat", "operator_kecamatan", SUKARAMI),
            ):
                auth_service.create_user(
                    session=session,
                    username=username,
                    full_name=username,
                    role=role,
                    area_kode=area,
                    password=PASSWORD,
                )
        application = create_app(runtime.settings, runtime=runtime)
        with TestClient(application, follow_redirects=False) as client:
            assert log_in(client, "dinas") == 303
            pdf = client.get("/laporan/sekda.pdf", params={"tanggal": "2011-10-04"})
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            assert "laporan-sekda-2011-10-04.pdf" in pdf.headers["content-disposition"]
            assert len(PdfReader(io.BytesIO(pdf.content)).pages) == PAGES
            assert client.get("/laporan/sekda.docx").status_code == 404
            assert (
                client.get("/laporan/sekda.pdf", params={"tanggal": "kemarin"}).status_code == 400
            )
            client.cookies.clear()
            assert log_in(client, "camat") == 303
            assert client.get("/laporan/sekda.xlsx").status_code == 403
    finally:
        runtime.dispose()


def test_the_evening_loop_wakes_at_half_past_eight_in_palembang() -> None:
    wib = dt.timezone(dt.timedelta(hours=7))
    before = dt.datetime(2011, 10, 3, 19, 0, tzinfo=wib)
    after = dt.datetime(2011, 10, 3, 21, 0, tzinfo=wib)
    assert next_run(before, dt.time(20, 30)) == dt.datetime(2011, 10, 3, 13, 30, tzinfo=dt.UTC)
    assert next_run(after, dt.time(20, 30)) == dt.datetime(2011, 10, 4, 13, 30, tzinfo=dt.UTC)

"""The kelurahan's downloads over HTTP: letters (PDF, marked printed) and delivery lists.

On the planned small city of ``plan_city``; every download is area-checked and audited.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ektp.runtime import Runtime
from ektp.scheduling import letters
from ektp.scheduling import service as scheduling
from ektp.scheduling.schemas import RtSchedule
from tests.e2e.conftest import audit_events, csrf_from, log_in
from tests.e2e.plan_city import PlanCity, planned_city, runtime_on_copy


@pytest.fixture(scope="session")
def plan_city(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> PlanCity:
    """Return the planned small city, built once."""
    return planned_city(sqlite_template, tmp_path_factory.mktemp("plan"))


@pytest.fixture
def web_runtime(plan_city: PlanCity, tmp_path: Path) -> Iterator[Runtime]:
    """Yield a Runtime on this test's copy of the planned city (the conftest's client uses it)."""
    with runtime_on_copy(plan_city, tmp_path) as runtime:
        yield runtime


def _schedule(runtime: Runtime, kelurahan: str) -> list[RtSchedule]:
    with runtime.transaction() as session:
        return scheduling.rt_schedule(session=session, kode_kelurahan=kelurahan)


def test_an_rts_letters_download_as_a_pdf_and_count_as_printed(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    first = next(row for row in _schedule(web_runtime, plan_city.kelurahan) if row.invited)
    log_in(client, "lurah")
    page = client.get(f"/rencana/kelurahan/{plan_city.kelurahan}").text
    response = client.post(
        f"/rencana/kelurahan/{plan_city.kelurahan}/surat.pdf",
        data={"csrf_token": csrf_from(page), "rw": first.rw, "rt": first.rt},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    expected = f"surat-{plan_city.kelurahan}-rw{first.rw:03d}-rt{first.rt:03d}.pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{expected}"'
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == (first.invited + 1) // 2  # two letters to a sheet
    after = {(row.rw, row.rt): row for row in _schedule(web_runtime, plan_city.kelurahan)}
    assert after[(first.rw, first.rt)].letters_printed == first.invited
    assert sum(row.letters_printed for row in after.values()) == first.invited
    events = audit_events(web_runtime, "letters_printed")
    assert [(event.username, event.subject) for event in events] == [("lurah", plan_city.kelurahan)]
    assert f"{first.invited} letters, RW {first.rw}, RT {first.rt}" in (events[0].detail or "")


def test_printing_letters_needs_the_forms_token(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    log_in(client, "lurah")
    response = client.post(f"/rencana/kelurahan/{plan_city.kelurahan}/surat.pdf", data={})
    assert response.status_code == 403
    assert sum(row.letters_printed for row in _schedule(web_runtime, plan_city.kelurahan)) == 0
    assert audit_events(web_runtime, "letters_printed") == []


def test_the_whole_kelurahans_letters_cover_every_rt(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed: list[letters.LetterBatch] = []

    def fake_pdf(batch: letters.LetterBatch, **_options: object) -> bytes:
        # Laying out a few hundred letters takes long; the RT test prints a real one.
        printed.append(batch)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(letters, "letters_pdf", fake_pdf)
    log_in(client, "camat")
    page = client.get(f"/rencana/kelurahan/{plan_city.kelurahan}").text
    response = client.post(
        f"/rencana/kelurahan/{plan_city.kelurahan}/surat.pdf", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 200 and response.content == b"%PDF-1.7 fake"
    schedule = _schedule(web_runtime, plan_city.kelurahan)
    invited = sum(row.invited for row in schedule)
    assert len(printed) == 1 and len(printed[0].letters) == invited
    assert {(letter.rw, letter.rt) for letter in printed[0].letters} == {
        (row.rw, row.rt) for row in schedule if row.invited
    }
    assert sum(row.letters_printed for row in schedule) == invited


def test_the_delivery_list_has_masked_niks_and_a_column_to_sign(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    log_in(client, "lurah")
    response = client.get(f"/rencana/kelurahan/{plan_city.kelurahan}/daftar-antar.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == letters.DELIVERY_CSV_COLUMNS
    assert rows[0][-1] == "tanda_tangan_penerima"
    assert len(rows) - 1 == sum(row.invited for row in _schedule(web_runtime, plan_city.kelurahan))
    assert all(re.fullmatch(r"\d{4}x{8}\d{4}", row[5]) for row in rows[1:])
    first = next(row for row in _schedule(web_runtime, plan_city.kelurahan) if row.invited)
    pdf = client.get(
        f"/rencana/kelurahan/{plan_city.kelurahan}/daftar-antar.pdf",
        params={"rw": first.rw, "rt": first.rt},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert [event.detail for event in audit_events(web_runtime, "delivery_list.download")] == [
        f"csv, {len(rows) - 1} rows",
        f"pdf, {first.invited} rows, RW {first.rw}, RT {first.rt}",
    ]


def test_downloads_are_refused_outside_the_area_and_to_other_roles(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    base = f"/rencana/kelurahan/{plan_city.kelurahan}"
    log_in(client, "lurah_lain")
    token = csrf_from(client.get(f"/rencana/kelurahan/{plan_city.other_kelurahan}").text)
    assert client.post(f"{base}/surat.pdf", data={"csrf_token": token}).status_code == 404
    assert client.get(f"{base}/daftar-antar.csv").status_code == 404
    client.post("/logout", data={"csrf_token": token})
    log_in(client, "pengamat")
    assert client.get(f"{base}/daftar-antar.pdf").status_code == 403
    assert audit_events(web_runtime, "delivery_list.download") == []
    assert audit_events(web_runtime, "letters_printed") == []

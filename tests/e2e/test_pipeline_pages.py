"""The card pipeline over HTTP: the Dinas's page (stages, per kecamatan, median days, uncollected
cards), its CSV/XLSX exports, a kecamatan's list of cards at one stage, and the JSON API; who
sees what (counts for the observer, masked NIKs for the admin and the kecamatan's operator)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from ektp.cards import lifecycle
from ektp.cards.models import Card, CardHandoverDays
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.web import pipeline_pages
from tests.e2e.conftest import IN_ILIR_10, RESIDENTS, audit_events, log_in
from tests.integration.pipeline_cards import open_cards, walk

SUKARAMI = "16.71.07"
IT2 = "16.71.06"
NOW = dt.datetime(2012, 3, 1, 2, tzinfo=dt.UTC)
RECORDED = dt.datetime(2011, 10, 3, 3, tzinfo=dt.UTC)
TO_KECAMATAN = lifecycle.MAIN_PATH[1 : lifecycle.MAIN_PATH.index("diterima_kecamatan") + 1]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline_pages, "clock", lambda: NOW)


@pytest.fixture
def carded(web_runtime: Runtime) -> Iterator[Runtime]:
    """Return the small city with a card for everyone: Ilir 10's card waiting 100 days at the
    kecamatan, three Sukarami cards printed, the rest recorded; a handover histogram."""
    with web_runtime.transaction() as session:
        campaign = scheduling.create_campaign(
            session=session, scenario="palembang-2011", now=RECORDED
        )
        open_cards(session, campaign_id=campaign.id, day=dt.date(2011, 10, 3), at=RECORDED)
        ids = dict(
            session.execute(
                select(Resident.nik, Card.id).join(Resident, Resident.id == Card.resident_id)
            ).all()
        )
        waiting = ids[IN_ILIR_10.nik]
        ready = NOW - dt.timedelta(days=100)
        walk(session, [waiting], TO_KECAMATAN, ready - dt.timedelta(days=1), actor="t")
        session.execute(
            update(Card).where(Card.id == waiting).values(ready_at=ready, state_since=ready)
        )
        printed = [ids[r.nik] for r in RESIDENTS[2:5]]
        walk(session, printed, lifecycle.MAIN_PATH[1:5], RECORDED, actor="t")
        session.execute(
            insert(CardHandoverDays),
            [
                {"kode_kecamatan": SUKARAMI, "days": 40, "cards": 1},
                {"kode_kecamatan": SUKARAMI, "days": 50, "cards": 1},
            ],
        )
    yield web_runtime


def test_the_admin_sees_every_stage_the_oldest_the_median_and_the_uncollected_card(
    client: TestClient, carded: Runtime
) -> None:
    log_in(client, "admin")
    page = client.get("/kartu")
    assert page.status_code == 200
    html = page.text
    assert 'id="pipeline-total">37<' in html
    assert 'id="pipeline-median">45.0<' in html
    assert 'id="pipeline-uncollected" class="late">1<' in html
    assert '<td class="num" data-state="dicetak"><a href="/kartu/daftar/' not in html
    assert 'data-oldest="diterima_kecamatan">100<' in html
    assert 'data-kecamatan="16.71.06"' in html and 'data-kecamatan="16.71.07"' in html
    # The overdue card is listed with its NIK masked, never in full, and never the name.
    masked = IN_ILIR_10.nik[:4] + "x" * 8 + IN_ILIR_10.nik[-4:]
    assert masked in html
    assert IN_ILIR_10.nik not in html and IN_ILIR_10.nama not in html
    assert "Siap diambil" in html and "Antrean cetak" in html
    assert page.headers["cache-control"] == "no-store"
    seen = audit_events(carded, "cards.uncollected")
    assert [(e.username, e.subject) for e in seen] == [("admin", "16.71")]
    english = client.get("/kartu?lang=en")
    assert "Ready for pickup" in english.text and "Cards per stage" in english.text


def test_the_observer_sees_counts_only(client: TestClient, carded: Runtime) -> None:
    log_in(client, "pengamat")
    page = client.get("/kartu")
    assert page.status_code == 200
    assert 'id="pipeline-uncollected" class="late">1<' in page.text
    assert "x" * 8 not in page.text and IN_ILIR_10.nik[-4:] + "<" not in page.text
    assert "/kartu/daftar/" not in page.text
    assert client.get(f"/kartu/daftar/{IT2}/diterima_kecamatan").status_code == 403
    assert client.get("/kartu/ekspor/belum-diambil.csv").status_code == 403
    assert client.get(f"/kartu/ekspor/daftar.csv?kecamatan={IT2}&tahap=direkam").status_code == 403
    assert client.get("/kartu/ekspor/kecamatan.csv").status_code == 200
    assert audit_events(carded, "cards.uncollected") == []


def test_the_operator_sees_its_own_kecamatan_only(client: TestClient, carded: Runtime) -> None:
    log_in(client, "camat")
    page = client.get("/kartu")
    assert page.status_code == 200
    assert 'data-kecamatan="16.71.07"' in page.text
    assert 'data-kecamatan="16.71.06"' not in page.text
    assert 'id="pipeline-uncollected" class="met">0<' in page.text
    assert client.get(f"/kartu?kecamatan={IT2}").status_code == 404
    assert client.get(f"/kartu/daftar/{IT2}/diterima_kecamatan").status_code == 404
    assert client.get(f"/api/v1/cards/pipeline?kecamatan={IT2}").status_code == 404
    assert client.get(f"/kartu/ekspor/tahap.csv?kecamatan={IT2}").status_code == 404
    listing = client.get(f"/kartu/daftar/{SUKARAMI}/dicetak")
    assert listing.status_code == 200
    assert listing.text.count('<td class="nik">') == 3
    for resident in RESIDENTS[2:5]:
        assert resident.nik not in listing.text and resident.nama not in listing.text
    seen = audit_events(carded, "cards.list")
    assert [(e.username, e.subject) for e in seen] == [("camat", "16.71.07 dicetak")]
    assert client.get(f"/kartu/daftar/{SUKARAMI}/dibakar").status_code == 404
    assert client.get(f"/kartu/daftar/{SUKARAMI}/dicetak?setelah=rusak").status_code == 400


@pytest.mark.parametrize("username", ["lurah", "pusat"])
def test_other_roles_are_refused(client: TestClient, carded: Runtime, username: str) -> None:
    log_in(client, username)
    assert client.get("/kartu").status_code == 403
    assert client.get("/api/v1/cards/pipeline").status_code == 403
    assert client.get("/kartu/ekspor/tahap.csv").status_code == 403


def test_every_table_exports_to_csv_and_xlsx(client: TestClient, carded: Runtime) -> None:
    log_in(client, "admin")
    stages = client.get("/kartu/ekspor/tahap.csv")
    assert stages.status_code == 200 and stages.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(stages.content.decode("utf-8-sig"))))
    counts = {row["state"]: int(row["cards"]) for row in rows}
    assert counts["direkam"] == 33 and counts["dicetak"] == 3
    assert counts["diterima_kecamatan"] == 1 and sum(counts.values()) == 37
    assert [row["state"] for row in rows] == list(lifecycle.STATES)
    book = load_workbook(io.BytesIO(client.get("/kartu/ekspor/kecamatan.xlsx").content))
    sheet = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert sheet[0][0] == "kode_kecamatan" and len(sheet) == 3
    by_code = {row[0]: row for row in sheet[1:]}
    assert by_code[SUKARAMI][sheet[0].index("median_days")] == 45
    assert by_code[IT2][sheet[0].index("uncollected")] == 1
    overdue = client.get("/kartu/ekspor/belum-diambil.csv").content.decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(overdue)))
    assert len(lines) == 1 and lines[0]["nik_masked"].startswith(IN_ILIR_10.nik[:4] + "x")
    assert IN_ILIR_10.nik not in overdue and lines[0]["days"] == "100"
    listed = client.get(f"/kartu/ekspor/daftar.xlsx?kecamatan={SUKARAMI}&tahap=dicetak")
    assert listed.status_code == 200
    assert len(list(load_workbook(io.BytesIO(listed.content)).active.iter_rows())) == 4  # type: ignore[union-attr]
    assert client.get("/kartu/ekspor/daftar.csv").status_code == 400
    assert client.get("/kartu/ekspor/tahap.pdf").status_code == 404
    assert client.get("/kartu/ekspor/rahasia.csv").status_code == 404
    actions = [e.action for e in audit_events(carded) if e.action.startswith("cards.")]
    assert actions == ["cards.uncollected", "cards.list"]


def test_the_api_gives_the_same_counts_as_json(client: TestClient, carded: Runtime) -> None:
    log_in(client, "pengamat")
    body = client.get("/api/v1/cards/pipeline").json()
    assert body["total"] == 37 and body["uncollected"] == 1
    assert body["uncollected_after_days"] == 90
    stages = {line["state"]: line for line in body["stages"]}
    assert stages["dicetak"]["cards"] == 3
    assert stages["diterima_kecamatan"]["oldest_days"] == 100
    assert stages["diserahkan"]["oldest_since"] is None
    lines = {line["kode_kecamatan"]: line for line in body["kecamatan"]}
    assert lines[SUKARAMI]["median_days"] == 45.0
    assert lines[SUKARAMI]["nama"] and lines[IT2]["uncollected"] == 1
    one = client.get(f"/api/v1/cards/pipeline?kecamatan={SUKARAMI}").json()
    assert [line["kode_kecamatan"] for line in one["kecamatan"]] == [SUKARAMI]
    assert IN_ILIR_10.nik[-4:] not in str(body["kecamatan"])


def test_an_empty_pipeline_says_so(client: TestClient) -> None:
    log_in(client, "admin")
    page = client.get("/kartu")
    assert page.status_code == 200 and "Belum ada kartu." in page.text
    assert client.get("/api/v1/cards/pipeline").json()["total"] == 0


def test_logged_out_visitors_are_sent_to_log_in(client: TestClient) -> None:
    assert client.get("/kartu").status_code == 303
    assert client.get("/api/v1/cards/pipeline").status_code == 401

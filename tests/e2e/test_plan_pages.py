"""The campaign plan pages over HTTP: who may open which page, and what each page shows.

On the planned small city of ``plan_city``; the letters and delivery lists are in
``test_plan_downloads``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ektp.auth import service as auth_service
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.report import KecamatanReport
from tests.e2e.conftest import audit_events, csrf_from, log_in, make_resident
from tests.e2e.plan_city import (
    ATTENDED_ON_FIRST_MORNING,
    FIRST_DAY,
    ILIR_TIMUR_II,
    NOW,
    SEBERANG_ULU_I,
    SUKARAMI,
    PlanCity,
    planned_city,
    runtime_on_copy,
)


@pytest.fixture(scope="session")
def plan_city(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> PlanCity:
    """Return the planned small city, built once."""
    return planned_city(sqlite_template, tmp_path_factory.mktemp("plan"))


@pytest.fixture
def web_runtime(plan_city: PlanCity, tmp_path: Path) -> Iterator[Runtime]:
    """Yield a Runtime on this test's copy of the planned city (the conftest's client uses it)."""
    with runtime_on_copy(plan_city, tmp_path) as runtime:
        yield runtime


def _pages(city: PlanCity) -> list[str]:
    return [
        "/rencana",
        f"/rencana/kecamatan/{SUKARAMI}",
        f"/rencana/kelurahan/{city.kelurahan}",
        f"/rencana/kelurahan/{city.kelurahan}/tindak-lanjut",
    ]


def _reports(runtime: Runtime) -> list[KecamatanReport]:
    with runtime.transaction() as session:
        return scheduling.plan_report(session=session)


# --- who may open what ----------------------------------------------------------------------


def test_the_central_office_may_open_no_plan_page(client: TestClient, plan_city: PlanCity) -> None:
    log_in(client, "pusat")
    for path in _pages(plan_city):
        assert client.get(path).status_code == 403, path
    assert client.post("/rencana/jalankan", data={}).status_code == 403
    assert 'href="/rencana"' not in client.get("/").text


def test_an_observer_sees_the_city_plan_but_nothing_of_kecamatan_or_kelurahan(
    client: TestClient, plan_city: PlanCity
) -> None:
    log_in(client, "pengamat")
    plan = client.get("/rencana")
    assert plan.status_code == 200
    assert "Sukarami" in plan.text
    assert "Jalankan perencanaan" not in plan.text
    assert f'href="/rencana/kecamatan/{SUKARAMI}"' not in plan.text
    for path in _pages(plan_city)[1:]:
        assert client.get(path).status_code == 403, path


def test_a_camat_is_sent_to_the_own_kecamatan_and_kept_out_of_others(
    client: TestClient, plan_city: PlanCity
) -> None:
    log_in(client, "camat_lain")
    response = client.get("/rencana")
    assert response.status_code == 303
    assert response.headers["location"] == f"/rencana/kecamatan/{ILIR_TIMUR_II}"
    assert client.get(f"/rencana/kecamatan/{ILIR_TIMUR_II}").status_code == 200
    assert client.get(f"/rencana/kecamatan/{SUKARAMI}").status_code == 404
    assert client.get(f"/rencana/kelurahan/{plan_city.kelurahan}").status_code == 404
    assert client.get(f"/rencana/kelurahan/{plan_city.kelurahan}/tindak-lanjut").status_code == 404


def test_a_lurah_sees_only_the_own_kelurahan(client: TestClient, plan_city: PlanCity) -> None:
    log_in(client, "lurah_lain")
    response = client.get("/rencana")
    assert response.headers["location"] == f"/rencana/kelurahan/{plan_city.other_kelurahan}"
    assert client.get(response.headers["location"]).status_code == 200
    assert client.get(f"/rencana/kelurahan/{plan_city.kelurahan}").status_code == 404
    assert client.get(f"/rencana/kelurahan/{plan_city.kelurahan}/tindak-lanjut").status_code == 404
    assert client.get(f"/rencana/kecamatan/{SUKARAMI}").status_code == 403


@pytest.mark.parametrize("username", ["admin", "camat"])
def test_the_city_admin_and_the_camat_open_the_kecamatan_and_kelurahan_pages(
    client: TestClient, plan_city: PlanCity, username: str
) -> None:
    log_in(client, username)
    for path in _pages(plan_city)[1:]:
        assert client.get(path).status_code == 200, path


def test_unknown_or_malformed_regions_are_404(client: TestClient) -> None:
    log_in(client, "admin")
    for path in (
        "/rencana/kecamatan/16.71.99",
        "/rencana/kecamatan/16.72.01",
        "/rencana/kecamatan/1671",
        "/rencana/kelurahan/16.71.07.9999",
        "/rencana/kelurahan/16.71.07",
    ):
        assert client.get(path).status_code == 404, path


def test_pages_ask_for_a_login_first(client: TestClient, plan_city: PlanCity) -> None:
    for path in _pages(plan_city):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


# --- the Dinas: plan per kecamatan ----------------------------------------------------------


def test_the_plan_lists_every_kecamatan_with_a_city_total(
    client: TestClient, web_runtime: Runtime
) -> None:
    log_in(client, "admin")
    html = client.get("/rencana").text
    reports = _reports(web_runtime)
    assert len(reports) == 16
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") == 16
    for report in reports:
        assert f'href="/rencana/kecamatan/{report.kode_kecamatan}"' in body
    total = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert "Seluruh kota" in total
    residents = sum(report.residents for report in reports)
    assert f"{residents:,}".replace(",", ".") in total


def test_a_kecamatan_that_misses_the_deadline_is_marked_with_the_sets_it_needs(
    client: TestClient, web_runtime: Runtime
) -> None:
    log_in(client, "admin")
    html = client.get("/rencana").text
    late = {report.kode_kecamatan: report for report in _reports(web_runtime)}
    assert not late[SEBERANG_ULU_I].deadline_met
    assert all(report.deadline_met for kode, report in late.items() if kode != SEBERANG_ULU_I)
    rows = re.findall(r'<tr class="(met|late)">\s*<th scope="row">.*?</tr>', html, re.S)
    assert rows.count("late") == 2  # Seberang Ulu I, and the city total
    row = re.search(r'<tr class="late">.*?Seberang Ulu I.*?</tr>', html, re.S)
    assert row is not None
    assert "Tidak" in row.group(0)
    assert f"+{late[SEBERANG_ULU_I].extra_sets_needed}" in row.group(0)
    assert "15 dari 16" in html


def test_the_chart_figures_are_those_of_the_chosen_kecamatan(
    client: TestClient, web_runtime: Runtime
) -> None:
    log_in(client, "admin")
    city = _chart(client.get("/rencana").text)
    sukarami = _chart(client.get("/rencana", params={"kecamatan": SUKARAMI}).text)
    with web_runtime.transaction() as session:
        city_load = scheduling.daily_load(session=session)
        sukarami_load = scheduling.daily_load(session=session, kecamatan=SUKARAMI)
    assert city["planned"] == [load.planned for load in city_load]
    assert city["capacity"] == [load.capacity for load in city_load]
    assert sukarami["bookable"] == [load.bookable_capacity for load in sukarami_load]
    assert sum(sukarami["planned"]) < sum(city["planned"])
    assert city["labels"][0] == "3 Okt"
    assert '<script src="/static/vendor/chart.umd.min.js"></script>' in client.get("/rencana").text


def test_an_unknown_kecamatan_choice_shows_the_city(client: TestClient) -> None:
    log_in(client, "admin")
    assert _chart(client.get("/rencana?kecamatan=16.99.01").text) == _chart(
        client.get("/rencana").text
    )


def _chart(html: str) -> dict[str, list[object]]:
    found = re.search(r'<script type="application/json" id="plan-chart-data">(.*?)</script>', html)
    assert found is not None, "no chart data on the page"
    data: dict[str, list[object]] = json.loads(found.group(1))
    return data


def test_the_vendored_chart_library_is_served(client: TestClient) -> None:
    library = client.get("/static/vendor/chart.umd.min.js")
    assert library.status_code == 200 and "Chart.js v4" in library.text[:200]
    assert "new window.Chart" in client.get("/static/charts.js").text
    assert 'charts.draw("plan"' in client.get("/static/plan-chart.js").text


def test_running_the_planner_gives_a_new_resident_a_turn(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    newcomer = make_resident(9876, "NEWCOMER SUKARAMI", plan_city.kelurahan, rw=1, rt=1)
    with web_runtime.transaction() as session:
        write_batch(session=session, records=[newcomer], now=NOW)
    log_in(client, "admin")
    token = csrf_from(client.get("/rencana").text)
    assert client.post("/rencana/jalankan", data={"csrf_token": "wrong"}).status_code == 403
    response = client.post("/rencana/jalankan", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/rencana"
    assert "Perencanaan selesai: 1 undangan baru." in client.get("/rencana").text
    assert "Perencanaan selesai" not in client.get("/rencana").text  # shown once


def test_a_failed_planner_run_commits_nothing_and_says_why(
    client: TestClient, web_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_plan(*, session: Session, **_arguments: object) -> None:
        auth_service.record_audit(
            session=session,
            username="x",
            action="half.done",
            subject=None,
            detail=None,
            client=None,
        )
        raise scheduling.ScheduleError("site 16.71.02 cannot place everyone")

    monkeypatch.setattr(scheduling, "plan", failing_plan)
    log_in(client, "admin")
    token = csrf_from(client.get("/rencana").text)
    assert client.post("/rencana/jalankan", data={"csrf_token": token}).status_code == 303
    assert "Perencanaan gagal: site 16.71.02 cannot place everyone" in client.get("/rencana").text
    assert audit_events(web_runtime, "half.done") == []


def test_only_the_city_admin_may_run_the_planner(client: TestClient) -> None:
    log_in(client, "pengamat")
    token = csrf_from(client.get("/rencana").text)
    assert client.post("/rencana/jalankan", data={"csrf_token": token}).status_code == 403


# --- the Camat: sessions --------------------------------------------------------------------


def test_the_camat_sees_each_session_with_its_counts(
    client: TestClient, web_runtime: Runtime
) -> None:
    log_in(client, "camat")
    html = client.get(f"/rencana/kecamatan/{SUKARAMI}", params={"tanggal": "2011-10-03"}).text
    with web_runtime.transaction() as session:
        loads = scheduling.sessions_overview(
            session=session, site_code=SUKARAMI, from_day=FIRST_DAY, days=7
        )
    assert "Kantor Camat Sukarami" in html
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("</tr>")[:-1]]
    assert len(cells) == len(loads) == 15  # five working days, three sessions each
    first = cells[0]
    assert first[0].startswith("3 Oktober 2011") and first[1] == "pagi"
    assert first[2] == "08:00–12:00"
    assert first[3:] == [
        str(value)
        for value in (
            loads[0].capacity,
            loads[0].reserve,
            loads[0].bookable,
            loads[0].planned,
            loads[0].attended,
            loads[0].missed,
        )
    ]
    assert loads[0].attended == ATTENDED_ON_FIRST_MORNING and loads[0].missed > 0
    assert "set alat pada 3 Oktober 2011" in html


def test_the_camat_chooses_the_first_day_and_how_many_days(client: TestClient) -> None:
    log_in(client, "camat")
    html = client.get(
        f"/rencana/kecamatan/{SUKARAMI}", params={"tanggal": "2011-10-10", "hari": 1}
    ).text
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") == 3 and "10 Oktober 2011" in body
    assert 'href="/rencana/kecamatan/16.71.07?tanggal=2011-10-09&amp;hari=1"' in html
    assert 'href="/rencana/kecamatan/16.71.07?tanggal=2011-10-11&amp;hari=1"' in html
    # Today (long after 2011) has no sessions: no link to it.
    assert "Hari ini</a>" not in html


def test_a_bad_date_shows_today_with_a_warning(client: TestClient) -> None:
    log_in(client, "camat")
    response = client.get(f"/rencana/kecamatan/{SUKARAMI}", params={"tanggal": "2011-13-40"})
    assert response.status_code == 200
    assert "Tanggal tidak sah" in response.text


def test_the_camat_page_lists_the_kelurahan_of_the_kecamatan(
    client: TestClient, plan_city: PlanCity
) -> None:
    log_in(client, "camat")
    html = client.get(f"/rencana/kecamatan/{SUKARAMI}").text
    assert f'href="/rencana/kelurahan/{plan_city.kelurahan}"' in html
    assert 'href="/rencana/kelurahan/16.71.06.' not in html


# --- the kelurahan: RT dates, follow-up list ------------------------------------------------


def test_the_kelurahan_sees_its_rts_in_the_recorded_order(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    log_in(client, "lurah")
    html = client.get(f"/rencana/kelurahan/{plan_city.kelurahan}").text
    with web_runtime.transaction() as session:
        schedule = scheduling.rt_schedule(session=session, kode_kelurahan=plan_city.kelurahan)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    positions = [int(cell) for cell in re.findall(r'<tr>\s*<td class="num">(\d+)</td>', body)]
    # Shown from 1: the stored order counts from 0.
    assert positions == [(row.position or 0) + 1 for row in schedule]
    assert positions == sorted(positions) and all(row.position is not None for row in schedule)
    assert "acak sesuai per RT" in html
    assert f'action="/rencana/kelurahan/{plan_city.kelurahan}/surat.pdf"' in html
    assert f'href="/rencana/kelurahan/{plan_city.kelurahan}/daftar-antar.csv"' in html


def test_the_follow_up_list_shows_who_missed_and_is_audited(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    with web_runtime.transaction() as session:
        rows = scheduling.follow_up_list(session=session, kode_kelurahan=plan_city.kelurahan)
    assert rows, "the closed sessions sent nobody to the follow-up list"
    log_in(client, "lurah")
    response = client.get(f"/rencana/kelurahan/{plan_city.kelurahan}/tindak-lanjut")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    for row in rows:
        assert row.nik in response.text and row.nama in response.text
    events = audit_events(web_runtime, "follow_up.view")
    assert [(event.username, event.subject) for event in events] == [("lurah", plan_city.kelurahan)]
    assert json.loads(events[0].detail or "{}") == {"rows": len(rows)}


def test_a_refused_follow_up_list_is_not_shown_nor_audited(
    client: TestClient, web_runtime: Runtime, plan_city: PlanCity
) -> None:
    log_in(client, "lurah_lain")
    response = client.get(f"/rencana/kelurahan/{plan_city.kelurahan}/tindak-lanjut")
    assert response.status_code == 404
    assert audit_events(web_runtime, "follow_up.view") == []


def test_the_pages_speak_english_when_asked(client: TestClient, plan_city: PlanCity) -> None:
    log_in(client, "admin")
    assert "Recording plan per kecamatan" in client.get("/rencana?lang=en").text
    assert "Recording sessions" in client.get(f"/rencana/kecamatan/{SUKARAMI}").text
    rt = client.get(f"/rencana/kelurahan/{plan_city.kelurahan}").text
    assert "RT dates and call-up letters" in rt and "Jadwal RT" not in rt

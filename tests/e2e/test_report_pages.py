"""The Dinas's daily report page over HTTP: per kecamatan for a chosen date, below-target rows
marked, a CSV download; the operator sees its own kecamatan and closes its own sites' days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient

from ektp.auth.models import AuditEvent
from ektp.recording import closing
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from tests.e2e.conftest import csrf_from, log_in

MONDAY = dt.date(2011, 10, 3)
TUESDAY = dt.date(2011, 10, 4)
SUKARAMI = "16.71.07"
IT2 = "16.71.06"
EVENING = dt.datetime(2011, 10, 3, 13, 30, tzinfo=dt.UTC)


@pytest.fixture
def closed(web_runtime: Runtime) -> Runtime:
    """Return the small city with the campaign planned and Monday closed at two sites."""
    with web_runtime.transaction() as session:
        campaign = scheduling.create_campaign(
            session=session, scenario="palembang-2011", now=EVENING
        )
        scheduling.plan(session=session, now=EVENING, today=campaign.start)
        for site in (SUKARAMI, IT2):
            closing.close_day(session=session, site_code=site, tanggal=MONDAY, now=EVENING)
    return web_runtime


def rows_of(html: str) -> dict[str, str]:
    """Return each kecamatan's table row by code."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in body.split("</tr>")[:-1]:
        code = row.split('data-kecamatan="', 1)[1].split('"', 1)[0]
        found[code] = row
    return found


@pytest.mark.parametrize("username", ["admin", "pengamat"])
def test_the_dinas_and_the_observer_see_every_kecamatan_below_target_marked(
    client: TestClient, closed: Runtime, username: str
) -> None:
    log_in(client, username)
    page = client.get("/laporan/harian")
    assert page.status_code == 200
    rows = rows_of(page.text)
    assert sorted(rows) == [IT2, SUKARAMI]
    # Nobody was recorded: both are below the 300 of the scenario.
    assert all('class="late"' in row and "di bawah target" in row for row in rows.values())
    assert "3 Oktober 2011" in page.text
    assert 'href="/laporan/harian.csv?tanggal=2011-10-03"' in page.text
    assert ("Tutup hari" in page.text) == (username == "admin")


def test_the_csv_has_one_line_per_kecamatan(client: TestClient, closed: Runtime) -> None:
    log_in(client, "pengamat")
    answer = client.get("/laporan/harian.csv", params={"tanggal": "2011-10-03"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="laporan-harian-2011-10-03.csv"' in answer.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(answer.text)))
    assert [line["kode_kecamatan"] for line in lines] == [IT2, SUKARAMI]
    assert all(line["target"] == "300" and line["below_target"] == "1" for line in lines)


def test_an_operator_sees_and_closes_only_its_own_kecamatan(
    client: TestClient, closed: Runtime
) -> None:
    log_in(client, "camat")
    page = client.get("/laporan/harian")
    assert sorted(rows_of(page.text)) == [SUKARAMI]
    assert f'<option value="{SUKARAMI}">' in page.text and f'value="{IT2}"' not in page.text
    token = csrf_from(page.text)
    other = client.post(
        "/laporan/tutup",
        data={"site_code": IT2, "tanggal": "2011-10-04", "csrf_token": token},
    )
    assert other.status_code == 404
    own = client.post(
        "/laporan/tutup",
        data={"site_code": SUKARAMI, "tanggal": "2011-10-04", "csrf_token": token},
    )
    assert (
        own.status_code == 303 and own.headers["location"] == "/laporan/harian?tanggal=2011-10-04"
    )
    shown = client.get(own.headers["location"])
    assert "Kantor Camat Sukarami" in shown.text and "ditutup" in shown.text
    assert sorted(rows_of(shown.text)) == [SUKARAMI]
    with closed.transaction() as session:
        assert [line.kode_kecamatan for line in closing.daily_report(session=session)] == [SUKARAMI]
        events = session.query(AuditEvent).filter_by(action="day.closed").all()
        assert [(event.username, event.subject) for event in events] == [
            ("camat", f"{SUKARAMI} 2011-10-04")
        ]


def test_closing_without_the_forms_token_is_refused_and_changes_nothing(
    client: TestClient, closed: Runtime
) -> None:
    log_in(client, "admin")
    answer = client.post("/laporan/tutup", data={"site_code": SUKARAMI, "tanggal": "2011-10-04"})
    assert answer.status_code == 403
    with closed.transaction() as session:
        assert closing.closed_days(session=session) == [MONDAY]


def test_a_refused_closing_is_shown_and_nothing_of_it_is_kept(
    client: TestClient, closed: Runtime
) -> None:
    log_in(client, "admin")
    token = csrf_from(client.get("/laporan/harian").text)
    # 9 October 2011 is a Sunday: no session to close.
    answer = client.post(
        "/laporan/tutup", data={"site_code": SUKARAMI, "tanggal": "2011-10-09", "csrf_token": token}
    )
    assert answer.status_code == 303
    shown = client.get(answer.headers["location"])
    assert "no session on 2011-10-09" in shown.text
    with closed.transaction() as session:
        assert closing.closed_days(session=session) == [MONDAY]


def test_a_date_without_closed_days_says_so_and_a_bad_date_is_400(
    client: TestClient, closed: Runtime
) -> None:
    log_in(client, "admin")
    empty = client.get("/laporan/harian", params={"tanggal": "2011-10-05"})
    assert empty.status_code == 200 and "Belum ada hari yang ditutup" in empty.text
    assert client.get("/laporan/harian", params={"tanggal": "kemarin"}).status_code == 400
    assert client.get("/laporan/harian.csv", params={"tanggal": "kemarin"}).status_code == 400


def test_the_page_is_in_english_on_request(client: TestClient, closed: Runtime) -> None:
    log_in(client, "admin")
    page = client.get("/laporan/harian", params={"lang": "en"})
    assert "Daily recording report" in page.text and "below target" in page.text

"""The campaign's JSON API over HTTP (SQLite): who may read and do what, what is audited,
and the resident's own move that answers every mismatch alike.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ektp.auth.models import AuditEvent
from ektp.runtime import Runtime
from ektp.scheduling import service
from ektp.scheduling.models import Invitation
from ektp.scheduling.schemas import REPORT_KEYS
from ektp.scheduling.turns import NO_SUCH_TURN
from tests.e2e.conftest import IN_ILIR_10, IN_TALANG_BETUTU, NOW, SUKAJAYA, TALANG_BETUTU, log_in

API = "/api/v1/schedule"
MONDAY = dt.date(2011, 10, 3)


@pytest.fixture
def planned(web_runtime: Runtime) -> Runtime:
    """Return the small city's runtime with the shipped campaign planned."""
    with web_runtime.transaction() as session:
        service.create_campaign(session=session, scenario="palembang-2011", now=NOW)
        service.plan(session=session, now=NOW)
    return web_runtime


def _audit(runtime: Runtime, action: str) -> list[AuditEvent]:
    with runtime.transaction() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.execute(query).scalars())


def _turn_of(runtime: Runtime, nik: str) -> Invitation:
    from ektp.residents.models import Resident

    with runtime.transaction() as session:
        return session.execute(
            select(Invitation)
            .join(Resident, Resident.id == Invitation.resident_id)
            .where(Resident.nik == nik, Invitation.status == "planned")
        ).scalar_one()


def test_the_schedule_api_needs_a_login(client: TestClient, planned: Runtime) -> None:
    assert client.get(f"{API}/report").status_code == 401


def test_the_observer_reads_the_report_but_no_names(client: TestClient, planned: Runtime) -> None:
    assert log_in(client, "pengamat") == 303
    report = client.get(f"{API}/report")
    assert report.status_code == 200
    assert len(report.json()) == 16 and all(tuple(line) == REPORT_KEYS for line in report.json())
    assert client.get(f"{API}/daily-load").status_code == 200
    assert client.get(f"{API}/kelurahan/{TALANG_BETUTU}/follow-up").status_code == 403
    assert client.get(f"{API}/kelurahan/{TALANG_BETUTU}/rts").status_code == 403
    assert client.get(f"{API}/sites/16.71.07/sessions?from_day=2011-10-03").status_code == 403


def test_the_central_office_sees_nothing_of_the_schedule(
    client: TestClient, planned: Runtime
) -> None:
    assert log_in(client, "pusat") == 303
    assert client.get(f"{API}/report").status_code == 403
    assert client.get(f"{API}/daily-load").status_code == 403


def test_the_camat_runs_its_own_kecamatan_and_no_other(
    client: TestClient, planned: Runtime
) -> None:
    assert log_in(client, "camat") == 303
    assert [line["kode_kecamatan"] for line in client.get(f"{API}/report").json()] == ["16.71.07"]
    sessions = client.get(f"{API}/sites/16.71.07/sessions?from_day=2011-10-03&days=1")
    assert sessions.status_code == 200
    assert [s["session"] for s in sessions.json()] == ["pagi", "siang", "malam"]
    assert client.get(f"{API}/sites/16.71.06/sessions?from_day=2011-10-03").status_code == 403
    change = {"date": "2011-10-10", "change": 1, "reason": "added"}
    assert client.post(f"{API}/sites/16.71.07/sets", json=change).json()["sets_after"] == 3
    assert client.post(f"{API}/sites/16.71.06/sets", json=change).status_code == 403
    closed = client.post(f"{API}/sites/16.71.07/sessions/2011-10-03/pagi/close")
    assert closed.status_code == 200 and closed.json()["missed"] == 35
    assert _audit(planned, "schedule.close_session")[0].username == "camat"
    assert client.post(f"{API}/plan", json={}).status_code == 403
    elsewhere = _turn_of(planned, IN_ILIR_10.nik)
    move = {"to_date": "2011-10-10", "to_session": "pagi"}
    assert client.post(f"{API}/invitations/{elsewhere.id}/move", json=move).status_code == 403


def test_the_kelurahan_reads_its_rts_and_follow_ups_only_and_the_view_is_audited(
    client: TestClient, planned: Runtime
) -> None:
    assert log_in(client, "lurah") == 303
    rts = client.get(f"{API}/kelurahan/{TALANG_BETUTU}/rts")
    assert rts.status_code == 200
    assert sum(line["invited"] for line in rts.json()) > 0
    assert client.get(f"{API}/kelurahan/{SUKAJAYA}/rts").status_code == 403
    follow = client.get(f"{API}/kelurahan/{TALANG_BETUTU}/follow-up")
    assert follow.status_code == 200 and follow.json() == []
    assert follow.headers["cache-control"] == "no-store"
    assert [e.subject for e in _audit(planned, "schedule.follow_up")] == [TALANG_BETUTU]
    assert client.get(f"{API}/kelurahan/{SUKAJAYA}/follow-up").status_code == 403
    assert client.get(f"{API}/sites/16.71.07/sessions?from_day=2011-10-03").status_code == 200
    assert client.post(f"{API}/sites/16.71.07/sessions/2011-10-03/pagi/close").status_code == 403


def test_the_city_admin_plans_and_re_plans(client: TestClient, planned: Runtime) -> None:
    assert log_in(client, "admin") == 303
    again = client.post(f"{API}/plan", json={"seed": 5})
    assert again.status_code == 200 and again.json()["invited"] == 0
    replan = client.post(f"{API}/replan", json={"day": "2011-10-03"})
    assert replan.status_code == 200
    assert replan.json()["freeze_until"] == "2011-10-10"
    assert len(_audit(planned, "schedule.replan")) == 1
    assert client.get(f"{API}/campaign").json()["sites"] == 16


def test_a_resident_moves_their_own_turn_and_wrong_details_all_get_one_answer(
    client: TestClient, planned: Runtime
) -> None:
    turn = _turn_of(planned, IN_TALANG_BETUTU.nik)
    body = {
        "nik": IN_TALANG_BETUTU.nik,
        "tanggal_lahir": IN_TALANG_BETUTU.tanggal_lahir.isoformat(),
        "attendance_code": turn.attendance_code,
        "to_date": "2011-10-11",
        "to_session": "siang",
    }
    wrong = [
        {**body, "attendance_code": "ACACAC" if turn.attendance_code != "ACACAC" else "CACACA"},
        {**body, "tanggal_lahir": "1980-05-18"},
        {**body, "nik": "1671070000000000"},
    ]
    for attempt in wrong:
        response = client.post("/api/v1/turns/move", json=attempt)
        assert (response.status_code, response.json()) == (404, {"detail": NO_SUCH_TURN})
    assert len(_audit(planned, "turn.move_own_refused")) == 3
    moved = client.post("/api/v1/turns/move", json=body)
    assert moved.status_code == 200
    assert (moved.json()["date"], moved.json()["session"]) == ("2011-10-11", "siang")
    again = client.post("/api/v1/turns/move", json=body)
    assert again.status_code == 404  # the old code went with the old turn


def test_staff_mark_a_turn_attended_only_with_the_letter_s_code(
    client: TestClient, planned: Runtime
) -> None:
    assert log_in(client, "camat") == 303
    turn = _turn_of(planned, IN_TALANG_BETUTU.nik)
    wrong = client.post(f"{API}/invitations/{turn.id}/attended", json={"attendance_code": "000000"})
    assert wrong.status_code == 422
    right = client.post(
        f"{API}/invitations/{turn.id}/attended", json={"attendance_code": turn.attendance_code}
    )
    assert right.status_code == 200 and right.json()["status"] == "attended"


def test_a_brute_force_loop_on_the_public_move_is_cut_off_with_429(
    client: TestClient, planned: Runtime
) -> None:
    guess = {
        "nik": IN_TALANG_BETUTU.nik,
        "tanggal_lahir": IN_TALANG_BETUTU.tanggal_lahir.isoformat(),
        "attendance_code": "ACACAC",
        "to_date": "2011-10-11",
        "to_session": "siang",
    }
    statuses = [client.post("/api/v1/turns/move", json=guess).status_code for _ in range(15)]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429] * 5
    refused = client.post("/api/v1/turns/move", json=guess)
    assert int(refused.headers["Retry-After"]) > 0
    # Cut off before the service: only the ten real attempts were audited.
    assert len(_audit(planned, "turn.move_own_refused")) == 10

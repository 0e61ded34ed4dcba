"""The device API over HTTP: a set records a resident with a token; retries and double clicks
take effect once; bad payloads get a 4xx with a plain message and change nothing; nothing
biometric comes back out or reaches the audit log.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ektp.app import create_app
from ektp.recording import capture_rules as rules
from ektp.recording.models import Capture, QueueTicket, Recording
from ektp.runtime import Runtime
from ektp.scheduling.models import Invitation
from tests.e2e.conftest import PASSWORD, audit_events
from tests.e2e.desk_city import (
    IT2,
    SUKARAMI,
    build_planned,
    call_to_set,
    check_in_invited,
    copy_of,
    token_for,
)

TEMPLATE = b"TEMPLATE-OF-SITI-" * 30
TEMPLATE_B64 = base64.b64encode(TEMPLATE).decode()
API = "/api/v1/recording"


@pytest.fixture(scope="module")
def planned(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the planned small city, built once for the module."""
    return build_planned(web_template, tmp_path_factory.mktemp("device-api"))


@pytest.fixture
def web_runtime(planned: Path, tmp_path: Path) -> Iterator[Runtime]:
    """Yield a runtime on this test's copy of the planned city."""
    runtime = copy_of(planned, tmp_path)
    try:
        yield runtime
    finally:
        runtime.dispose()


@pytest.fixture
def device(web_runtime: Runtime) -> Iterator[TestClient]:
    """Yield a client that acts as set 1 of Sukarami with the operator's API token."""
    token = token_for(web_runtime, "camat")
    app = create_app(web_runtime.settings, runtime=web_runtime)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def _capture(
    client: TestClient, recording_id: int, modality: str, quality: int = 90, **extra: Any
) -> Any:
    key = extra.pop("key", None)
    body = {"modality": modality, "quality": quality, "template_b64": TEMPLATE_B64, **extra}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"{API}/{recording_id}/captures", json=body, headers=headers)


def _started(client: TestClient, runtime: Runtime, set_no: int = 1) -> dict[str, Any]:
    ticket = call_to_set(runtime, SUKARAMI, set_no)
    answer = client.post(f"{API}/start", json={"ticket_id": ticket.id, "set_no": set_no})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _count(runtime: Runtime, model: type[object]) -> int:
    with runtime.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_set_records_a_resident_from_call_to_complete_with_a_token(
    device: TestClient, web_runtime: Runtime
) -> None:
    check_in_invited(web_runtime, SUKARAMI)
    desk = device.post(f"{API}/next", json={"site_code": SUKARAMI, "set_no": 1}).json()
    assert desk["ticket_id"] is not None and desk["recording_id"] is None
    again = device.post(f"{API}/next", json={"site_code": SUKARAMI, "set_no": 1}).json()
    assert again["ticket_id"] == desk["ticket_id"]
    recording = device.post(f"{API}/start", json={"ticket_id": desk["ticket_id"], "set_no": 1})
    view = recording.json()
    assert view["status"] == "in_progress" and len(view["resident"]["nik"]) == 16
    assert view["missing"] == list(rules.MODALITIES)
    poor = _capture(device, view["id"], "r_thumb", 12).json()
    assert (poor["attempt"], poor["accepted"], poor["retakes_left"]) == (1, False, 3)
    for modality in rules.MODALITIES:
        answer = _capture(device, view["id"], modality, 88)
        assert answer.status_code == 201, answer.text
        assert answer.json()["accepted"]
    done = device.post(f"{API}/{view['id']}/complete")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["missing"] == []
    twice = device.post(f"{API}/{view['id']}/complete")
    assert twice.status_code == 200 and twice.json()["finished_at"] == done.json()["finished_at"]
    with web_runtime.transaction() as session:
        ticket = session.get(QueueTicket, desk["ticket_id"])
        assert ticket is not None and ticket.status == "recorded"
        invitation = session.get(Invitation, ticket.invitation_id)
        assert invitation is not None and invitation.status == "attended"
    assert len(audit_events(web_runtime, "recording.complete")) == 1
    assert len(audit_events(web_runtime, "recording.capture")) == 15
    after = device.post(f"{API}/next", json={"site_code": SUKARAMI, "set_no": 1}).json()
    assert after["ticket_id"] not in (None, desk["ticket_id"])


def test_a_retried_upload_returns_the_first_result_and_stores_nothing_new(
    device: TestClient, web_runtime: Runtime
) -> None:
    view = _started(device, web_runtime)
    first = _capture(device, view["id"], "l_index", 35, key="set1-42")
    again = _capture(device, view["id"], "l_index", 35, key="set1-42")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(web_runtime, Capture) == 1
    assert len(audit_events(web_runtime, "recording.capture")) == 1


def _refusals(recording_id: int) -> list[tuple[str, dict[str, Any], int, str]]:
    big = base64.b64encode(b"\0" * (rules.MAX_IMAGE_BYTES + 1)).decode()
    return [
        ("unknown modality", {"modality": "tongue"}, 422, "unknown modality 'tongue'"),
        ("quality too high", {"quality": 150}, 422, "quality 150 is outside 0-100"),
        ("quality negative", {"quality": -1}, 422, "quality -1 is outside 0-100"),
        ("not base64", {"template_b64": "@@not*base64@@"}, 422, "template_b64 is not valid base64"),
        ("image too large", {"modality": "photo", "image_b64": big}, 413, "at most 2097152"),
        ("missing field", {"template_b64": None}, 422, "template_b64"),
    ]


def test_bad_capture_payloads_get_a_4xx_with_a_plain_message_and_change_nothing(
    device: TestClient, web_runtime: Runtime
) -> None:
    view = _started(device, web_runtime)
    for name, change, status, message in _refusals(view["id"]):
        body: dict[str, Any] = {"modality": "r_thumb", "quality": 80, "template_b64": TEMPLATE_B64}
        body.update(change)
        body = {key: value for key, value in body.items() if value is not None}
        answer = device.post(
            f"{API}/{view['id']}/captures",
            json=body,
            headers={"Idempotency-Key": name.replace(" ", "-")},
        )
        assert answer.status_code == status, (name, answer.text[:300])
        assert message in answer.json()["detail"], name
        assert TEMPLATE_B64[:40] not in answer.text, f"{name}: the answer repeats the template"
    not_json = device.post(
        f"{API}/{view['id']}/captures",
        content=b"{oops",
        headers={"Content-Type": "application/json"},
    )
    assert (not_json.status_code, not_json.json()["detail"]) == (400, "the body is not valid JSON")
    as_form = device.post(f"{API}/{view['id']}/captures", data={"modality": "r_thumb"})
    assert as_form.status_code == 415
    unknown = _capture(device, 999_999, "r_thumb")
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "there is no recording 999999")
    assert _count(web_runtime, Capture) == 0


def test_a_finished_recording_refuses_captures_and_changes(
    device: TestClient, web_runtime: Runtime
) -> None:
    view = _started(device, web_runtime)
    failed = device.post(f"{API}/{view['id']}/fail", json={"reason": "alat macet"})
    assert failed.status_code == 200 and failed.json()["failure_reason"] == "alat macet"
    late = _capture(device, view["id"], "r_thumb")
    assert late.status_code == 409 and "is failed; it takes no captures" in late.json()["detail"]
    refused = device.post(f"{API}/{view['id']}/complete")
    assert refused.status_code == 409
    exception = device.post(
        f"{API}/{view['id']}/exceptions", json={"modality": "l_thumb", "reason": "x"}
    )
    assert exception.status_code == 409
    assert _count(web_runtime, Capture) == 0


def test_an_incomplete_recording_cannot_complete_and_an_exception_fills_the_gap(
    device: TestClient, web_runtime: Runtime
) -> None:
    view = _started(device, web_runtime)
    for modality in rules.MODALITIES[:-1]:
        _capture(device, view["id"], modality)
    refused = device.post(f"{API}/{view['id']}/complete")
    assert refused.status_code == 409 and "l_iris neither accepted nor excepted" in refused.text
    photo = device.post(f"{API}/{view['id']}/exceptions", json={"modality": "photo", "reason": "x"})
    assert photo.status_code == 422 and "photo cannot be excepted" in photo.json()["detail"]
    noted = device.post(
        f"{API}/{view['id']}/exceptions", json={"modality": "l_iris", "reason": "mata kiri buta"}
    )
    assert noted.status_code == 200
    iris = next(item for item in noted.json()["modalities"] if item["modality"] == "l_iris")
    assert (iris["status"], iris["exception"]) == ("excepted", "mata kiri buta")
    assert device.post(f"{API}/{view['id']}/complete").json()["status"] == "completed"


def test_another_kecamatan_s_operator_finds_no_recording_and_changes_nothing(
    device: TestClient, web_runtime: Runtime
) -> None:
    view = _started(device, web_runtime)
    other = {"Authorization": f"Bearer {token_for(web_runtime, 'camat-it2')}"}
    for answer in (
        device.get(f"{API}/{view['id']}", headers=other),
        device.post(f"{API}/{view['id']}/complete", headers=other),
        device.post(
            f"{API}/{view['id']}/captures",
            json={"modality": "r_thumb", "quality": 80, "template_b64": TEMPLATE_B64},
            headers=other,
        ),
        device.post(
            f"{API}/start", json={"ticket_id": view["ticket_id"], "set_no": 1}, headers=other
        ),
        device.get(f"{API}/desk", params={"site_code": SUKARAMI, "set_no": 1}, headers=other),
    ):
        assert answer.status_code == 404, answer.text
        assert "not in your area" in answer.json()["detail"]
    own_site = device.get(f"{API}/desk", params={"site_code": IT2, "set_no": 1}, headers=other)
    assert own_site.status_code == 200
    assert _count(web_runtime, Capture) == 0
    with web_runtime.transaction() as session:
        recording = session.get(Recording, view["id"])
        assert recording is not None and recording.status == "in_progress"


def test_roles_without_a_desk_and_strangers_are_refused(
    device: TestClient, web_runtime: Runtime
) -> None:
    view = _started(device, web_runtime)
    observer = {"Authorization": f"Bearer {token_for(web_runtime, 'pengamat')}"}
    assert device.get(f"{API}/{view['id']}", headers=observer).status_code == 403
    wrong = device.get(f"{API}/{view['id']}", headers={"Authorization": "Bearer ektp_nonsense"})
    assert (wrong.status_code, wrong.json()["detail"]) == (
        401,
        "the API token is unknown or revoked",
    )
    app = create_app(web_runtime.settings, runtime=web_runtime)
    with TestClient(app) as anonymous:
        assert anonymous.get(f"{API}/{view['id']}").status_code == 401


def test_the_operator_s_session_cookie_works_as_well_as_a_token(
    device: TestClient, web_runtime: Runtime
) -> None:
    view = _started(device, web_runtime)
    app = create_app(web_runtime.settings, runtime=web_runtime)
    with TestClient(app) as browser:
        logged = browser.post(
            "/api/v1/auth/login", json={"username": "camat", "password": PASSWORD}
        )
        assert logged.status_code == 200
        assert browser.get(f"{API}/{view['id']}").json()["status"] == "in_progress"


def test_nothing_biometric_comes_back_out_or_reaches_the_logs(
    device: TestClient, web_runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    view = _started(device, web_runtime)
    photo = base64.b64encode(b"JPEG-OF-SITI" * 50).decode()
    assert _capture(device, view["id"], "photo", 90, image_b64=photo).status_code == 201
    shown = device.get(f"{API}/{view['id']}").text
    assert TEMPLATE_B64[:40] not in shown and photo[:40] not in shown
    assert "template" not in shown and "image" not in shown
    for event in audit_events(web_runtime):
        assert TEMPLATE_B64[:40] not in (event.detail or "")
        assert photo[:40] not in (event.detail or "")
    bad = {"modality": "photo", "quality": 500, "template_b64": TEMPLATE_B64, "image_b64": photo}
    assert device.post(f"{API}/{view['id']}/captures", json=bad).status_code == 422
    logged = caplog.text
    assert TEMPLATE_B64[:40] not in logged and photo[:40] not in logged


def test_the_device_api_is_documented_with_examples(device: TestClient) -> None:
    spec = device.get("/api/v1/openapi.json").json()
    captures = spec["paths"]["/api/v1/recording/{recording_id}/captures"]["post"]
    body = captures["requestBody"]["content"]["application/json"]
    assert set(body["examples"]) == {"fingerprint", "photo"}
    assert "Idempotency-Key" in {parameter["name"] for parameter in captures["parameters"]}
    assert {"413", "422", "409", "404"} <= set(captures["responses"])
    for path in (
        "/start",
        "/{recording_id}/complete",
        "/{recording_id}/fail",
        "/{recording_id}/exceptions",
        "/next",
    ):
        assert "post" in spec["paths"][f"/api/v1/recording{path}"], path


def test_a_replay_s_clock_stamps_the_recording(web_runtime: Runtime) -> None:
    from ektp.recording import queue_api

    moment = dt.datetime(2011, 10, 3, 9, 15, tzinfo=dt.UTC)
    app = create_app(web_runtime.settings, runtime=web_runtime)
    app.dependency_overrides[queue_api.clock] = lambda: moment
    token = token_for(web_runtime, "camat")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        view = _started(client, web_runtime)
        for modality in rules.MODALITIES:
            _capture(client, view["id"], modality)
        done = client.post(f"{API}/{view['id']}/complete").json()
    assert dt.datetime.fromisoformat(view["started_at"]).replace(tzinfo=dt.UTC) == moment
    assert dt.datetime.fromisoformat(done["finished_at"]).replace(tzinfo=dt.UTC) == moment
    with web_runtime.transaction() as session:
        stamps = set(session.execute(select(Capture.created_at)).scalars())
    assert {stamp.replace(tzinfo=dt.UTC) for stamp in stamps} == {moment}

"""Logging in and out over HTTP: the session cookie, CSRF tokens, lock-out, the JSON login."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from ektp.auth.models import User
from ektp.runtime import Runtime
from tests.e2e.conftest import IN_TALANG_BETUTU, PASSWORD, audit_events, csrf_from, log_in


def test_a_page_without_login_sends_the_browser_to_the_login_form(client: TestClient) -> None:
    response = client.get("/wilayah/16.71?as_of=2011-10-01")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fwilayah%2F16.71%3Fas_of%3D2011-10-01"


def test_the_api_without_login_answers_401(client: TestClient) -> None:
    assert client.get("/api/v1/regions/16.71").status_code == 401
    assert client.get(f"/api/v1/residents/{IN_TALANG_BETUTU.nik}").status_code == 401


def test_logging_in_sets_an_httponly_lax_session_cookie_and_is_audited(
    client: TestClient, web_runtime: Runtime
) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/wilayah/16.71",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/wilayah/16.71"
    cookie = response.headers["set-cookie"].lower()
    assert "ektp_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/").status_code == 200
    [event] = audit_events(web_runtime, "auth.login")
    assert (event.username, event.client) == ("admin", "testclient")


def test_a_login_form_without_the_session_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert client.get("/").status_code == 303


def test_a_login_form_from_another_session_is_refused(
    client: TestClient, web_runtime: Runtime
) -> None:
    token = csrf_from(client.get("/login").text)
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_an_external_next_address_is_ignored(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


def test_a_wrong_password_shows_the_form_again(client: TestClient, web_runtime: Runtime) -> None:
    assert log_in(client, "admin", "wrong-password") == 401
    assert client.get("/").status_code == 303
    assert [e.username for e in audit_events(web_runtime, "auth.login_failed")] == ["admin"]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    client: TestClient, web_runtime: Runtime
) -> None:
    for _ in range(5):
        assert log_in(client, "lurah", "wrong-password") == 401
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "lurah", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 401
    assert "dikunci" in response.text
    api = client.post("/api/v1/auth/login", json={"username": "lurah", "password": PASSWORD})
    assert api.status_code == 423
    with web_runtime.transaction() as session:
        user = session.execute(select(User).where(User.username == "lurah")).scalar_one()
        assert user.locked_until is not None


def test_logging_out_needs_the_form_token_and_ends_the_session(client: TestClient) -> None:
    assert log_in(client, "camat") == 303
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/").status_code == 200
    token = csrf_from(client.get("/").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get("/").status_code == 303


def test_the_api_logs_in_and_out_with_the_session_cookie(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "camat", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json() == {
        "username": "camat",
        "full_name": "Pengguna camat",
        "role": "operator_kecamatan",
        "area_kode": "16.71.07",
    }
    assert client.get("/api/v1/auth/me").json()["username"] == "camat"
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    bad = client.post("/api/v1/auth/login", json={"username": "camat", "password": "x"})
    assert bad.status_code == 401


def test_the_api_login_takes_only_json_so_a_cross_site_form_cannot_post_it(
    client: TestClient,
) -> None:
    body = json.dumps({"username": "admin", "password": PASSWORD})
    response = client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "text/plain"}
    )
    assert response.status_code == 422
    assert client.get("/api/v1/auth/me").status_code == 401

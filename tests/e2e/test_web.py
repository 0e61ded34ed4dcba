"""The web application over HTTP (FastAPI TestClient on SQLite): login, roles, areas, audit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from ektp.auth import roles
from ektp.auth.models import AuditEvent, User
from ektp.cli import app as cli_app
from ektp.residents.eligibility import STATUS_KAWIN
from ektp.runtime import Runtime
from ektp.web import i18n
from tests.e2e.conftest import (
    IN_ILIR_10,
    IN_SUKAJAYA,
    IN_TALANG_BETUTU,
    PASSWORD,
    TALANG_BETUTU,
    csrf_from,
    log_in,
)

SEARCH_ERROR_KEYS = (
    "empty",
    "nik_too_short",
    "nik_too_long",
    "name_too_short",
    "bad_kelurahan",
    "bad_cursor",
)
PERSONAL_ROLES = ("admin", "camat", "lurah")
NO_PERSONAL_ROLES = ("pusat", "pengamat")


def _audit(runtime: Runtime, action: str | None = None) -> list[AuditEvent]:
    with runtime.transaction() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(session.execute(query).scalars())


# --- login, logout, CSRF, lock-out -----------------------------------------------------------


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
    [event] = _audit(web_runtime, "auth.login")
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
    assert [e.username for e in _audit(web_runtime, "auth.login_failed")] == ["admin"]


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


# --- region browser: counts for every role -------------------------------------------------


@pytest.mark.parametrize("username", [*PERSONAL_ROLES, *NO_PERSONAL_ROLES])
def test_every_role_browses_region_counts(client: TestClient, username: str) -> None:
    log_in(client, username)
    home = client.get("/")
    assert "KOTA PALEMBANG" in home.text
    kota = client.get("/wilayah/16.71?as_of=2011-10-01")
    assert kota.status_code == 200
    assert "Sukarami" in kota.text and 'href="/wilayah/16.71.07?as_of=2011-10-01"' in kota.text
    api = client.get("/api/v1/regions/16.71.07?as_of=2011-10-01")
    assert api.status_code == 200
    assert api.json()["residents"] == 36


def test_the_region_browser_drills_down_to_an_rt_with_counts(client: TestClient) -> None:
    log_in(client, "admin")
    kelurahan = client.get(f"/wilayah/{TALANG_BETUTU}")
    assert 'href="/wilayah/16.71.07.1002.RW003"' in kelurahan.text
    rw = client.get("/wilayah/16.71.07.1002.RW003")
    assert rw.status_code == 200
    assert 'href="/wilayah/16.71.07.1002.RW003.RT005"' in rw.text
    # Breadcrumbs lead back up through kelurahan, kecamatan and kota.
    for href in (
        'href="/wilayah/16.71"',
        'href="/wilayah/16.71.07"',
        f'href="/wilayah/{TALANG_BETUTU}"',
    ):
        assert href in rw.text
    rt = client.get("/wilayah/16.71.07.1002.RW003.RT005")
    assert "RT 005" in rt.text
    assert 'href="/penduduk?kelurahan=16.71.07.1002.RW003.RT005"' in rt.text


def test_the_as_of_date_changes_who_counts_as_wajib_ktp(client: TestClient) -> None:
    log_in(client, "pengamat")
    # RIZKY PRATAMA, unmarried, born 4 March 1999, turns 17 on 4 March 2016.
    before = client.get("/api/v1/regions/16.71.07.1002.RW001.RT001?as_of=2016-03-03").json()
    on = client.get("/api/v1/regions/16.71.07.1002.RW001.RT001?as_of=2016-03-04").json()
    assert on["wajib_ktp"] == before["wajib_ktp"] + 1
    assert on["residents"] == before["residents"]


def test_an_unknown_region_is_404_on_page_and_api(client: TestClient) -> None:
    log_in(client, "admin")
    assert client.get("/wilayah/16.99").status_code == 404
    assert client.get("/api/v1/regions/16.99").status_code == 404


# --- personal data: roles and areas ----------------------------------------------------------


@pytest.mark.parametrize("username", NO_PERSONAL_ROLES)
def test_roles_without_personal_data_get_403_on_every_person_route(
    client: TestClient, username: str, web_runtime: Runtime
) -> None:
    log_in(client, username)
    nik = IN_TALANG_BETUTU.nik
    for path in (
        "/penduduk",
        "/penduduk?q=SITI",
        f"/penduduk/{nik}",
        "/api/v1/residents?q=SITI",
        f"/api/v1/residents/{nik}",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert IN_TALANG_BETUTU.nama not in response.text
    assert "/penduduk" not in client.get("/").text
    assert _audit(web_runtime, "resident.search") == []


@pytest.mark.parametrize(
    ("username", "visible", "hidden"),
    [
        ("admin", {IN_TALANG_BETUTU, IN_ILIR_10, IN_SUKAJAYA}, set()),
        ("camat", {IN_TALANG_BETUTU, IN_SUKAJAYA}, {IN_ILIR_10}),
        ("lurah", {IN_TALANG_BETUTU}, {IN_ILIR_10, IN_SUKAJAYA}),
    ],
)
def test_staff_see_residents_of_their_area_and_never_another(
    client: TestClient, username: str, visible: set, hidden: set
) -> None:
    log_in(client, username)
    page = client.get("/penduduk", params={"q": "SITI AM"})
    listed = client.get("/api/v1/residents", params={"q": "SITI AM"}).json()["items"]
    niks = {item["nik"] for item in listed}
    for resident in visible:
        assert resident.nik in page.text
        assert resident.nik in niks
        assert client.get(f"/penduduk/{resident.nik}").status_code == 200
        assert client.get(f"/api/v1/residents/{resident.nik}").json()["nama"] == resident.nama
    for resident in hidden:
        assert resident.nik not in page.text
        assert resident.nik not in niks
        by_nik = client.get("/api/v1/residents", params={"q": resident.nik}).json()
        assert by_nik["items"] == []
        refused = client.get(f"/penduduk/{resident.nik}")
        assert refused.status_code == 404
        assert resident.nama not in refused.text
        assert client.get(f"/api/v1/residents/{resident.nik}").status_code == 404


def test_an_unknown_nik_and_another_areas_nik_look_the_same(client: TestClient) -> None:
    log_in(client, "lurah")
    unknown = client.get("/api/v1/residents/1671075705809999")
    elsewhere = client.get(f"/api/v1/residents/{IN_ILIR_10.nik}")
    assert (unknown.status_code, unknown.json()) == (elsewhere.status_code, elsewhere.json())


def test_every_search_and_record_view_is_audited_with_the_client(
    client: TestClient, web_runtime: Runtime
) -> None:
    log_in(client, "camat")
    client.get("/penduduk", params={"q": "siti am"})
    client.get("/api/v1/residents", params={"q": "BUDI", "kelurahan": TALANG_BETUTU})
    client.get(f"/penduduk/{IN_TALANG_BETUTU.nik}")
    client.get(f"/api/v1/residents/{IN_ILIR_10.nik}")
    searches = _audit(web_runtime, "resident.search")
    assert [(e.username, e.subject) for e in searches] == [("camat", "siti am"), ("camat", "BUDI")]
    assert '"hits": 2' in (searches[0].detail or "")
    [view] = _audit(web_runtime, "resident.view")
    assert (view.subject, view.client) == (IN_TALANG_BETUTU.nik, "testclient")
    [refused] = _audit(web_runtime, "resident.view_refused")
    assert refused.subject == IN_ILIR_10.nik


def test_person_pages_are_never_cached(client: TestClient) -> None:
    log_in(client, "admin")
    for path in (
        f"/penduduk/{IN_TALANG_BETUTU.nik}",
        "/penduduk?q=SITI",
        "/api/v1/residents?q=SITI",
    ):
        assert client.get(path).headers["cache-control"] == "no-store", path


# --- search page ----------------------------------------------------------------------------


def test_search_results_show_nik_name_sex_birth_date_kelurahan_and_rt_rw(
    client: TestClient,
) -> None:
    log_in(client, "admin")
    html = client.get("/penduduk", params={"q": IN_TALANG_BETUTU.nik}).text
    row = html[html.index('id="results-body"') :]
    assert IN_TALANG_BETUTU.nik in row[:800]
    for shown in ("SITI AMINAH", "Perempuan", "17 Mei 1980", "Talang Betutu", "005/003"):
        assert shown in row[:800], shown


def test_the_next_page_link_continues_where_the_page_ended(client: TestClient) -> None:
    log_in(client, "admin")
    first = client.get("/penduduk", params={"q": "BUDI"})
    names = re.findall(r"<td>(BUDI \d\d)</td>", first.text)
    assert names == [f"BUDI {n:02d}" for n in range(20)]
    link = re.search(r'class="more">\s*<td colspan="6"><a href="([^"]+)"', first.text)
    assert link is not None
    rows = client.get(link.group(1).replace("&amp;", "&") + "&rows=1")
    assert "<html" not in rows.text
    assert re.findall(r"<td>(BUDI \d\d)</td>", rows.text) == [
        f"BUDI {n:02d}" for n in range(20, 30)
    ]
    assert 'class="more"' not in rows.text


def test_a_too_short_nik_explains_itself(client: TestClient) -> None:
    log_in(client, "admin")
    response = client.get("/penduduk", params={"q": "1671"})
    assert response.status_code == 400
    assert "minimal 6 digit" in response.text


def test_the_kelurahan_choice_lists_only_the_users_area(client: TestClient) -> None:
    log_in(client, "camat")
    html = client.get("/penduduk").text
    assert f'value="{TALANG_BETUTU}"' in html
    assert f'value="{IN_ILIR_10.kode_kelurahan}"' not in html


def test_the_region_browsers_rt_link_lists_the_residents_of_that_rt(client: TestClient) -> None:
    log_in(client, "lurah")
    html = client.get("/penduduk", params={"kelurahan": "16.71.07.1002.RW003.RT005"}).text
    assert re.findall(r"<td>([A-Z][A-Z ]+)</td>", html) == ["SITI AMINAH", "SITI BADRIAH"]
    assert "Talang Betutu, RW 003, RT 005" in html


def test_within_a_kelurahan_a_part_of_the_name_is_enough(client: TestClient) -> None:
    log_in(client, "lurah")
    html = client.get("/penduduk", params={"q": "AMBAR", "kelurahan": TALANG_BETUTU}).text
    assert "NUR SITI AMBARWATI" in html


# --- audit log page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"), [("admin", 200), ("camat", 403), ("pengamat", 403)]
)
def test_only_the_city_admin_reads_the_audit_log(
    client: TestClient, username: str, status: int
) -> None:
    log_in(client, username)
    client.get(f"/penduduk/{IN_TALANG_BETUTU.nik}")
    response = client.get("/audit", params={"action": "auth.login"})
    assert response.status_code == status
    if status == 200:
        assert "auth.login" in response.text


# --- language, headers, assets ---------------------------------------------------------------


def test_pages_are_in_indonesian_until_english_is_chosen_and_remembered(client: TestClient) -> None:
    assert "Kata sandi" in client.get("/login").text
    english = client.get("/login?lang=en")
    assert "Password" in english.text and "Kata sandi" not in english.text
    assert "ektp_lang=en" in english.headers["set-cookie"]
    assert "Password" in client.get("/login").text
    assert "Kata sandi" in client.get("/login?lang=id").text


def test_every_label_in_the_templates_has_both_languages() -> None:
    templates = Path(__file__).parents[2] / "src" / "ektp" / "web" / "templates"
    used = set()
    for template in templates.rglob("*.html"):
        used |= set(re.findall(r"t\('([a-z0-9_.]+)'", template.read_text()))
    assert used, "no labels found: has the t('...') convention changed?"
    # Keys built from data: t('role.' ~ user.role) and the like.
    used = {key for key in used if not key.endswith((".", "_"))}
    used |= {f"role.{role}" for role in roles.ROLES}
    used |= {f"sex.{sex}" for sex in "LP"}
    used |= {f"kawin.{status}" for status in STATUS_KAWIN}
    levels = ("provinsi", "kabupaten_kota", "kecamatan", "kelurahan", "rw", "rt")
    used |= {f"level.{level}" for level in levels}
    used |= {f"region.children_{level}" for level in levels[1:]}
    used |= {f"search.error.{key}" for key in SEARCH_ERROR_KEYS}
    for key in used:
        assert key in i18n.MESSAGES, key
        assert all(i18n.MESSAGES[key]), key


def test_pages_load_scripts_only_from_this_server(client: TestClient) -> None:
    html = client.get("/login").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith(("/", "#")) for source in sources)
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:200]


def test_the_openapi_document_lists_the_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/regions/{kode}",
        "/api/v1/residents",
        "/api/v1/residents/{nik}",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
    ):
        assert path in paths
    assert client.get("/docs").status_code == 200


# --- ektp users create -----------------------------------------------------------------------


def test_users_create_makes_an_account_that_can_log_in(
    client: TestClient, web_database_url: str
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli_app,
        [
            "--db",
            web_database_url,
            "users",
            "create",
            "--username",
            "lurah.duku",
            "--role",
            "petugas_kelurahan",
            "--area",
            "1671061011",
            "--full-name",
            "Lurah Duku",
        ],
        input="rahasia-duku\nrahasia-duku\n",
    )
    assert result.exit_code == 0, result.output
    assert "created lurah.duku (petugas_kelurahan, area 16.71.06.1011)" in result.output
    assert log_in(client, "lurah.duku", "rahasia-duku") == 303


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "operator_kecamatan"], "needs an area"),
        (["--role", "operator_kecamatan", "--area", "16.71.07.1002"], "needs a kecamatan"),
        (["--role", "raja"], "unknown role"),
    ],
)
def test_users_create_refuses_a_wrong_role_or_area(
    web_database_url: str, arguments: list[str], message: str
) -> None:
    result = CliRunner().invoke(
        cli_app,
        [
            "--db",
            web_database_url,
            "users",
            "create",
            "--username",
            "baru",
            "--password",
            "rahasia-baru",
            *arguments,
        ],
    )
    assert result.exit_code == 2
    assert message in result.output


def test_users_create_gives_a_city_admin_the_only_loaded_city(
    web_database_url: str, web_runtime: Runtime
) -> None:
    result = CliRunner().invoke(
        cli_app,
        [
            "--db",
            web_database_url,
            "users",
            "create",
            "--username",
            "kadis",
            "--role",
            "admin_kota",
            "--password",
            "rahasia-kadis",
        ],
    )
    assert result.exit_code == 0, result.output
    with web_runtime.transaction() as session:
        user = session.execute(select(User).where(User.username == "kadis")).scalar_one()
        assert user.area_kode == "16.71"

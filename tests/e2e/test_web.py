"""The web pages over HTTP (TestClient on SQLite): region browser, search, languages, assets.

Also ``ektp users create``. Logging in is tested in ``test_web_auth``; who may see what, and
the audit of it, in ``test_web_access``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from ektp.auth import roles
from ektp.auth.models import User
from ektp.cli import app as cli_app
from ektp.residents.eligibility import STATUS_KAWIN
from ektp.runtime import Runtime
from ektp.web import i18n
from tests.e2e.conftest import IN_ILIR_10, IN_TALANG_BETUTU, TALANG_BETUTU, log_in

SEARCH_ERROR_KEYS = (
    "empty",
    "nik_too_short",
    "nik_too_long",
    "name_too_short",
    "bad_kelurahan",
    "bad_cursor",
)


# --- region browser -------------------------------------------------------------------------


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


# --- language, headers, assets --------------------------------------------------------------


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


# --- ektp users create ----------------------------------------------------------------------


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

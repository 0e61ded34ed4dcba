"""Who may see what over HTTP: every role on every route, residents only in the user's area.

Person routes are audited; only the city admin reads the audit log.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ektp.runtime import Runtime
from tests.e2e.conftest import (
    IN_ILIR_10,
    IN_SUKAJAYA,
    IN_TALANG_BETUTU,
    TALANG_BETUTU,
    audit_events,
    log_in,
)

PERSONAL_ROLES = ("admin", "camat", "lurah")
NO_PERSONAL_ROLES = ("pusat", "pengamat")


# --- region counts: every role --------------------------------------------------------------


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


# --- personal data: roles and areas ---------------------------------------------------------


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
    assert audit_events(web_runtime, "resident.search") == []


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
    searches = audit_events(web_runtime, "resident.search")
    assert [(e.username, e.subject) for e in searches] == [("camat", "siti am"), ("camat", "BUDI")]
    assert '"hits": 2' in (searches[0].detail or "")
    [view] = audit_events(web_runtime, "resident.view")
    assert (view.subject, view.client) == (IN_TALANG_BETUTU.nik, "testclient")
    [refused] = audit_events(web_runtime, "resident.view_refused")
    assert refused.subject == IN_ILIR_10.nik


def test_person_pages_are_never_cached(client: TestClient) -> None:
    log_in(client, "admin")
    for path in (
        f"/penduduk/{IN_TALANG_BETUTU.nik}",
        "/penduduk?q=SITI",
        "/api/v1/residents?q=SITI",
    ):
        assert client.get(path).headers["cache-control"] == "no-store", path


# --- audit log page -------------------------------------------------------------------------


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

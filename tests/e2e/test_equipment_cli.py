"""``ektp plan equipment`` and ``ektp simulate`` end to end, and the /perencanaan-alat page, on
the small city with the shipped Palembang campaign (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ektp.cli import app
from tests.e2e.conftest import log_in

RUNNER = CliRunner()
KEYS = {
    "kode_kecamatan",
    "remaining",
    "sets_now",
    "sets_needed",
    "per_set_capacity_until_deadline",
    "finish_now",
    "finish_with_needed",
}
IT2 = "16.71.06"
# Palembang's campaign from Monday 3 October: 64 open days of 204 bookable turns a set.
PER_SET_UNTIL_DEADLINE = 64 * 204


def ektp(url: str, *arguments: str) -> tuple[int, str, str]:
    """Run ``ektp --db url arguments``; return the exit code, stdout and stderr."""
    result = RUNNER.invoke(app, ["--db", url, *arguments])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def campaign_url(web_database_url: str) -> str:
    assert ektp(web_database_url, "campaign", "create", "--scenario", "palembang-2011")[0] == 0
    return web_database_url


def test_plan_equipment_json_gives_one_object_per_kecamatan_with_the_reasoning(
    campaign_url: str,
) -> None:
    code, out, err = ektp(campaign_url, "plan", "equipment", "--deadline", "2011-12-31", "--json")
    assert code == 0, err
    objects = json.loads(out)
    assert len(objects) == 16
    assert all(set(found) >= KEYS for found in objects)
    it2 = next(found for found in objects if found["kode_kecamatan"] == IT2)
    assert it2["sets_now"] == 3
    assert it2["per_set_capacity_until_deadline"] == PER_SET_UNTIL_DEADLINE
    assert it2["sets_needed"] == -(-it2["remaining"] // PER_SET_UNTIL_DEADLINE)


def test_a_budget_and_a_what_if_come_back_in_the_same_objects(campaign_url: str) -> None:
    code, out, err = ektp(
        campaign_url, "plan", "equipment", "--budget", "3", "--saturday", "--json"
    )
    assert code == 0, err
    objects = json.loads(out)
    assert sum(found["sets_given"] for found in objects) <= 3
    assert all("finish_with_budget" in found and "what_if" in found for found in objects)
    code, out, _ = ektp(campaign_url, "plan", "equipment", "--budget", "3")
    assert code == 0 and "budget of 3" in out and "ceil(remaining" in out
    assert "reserve EXCLUDED" in out


def test_a_bad_move_is_refused_with_the_reason(campaign_url: str) -> None:
    code, _, err = ektp(campaign_url, "plan", "equipment", "--move", "16.71.06")
    assert code == 1 and "FROM:TO" in err
    code, _, err = ektp(campaign_url, "plan", "equipment", "--move", "16.71.99:16.71.06")
    assert code == 1 and "no site in kecamatan 16.71.99" in err


def test_simulate_prints_each_day_by_hour_as_json(campaign_url: str) -> None:
    code, out, err = ektp(campaign_url, "simulate", "--site", IT2, "--days", "2", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert found["sets"] == 3 and len(found["days"]) == 2
    hours = [hour["hour"] for hour in found["days"][0]["hours"]]
    assert hours[0] == 8 and 19 in hours
    again = json.loads(ektp(campaign_url, "simulate", "--site", IT2, "--days", "2", "--json")[1])
    assert again == found


def test_the_page_shows_the_table_budget_what_if_and_simulation_to_the_observer(
    client: TestClient, campaign_url: str
) -> None:
    assert log_in(client, "pengamat") in (200, 303)
    page = client.get("/perencanaan-alat?anggaran=4&sabtu=ya&lokasi=16.71.06")
    assert page.status_code == 200
    html = page.text
    assert 'data-kecamatan="16.71.06"' in html and "data-budget" in html
    assert "data-what-if" in html and "data-simulation" in html
    assert "equipment-chart-data" in html and "/static/vendor/chart.umd.min.js" in html
    assert f"{PER_SET_UNTIL_DEADLINE:,}".replace(",", ".") in html
    # Which capacity it is, since the Sekda report's forecast counts the reserve too.
    assert "(tanpa cadangan)" in html and "termasuk cadangan" in html
    english = client.get("/perencanaan-alat?lang=en").text
    assert "(reserve excluded)" in english and "reserve included" in english
    export = client.get("/perencanaan-alat.csv")
    assert export.status_code == 200 and "per_set_capacity_until_deadline" in export.text
    assert client.get("/perencanaan-alat?menit=x").status_code == 400


def test_an_operator_may_not_open_the_page(client: TestClient, campaign_url: str) -> None:
    assert log_in(client, "camat") in (200, 303)
    assert client.get("/perencanaan-alat").status_code == 403
    assert client.get("/api/v1/planning/equipment").status_code == 403


TWO_SITES = """
[campaign]
name = "Dua lokasi"
city = "16.71"
edition = "2016"
start = 2011-10-03
deadline = 2011-12-31
seed = 7
minutes_per_person = 3

[[campaign.sessions]]
name = "pagi"
start = "08:00"
end = "12:00"

[[sites]]
code = "IT2-KANTOR"
kecamatan = "16.71.06"
name = "Kantor Camat Ilir Timur II"
sets = 2
kelurahan = ["16.71.06.1001"]

[[sites]]
code = "IT2-PASAR"
kecamatan = "16.71.06"
name = "Balai Pasar 16 Ilir"
sets = 1
"""


def test_the_simulation_offers_the_sites_by_their_own_codes(
    client: TestClient, web_database_url: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "dua.toml"
    scenario.write_text(TWO_SITES, encoding="utf-8")
    assert ektp(web_database_url, "campaign", "create", "--scenario", str(scenario))[0] == 0
    assert log_in(client, "admin") in (200, 303)
    html = client.get("/perencanaan-alat").text
    assert 'value="IT2-KANTOR" selected' in html and 'value="IT2-PASAR"' in html
    assert "data-simulation" in html
    pasar = client.get("/perencanaan-alat?lokasi=IT2-PASAR").text
    assert "data-simulation" in pasar and 'value="IT2-PASAR" selected' in pasar

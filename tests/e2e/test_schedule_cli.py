"""The campaign commands end to end on SQLite: ``ektp campaign``, ``ektp schedule``,
``ektp sites``, as an operator types them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ektp.cli import app
from ektp.runtime import Runtime
from ektp.scheduling.models import Invitation
from ektp.scheduling.queries import EXPORT_HEADER
from ektp.scheduling.schemas import REPORT_KEYS
from ektp.settings import Settings

RUNNER = CliRunner()


def ektp(url: str, *arguments: str) -> tuple[int, str, str]:
    """Run ``ektp --db url arguments``; return the exit code, stdout and stderr."""
    result = RUNNER.invoke(app, ["--db", url, *arguments])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def planned_url(web_database_url: str) -> str:
    """Return the URL of the small city with the shipped Palembang campaign planned."""
    assert ektp(web_database_url, "campaign", "create", "--scenario", "palembang-2011")[0] == 0
    assert ektp(web_database_url, "schedule", "plan")[0] == 0
    return web_database_url


def test_plan_json_gives_one_line_per_kecamatan_with_exactly_the_agreed_keys(
    web_database_url: str,
) -> None:
    code, out, _ = ektp(web_database_url, "campaign", "create", "--scenario", "palembang-2011")
    assert code == 0 and "16 sites, 33 sets" in out
    code, out, _ = ektp(web_database_url, "schedule", "plan", "--json")
    assert code == 0
    lines = json.loads(out)
    assert len(lines) == 16
    assert all(tuple(line) == REPORT_KEYS for line in lines)
    it2 = next(line for line in lines if line["kode_kecamatan"] == "16.71.06")
    assert (it2["nama"], it2["sets"], it2["daily_capacity"]) == ("Ilir Timur II", 3, 660)
    sukarami = next(line for line in lines if line["kode_kecamatan"] == "16.71.07")
    # 35 wajib KTP in Sukarami (one resident is 11 years old), all on the first day.
    assert (sukarami["residents"], sukarami["first_day"], sukarami["last_day"]) == (
        35,
        "2011-10-03",
        "2011-10-03",
    )
    assert sukarami["deadline_met"] is True and sukarami["extra_sets_needed"] == 0


def test_planning_before_a_campaign_exists_says_how_to_create_one(
    web_database_url: str,
) -> None:
    code, _, err = ektp(web_database_url, "schedule", "plan")
    assert code == 1
    assert "ektp campaign create --scenario palembang-2011" in err


def test_a_campaign_for_a_city_whose_regions_are_not_loaded_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert ektp(url, "init")[0] == 0
    code, _, err = ektp(url, "campaign", "create", "--scenario", "palembang-2011")
    assert code == 1 and "ektp regions load --city 16.71 --edition 2016" in err
    code, _, err = ektp(url, "campaign", "create", "--scenario", "no-such-city")
    assert code == 1 and "unknown scenario 'no-such-city'" in err


def test_export_writes_one_row_per_turn_under_the_agreed_header(
    planned_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "turns.csv"
    code, text, _ = ektp(planned_url, "schedule", "export", "--out", str(out))
    assert code == 0 and text.startswith("36 turns written")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == EXPORT_HEADER
    assert len(rows) == 37


def test_sets_added_then_a_replan_reports_the_turns_that_moved(planned_url: str) -> None:
    code, out, _ = ektp(
        planned_url,
        "sites", "change", "--site", "16.71.06", "--date", "2011-10-03",
        "--change", "+1", "--reason", "added", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["sets_after"] == 4
    code, out, _ = ektp(planned_url, "schedule", "replan", "--day", "2011-10-03", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["freeze_until"] == "2011-10-10"
    assert result["moved"] == [] and len(result["reports"]) == 16
    code, out, _ = ektp(planned_url, "sites", "show", "--date", "2011-10-03", "--json")
    assert {site["code"]: site["sets"] for site in json.loads(out)}["16.71.06"] == 4


def test_a_broken_set_beyond_what_a_site_has_is_refused(planned_url: str) -> None:
    code, _, err = ektp(
        planned_url,
        "sites", "change", "--site", "16.71.01", "--date", "2011-10-03",
        "--change", "-3", "--reason", "broken",
    )  # fmt: skip
    assert code == 1 and "fewer than zero sets" in err


def test_closing_a_session_then_moving_and_attending_a_turn(planned_url: str) -> None:
    code, out, _ = ektp(
        planned_url,
        "schedule", "close-session", "--site", "16.71.07", "--date", "2011-10-03",
        "--session", "pagi", "--json",
    )  # fmt: skip
    assert code == 0
    closed = json.loads(out)
    assert closed["missed"] == 35 and len(closed["reinvited"]) == 35
    assert {turn["session"] for turn in closed["reinvited"]} == {"malam"}
    runtime = Runtime(Settings(database_url=planned_url, secret_key="x"))
    try:
        with runtime.transaction() as session:
            turn_id = session.execute(
                select(Invitation.id)
                .where(Invitation.status == "planned", Invitation.site_code == "16.71.07")
                .limit(1)
            ).scalar_one()
    finally:
        runtime.dispose()
    code, _, err = ektp(
        planned_url,
        "schedule", "move", "--invitation", str(turn_id), "--to-date", "2011-10-08",
        "--to-session", "pagi",
    )  # fmt: skip
    assert code == 1 and "closed day" in err  # a Saturday
    code, out, err = ektp(
        planned_url,
        "schedule", "move", "--invitation", str(turn_id), "--to-date", "2011-10-10",
        "--to-session", "pagi", "--json",
    )  # fmt: skip
    assert code == 0, err
    moved = json.loads(out)
    assert (moved["date"], moved["session"], moved["start_time"]) == (
        "2011-10-10",
        "pagi",
        "08:00:00",
    )
    code, _, err = ektp(
        planned_url,
        "schedule", "attended", "--invitation", str(moved["invitation_id"]), "--code", "AAAAAA",
    )  # fmt: skip
    assert code == 1 and "does not match" in err
    code, out, _ = ektp(
        planned_url,
        "schedule", "attended", "--invitation", str(moved["invitation_id"]),
        "--code", moved["attendance_code"],
    )  # fmt: skip
    assert code == 0 and "attended" in out


def test_the_demo_city_answers_which_kecamatan_finish_by_the_deadline(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    # The demo creates the palembang-2011 campaign and plans it.
    assert ektp(url, "demo", "--no-serve", "--scale", "0.01")[0] == 0
    code, out, _ = ektp(url, "schedule", "report", "--json")
    assert code == 0
    lines = {line["kode_kecamatan"]: line for line in json.loads(out)}
    assert len(lines) == 16
    it2 = lines["16.71.06"]
    # 1 % of 138,000 wajib KTP in Ilir Timur II; 612 bookable turns a day (see the hand
    # calculation in tests/integration/test_schedule_plan.py): 1,380 <= 3 * 612.
    assert (it2["residents"], it2["lower_bound_last_day"]) == (1380, "2011-10-05")
    assert all(line["deadline_met"] for line in lines.values())
    # Everyone already holds a turn: planning again changes nothing.
    code, out, _ = ektp(url, "schedule", "plan", "--json")
    assert code == 0
    assert json.loads(out) == list(lines.values())

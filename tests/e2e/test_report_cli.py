"""``ektp report`` end to end on SQLite: a Monday at Sukarami worked through the door and the
desk services, closed with ``ektp report close``, read back with ``ektp report daily``.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ektp.cli import app
from ektp.recording import capture_rules as rules
from ektp.recording import checkin, desk
from ektp.recording.crypto import BiometricCipher, new_key, parse_key
from ektp.runtime import Runtime
from ektp.scheduling.models import Invitation
from ektp.settings import Settings

RUNNER = CliRunner()
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
MONDAY = dt.date(2011, 10, 3)
SUKARAMI = "16.71.07"
KEYS = [
    "date",
    "kode_kecamatan",
    "recorded",
    "failed",
    "walk_ins",
    "missed",
    "target",
    "sets_working",
]


def ektp(url: str, *arguments: str) -> tuple[int, str, str]:
    """Run ``ektp --db url arguments``; return the exit code, stdout and stderr."""
    result = RUNNER.invoke(app, ["--db", url, *arguments])
    return result.exit_code, result.stdout, result.stderr


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


def record_morning(url: str, people: int) -> None:
    """Check in the first ``people`` invited to Sukarami's Monday pagi by their letters' QR
    codes and record each at set 1, four minutes apiece from 08:00."""
    runtime = Runtime(Settings(database_url=url, secret_key="t"))
    cipher = BiometricCipher(parse_key(new_key()))
    try:
        with runtime.transaction() as session:
            turns = session.execute(
                select(Invitation.id, Invitation.attendance_code)
                .where(
                    Invitation.site_code == SUKARAMI,
                    Invitation.tanggal == MONDAY,
                    Invitation.session == "pagi",
                )
                .order_by(Invitation.id)
                .limit(people)
            ).all()
        for number, (invitation_id, code) in enumerate(turns):
            start = at(8, 4 * number)
            with runtime.transaction() as session:
                checkin.check_in(
                    session=session,
                    site_code=SUKARAMI,
                    now=start,
                    by="pintu",
                    qr=f"EKTP:{invitation_id}:{code}",
                )
                ticket = checkin.call_next(
                    session=session, site_code=SUKARAMI, set_no=1, now=start, by="meja"
                )
                assert ticket is not None
                recording = desk.start_recording(
                    session=session, ticket_id=ticket.id, set_no=1, now=start, by="meja"
                )
                for modality in rules.MODALITIES:
                    desk.add_capture(
                        session=session,
                        recording_id=recording.id,
                        modality=modality,
                        quality=90,
                        template=b"t" * 64,
                        image=None,
                        idempotency_key=None,
                        now=start,
                        cipher=cipher,
                    )
                desk.complete_recording(
                    session=session,
                    recording_id=recording.id,
                    now=start + dt.timedelta(minutes=3),
                    by="meja",
                )
    finally:
        runtime.dispose()


@pytest.fixture
def closed_url(web_database_url: str) -> str:
    """Return the small city with the shipped campaign planned and Sukarami's Monday worked."""
    assert ektp(web_database_url, "campaign", "create", "--scenario", "palembang-2011")[0] == 0
    assert ektp(web_database_url, "schedule", "plan")[0] == 0
    record_morning(web_database_url, 3)
    return web_database_url


def test_before_any_closing_the_daily_report_is_an_empty_list(web_database_url: str) -> None:
    assert ektp(web_database_url, "campaign", "create", "--scenario", "palembang-2011")[0] == 0
    code, out, _ = ektp(web_database_url, "report", "daily", "--json")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = ektp(web_database_url, "report", "daily")
    assert code == 0 and "no day is closed yet" in out


def test_closing_a_day_then_reading_it_gives_one_line_with_exactly_the_agreed_keys(
    closed_url: str,
) -> None:
    code, out, err = ektp(
        closed_url, "report", "close", "--site", SUKARAMI, "--date", MONDAY.isoformat(), "--json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [row["session"] for row in rows] == ["pagi", "siang", "malam", "hari"]
    pagi, day = rows[0], rows[-1]
    assert (pagi["recorded"], pagi["mean_minutes"]) == (3, 3.0)
    # Set 1 was busy 3 x 3 minutes of the 240-minute pagi; set 2 stayed idle.
    assert [s["idle_minutes"] for s in pagi["per_set"]] == [240 - 9, 240]
    code, out, _ = ektp(closed_url, "report", "daily", "--json")
    assert code == 0
    [line] = json.loads(out)
    assert list(line) == KEYS
    assert line["date"] == MONDAY.isoformat()
    assert (line["kode_kecamatan"], line["recorded"], line["failed"]) == (SUKARAMI, 3, 0)
    assert (line["walk_ins"], line["target"], line["sets_working"]) == (0, 300, 2)
    assert line["missed"] == day["missed"] > 0
    assert json.loads(ektp(closed_url, "report", "daily", "--date", "2011-10-03", "--json")[1]) == [
        line
    ]
    assert (
        json.loads(ektp(closed_url, "report", "daily", "--date", "2011-10-04", "--json")[1]) == []
    )


def test_closing_again_prints_the_same_frozen_figures(closed_url: str) -> None:
    arguments = ("report", "close", "--site", SUKARAMI, "--date", MONDAY.isoformat(), "--json")
    first = json.loads(ektp(closed_url, *arguments)[1])
    code, out, _ = ektp(closed_url, *arguments)
    assert code == 0 and json.loads(out) == first


def test_the_text_report_marks_a_kecamatan_below_its_target(closed_url: str) -> None:
    assert ektp(closed_url, "report", "close", "--site", SUKARAMI, "--date", "2011-10-03")[0] == 0
    code, out, _ = ektp(closed_url, "report", "daily")
    assert code == 0
    assert "daily report of 2011-10-03" in out
    sukarami = next(line for line in out.splitlines() if line.startswith(SUKARAMI))
    assert "Sukarami" in sukarami and "below target" in sukarami
    assert "1 of 1 kecamatan below target" in out


def test_bad_input_is_refused_with_a_clear_message(closed_url: str) -> None:
    code, _, err = ektp(closed_url, "report", "daily", "--date", "3 Oktober")
    assert code != 0 and "is not a date like 2011-10-03" in err
    code, _, err = ektp(closed_url, "report", "close", "--site", "16.71.99", "--date", "2011-10-03")
    assert code == 1 and "no site '16.71.99'" in err
    code, _, err = ektp(closed_url, "report", "close", "--site", SUKARAMI, "--date", "2011-10-09")
    assert code == 1 and "no session on 2011-10-09" in err

"""``ektp devices simulate`` against a live server: a simulated set records the residents
waiting at its site through the device API, and a person's templates stay recognisable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ektp.cli import app
from ektp.recording import simulator
from ektp.recording.crypto import capture_context, cipher_from_settings
from ektp.recording.models import Capture, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from tests.e2e.desk_city import SUKARAMI, build_planned, check_in_invited, copy_of, token_for


@pytest.fixture(scope="module")
def planned(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the planned small city, built once for the module."""
    return build_planned(web_template, tmp_path_factory.mktemp("simulate"))


@pytest.fixture
def web_runtime(planned: Path, tmp_path: Path) -> Iterator[Runtime]:
    """Yield a runtime on this test's copy of the planned city (the live server uses it)."""
    runtime = copy_of(planned, tmp_path)
    try:
        yield runtime
    finally:
        runtime.dispose()


def _agreement(first: bytes, second: bytes) -> float:
    same = sum(8 - bin(a ^ b).count("1") for a, b in zip(first, second, strict=True))
    return same / (8 * len(first))


def test_a_simulated_set_with_a_cli_token_records_the_waiting_residents(
    live_server: str, web_runtime: Runtime
) -> None:
    tickets = check_in_invited(web_runtime, SUKARAMI)
    assert len(tickets) >= 3
    made = CliRunner().invoke(
        app,
        ["--db", web_runtime.settings.database_url, "users", "token", "--username", "camat",
         "--name", "simulated set 1"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    assert token.startswith("ektp_")
    result = CliRunner().invoke(
        app,
        [
            "devices", "simulate", "--url", live_server, "--token", token, "--site", SUKARAMI,
            "--set", "1", "--people", "3", "--speed", "2000", "--idle-timeout", "1",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "set 1 at 16.71.07:" in result.output
    assert token not in result.output
    with web_runtime.transaction() as session:
        recordings = list(session.execute(select(Recording).order_by(Recording.id)).scalars())
        assert len(recordings) == 3
        assert {r.status for r in recordings} <= {"completed", "failed"}
        assert all(r.set_no == 1 and r.operator == "camat" for r in recordings)
        statuses = {
            ticket.status
            for ticket in session.execute(
                select(QueueTicket).where(QueueTicket.id.in_([r.ticket_id for r in recordings]))
            ).scalars()
        }
        assert statuses <= {"recorded", "failed"}
        first = recordings[0]
        nik = session.get(Resident, first.resident_id).nik  # type: ignore[union-attr]
        other_nik = session.get(Resident, recordings[1].resident_id).nik  # type: ignore[union-attr]
        photo = (
            session.execute(
                select(Capture)
                .where(Capture.recording_id == first.id, Capture.modality == "photo")
                .order_by(Capture.attempt.desc())
            )
            .scalars()
            .first()
        )
        assert photo is not None
    cipher = cipher_from_settings(web_runtime.settings)
    template = cipher.decrypt(
        photo.template_encrypted, capture_context(first.id, "photo", photo.attempt, "template")
    )
    assert _agreement(template, simulator.stable_template(nik, "photo")) > 0.98
    assert _agreement(template, simulator.stable_template(other_nik, "photo")) < 0.6


def test_a_simulated_set_stops_when_nobody_waits(live_server: str, web_runtime: Runtime) -> None:
    token = token_for(web_runtime, "camat")
    result = CliRunner().invoke(
        app,
        [
            "devices", "simulate", "--url", live_server, "--token", token, "--site", SUKARAMI,
            "--set", "2", "--speed", "1000", "--idle-timeout", "0.2",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0 recorded, 0 failed" in result.output


def test_a_refused_token_ends_the_simulation_with_the_server_s_reason(live_server: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "devices", "simulate", "--url", live_server, "--token", "ektp_wrong", "--site",
            SUKARAMI, "--set", "1", "--idle-timeout", "0",
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "the API token is unknown or revoked" in result.output


def test_a_token_for_an_unknown_user_is_refused(web_runtime: Runtime) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", web_runtime.settings.database_url, "users", "token", "--username", "nobody",
         "--name", "set 1"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no user named 'nobody'" in result.output

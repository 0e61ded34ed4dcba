"""``ektp batches send`` and ``ektp pusat receive --json`` end to end on an SQLite file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ektp.cards import recorded_city
from ektp.cli import app
from ektp.recording.crypto import new_key
from ektp.runtime import Runtime
from ektp.settings import Settings
from ektp.storage.migrate import upgrade

DAY = dt.date(2011, 10, 3)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EKTP_BIOMETRIC_KEY", new_key())
    url = f"sqlite:///{tmp_path / 'ektp.sqlite3'}"
    runtime = Runtime(Settings(database_url=url, secret_key="t"))
    upgrade(runtime.engine)
    with runtime.transaction() as session:
        recorded_city.build(
            session=session,
            kecamatan=["16.71.06"],
            per_kecamatan=4,
            tanggal=DAY,
            at=dt.datetime(2011, 10, 3, 9, tzinfo=dt.UTC),
            modalities=("photo",),
            template_bytes=32,
        )
    runtime.dispose()
    return url


def _receive(db: str, path: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["--db", db, "pusat", "receive", str(path), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_batch_sent_then_received_once_then_as_a_duplicate(db: str, tmp_path: Path) -> None:
    out = tmp_path / "batch.zip"
    sent = CliRunner().invoke(
        app, ["--db", db, "batches", "send", "--kecamatan", "16.71.06", "--date", "2011-10-03",
              "--out", str(out)],
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    assert "4 records" in sent.stdout and out.exists()
    code, answer = _receive(db, out)
    assert code == 0 and answer["accepted"] is True and answer["records"] == 4
    assert answer["duplicate"] is False and set(answer) == {
        "accepted",
        "records",
        "reason",
        "duplicate",
    }
    code, answer = _receive(db, out)
    assert code == 0 and answer["duplicate"] is True and answer["accepted"] is True


def test_truncated_file_exits_1_with_the_reason(db: str, tmp_path: Path) -> None:
    out = tmp_path / "batch.zip"
    CliRunner().invoke(
        app, ["--db", db, "batches", "send", "--kecamatan", "16.71.06", "--out", str(out)]
    )
    cut = tmp_path / "cut.zip"
    cut.write_bytes(out.read_bytes()[:100])
    code, answer = _receive(db, cut)
    assert code == 1 and answer["accepted"] is False
    assert "not a complete package" in str(answer["reason"])


def test_sending_an_empty_kecamatan_exits_1(db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", db, "batches", "send", "--kecamatan", "16.71.07", "--out", str(tmp_path / "x")],
    )
    assert result.exit_code == 1 and "no recorded cards" in result.output

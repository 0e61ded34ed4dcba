"""``ektp residents import`` from the command line: JSON report and exit codes 0, 1 and 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from ektp.cli import app
from ektp.residents.models import ImportRun, Resident
from ektp.storage.engine import normalise_url

HEADER = (
    "nik;no_kk;nama;jenis_kelamin;tempat_lahir;tanggal_lahir;status_kawin;agama;pekerjaan;"
    "alamat;rt;rw;kode_kelurahan"
)
REPORT_KEYS = {"read", "imported", "updated", "rejected", "warnings", "rejects_file"}


def row(number: int, *, rt: str = "1") -> str:
    return (
        f"16710712058500{number:02d};16710701011000{number:02d};WARGA {number};L;PALEMBANG;"
        f"12-05-1985;KAWIN;ISLAM;PNS;JL. MERDEKA;{rt};2;16.71.07.1002"
    )


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "warga.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def invoke(database_url: str, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db", database_url, *arguments])
    return result.exit_code, result.stdout


@pytest.fixture
def loaded(database_url: str) -> str:
    code, output = invoke(database_url, "regions", "load", "--city", "16.71", "--edition", "2016")
    assert code == 0, output
    return database_url


def counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            residents = connection.execute(select(func.count()).select_from(Resident)).scalar()
            runs = connection.execute(select(func.count()).select_from(ImportRun)).scalar()
    finally:
        engine.dispose()
    return int(residents or 0), int(runs or 0)


def test_a_clean_file_exits_0_with_the_json_report(loaded: str, tmp_path: Path) -> None:
    code, output = invoke(
        loaded, "residents", "import", str(write(tmp_path, row(1), row(2))), "--json"
    )
    assert code == 0
    report = json.loads(output)
    assert set(report) == REPORT_KEYS
    assert report == {
        "read": 2,
        "imported": 2,
        "updated": 0,
        "rejected": 0,
        "warnings": 0,
        "rejects_file": None,
    }
    assert counts(loaded) == (2, 1)


def test_some_rejected_rows_exit_1_and_name_the_rejects_file(loaded: str, tmp_path: Path) -> None:
    path = write(tmp_path, row(1), row(2, rt="0"))
    code, output = invoke(loaded, "residents", "import", str(path), "--json")
    assert code == 1
    report = json.loads(output)
    assert (report["imported"], report["rejected"]) == (1, 1)
    assert report["rejects_file"] == str(tmp_path / "warga.rejects.csv")
    assert (tmp_path / "warga.rejects.csv").exists()


def test_every_row_rejected_exits_2_and_stores_no_resident(loaded: str, tmp_path: Path) -> None:
    path = write(tmp_path, row(1, rt="0"), row(2, rt="x"))
    code, output = invoke(loaded, "residents", "import", str(path), "--json")
    assert code == 2
    assert json.loads(output)["rejected"] == 2
    assert counts(loaded)[0] == 0


def test_an_unusable_file_exits_2_and_leaves_the_database_untouched(
    loaded: str, tmp_path: Path
) -> None:
    path = tmp_path / "warga.csv"
    path.write_text("nama;alamat\nSITI;JL. A\n", encoding="utf-8")
    code, output = invoke(loaded, "residents", "import", str(path), "--json")
    assert code == 2
    assert "required columns are missing" in json.loads(output)["error"]
    assert counts(loaded) == (0, 0)


def test_a_missing_file_exits_2_with_a_plain_message(loaded: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", loaded, "residents", "import", str(tmp_path / "tidak-ada.csv")]
    )
    assert result.exit_code == 2
    assert "file not found" in result.stderr
    assert counts(loaded) == (0, 0)


def test_the_text_report_names_the_counts_and_the_rejects_file(loaded: str, tmp_path: Path) -> None:
    rejects = tmp_path / "ditolak.csv"
    path = write(tmp_path, row(1), row(2, rt="0"))
    code, output = invoke(
        loaded, "residents", "import", str(path), "--rejects", str(rejects), "--batch-size", "1"
    )
    assert code == 1
    assert "read 2, imported 1, updated 0, rejected 1, warnings 0" in output
    assert f"rejected rows and reasons: {rejects}" in output


def test_importing_the_same_file_twice_updates_instead_of_adding(
    loaded: str, tmp_path: Path
) -> None:
    path = write(tmp_path, row(1), row(2))
    invoke(loaded, "residents", "import", str(path), "--json")
    code, output = invoke(loaded, "residents", "import", str(path), "--json")
    assert code == 0
    assert (json.loads(output)["imported"], json.loads(output)["updated"]) == (0, 2)
    assert counts(loaded) == (2, 2)

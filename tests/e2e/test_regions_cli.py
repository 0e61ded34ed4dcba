"""`ektp regions load` and `ektp regions show` through the real command line, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from ektp.cli import app
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime
from ektp.settings import Settings

runner = CliRunner()
SUMMARY_KEYS = {"kode", "nama", "level", "residents", "wajib_ktp", "children"}
CHILD_KEYS = {"kode", "nama", "level", "residents", "wajib_ktp"}


def _ektp(database_url: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", database_url, *args])


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_loading_palembang_2016_reports_16_kecamatan_and_107_kelurahan(database_url: str) -> None:
    result = _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2016")
    assert result.exit_code == 0, result.output
    assert "16 kecamatan, 107 kelurahan" in result.stdout
    assert "KOTA PALEMBANG" in result.stdout


def test_show_json_of_palembang_lists_its_16_kecamatan(database_url: str) -> None:
    _ektp(database_url, "regions", "load", "--city", "1671", "--edition", "2016")
    shown = _json(_ektp(database_url, "regions", "show", "16.71", "--json"))
    assert set(shown) == SUMMARY_KEYS
    assert (shown["kode"], shown["level"]) == ("16.71", "kabupaten_kota")
    assert len(shown["children"]) == 16
    assert all(set(child) == CHILD_KEYS for child in shown["children"])
    assert {child["level"] for child in shown["children"]} == {"kecamatan"}
    assert (shown["residents"], shown["wajib_ktp"]) == (0, 0)


def test_palembang_2025_has_18_kecamatan(database_url: str) -> None:
    loaded = _json(
        _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2025", "--json")
    )
    assert (loaded["kecamatan"], loaded["kelurahan"]) == (18, 107)
    shown = _json(_ektp(database_url, "regions", "show", "16.71", "--json"))
    assert "16.71.17" in [child["kode"] for child in shown["children"]]


def test_a_second_city_loads_from_the_2025_edition_beside_palembang_2016(
    database_url: str,
) -> None:
    _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2016")
    loaded = _json(
        _ektp(database_url, "regions", "load", "--city", "32.73", "--edition", "2025", "--json")
    )
    assert (loaded["city"], loaded["nama"], loaded["edition"]) == ("32.73", "Kota Bandung", "2025")
    assert (loaded["kecamatan"], loaded["kelurahan"], loaded["updated"]) == (30, 151, 0)
    bandung = _json(_ektp(database_url, "regions", "show", "3273", "--json"))
    assert len(bandung["children"]) == 30
    palembang = _json(_ektp(database_url, "regions", "show", "16.71", "--json"))
    assert len(palembang["children"]) == 16


def test_show_of_a_kelurahan_counts_its_residents_per_rw_on_the_given_date(
    database_url: str,
) -> None:
    _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2016")
    runtime = Runtime(Settings(database_url=database_url, secret_key="test"))
    born = dt.date(1994, 10, 3)
    record = ResidentRecord(
        "1671010310940001", "1671010101100001", "ANDI", "L", None, born, "BELUM KAWIN",
        None, None, None, "16.71.01.1001", 4, 2, None,
    )  # fmt: skip
    with runtime.transaction() as session:
        write_batch(session=session, records=[record], now=dt.datetime.now(dt.UTC))
    runtime.dispose()
    before = _json(
        _ektp(database_url, "regions", "show", "1671011001", "--as-of", "2011-10-02", "--json")
    )
    on_birthday = _json(
        _ektp(database_url, "regions", "show", "1671011001", "--as-of", "2011-10-03", "--json")
    )
    assert (before["kode"], before["level"], before["residents"]) == (
        "16.71.01.1001",
        "kelurahan",
        1,
    )
    assert before["children"] == [
        {
            "kode": "16.71.01.1001.RW004",
            "nama": "RW 004",
            "level": "rw",
            "residents": 1,
            "wajib_ktp": 0,
        }
    ]
    assert on_birthday["wajib_ktp"] == 1
    rt = _json(_ektp(database_url, "regions", "show", "16.71.01.1001.RW004.RT002", "--json"))
    assert (rt["nama"], rt["level"], rt["residents"], rt["children"]) == ("RT 002", "rt", 1, [])


def test_show_without_json_prints_a_table_with_the_children(database_url: str) -> None:
    _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2016")
    result = _ektp(database_url, "regions", "show", "16.71.01")
    assert result.exit_code == 0, result.output
    assert "Ilir Barat II" in result.stdout
    assert "16.71.01.1001" in result.stdout
    assert "35 Ilir" in result.stdout


def test_loading_another_edition_over_a_loaded_city_fails_with_the_reason(
    database_url: str,
) -> None:
    _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2016")
    result = _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2025")
    assert result.exit_code == 1
    assert "already loaded with the 2016 edition" in result.stderr
    assert result.stdout == ""


def test_an_unknown_edition_or_a_kecamatan_code_is_refused(database_url: str) -> None:
    unknown = _ektp(database_url, "regions", "load", "--city", "16.71", "--edition", "2020")
    kecamatan = _ektp(database_url, "regions", "load", "--city", "16.71.01", "--edition", "2016")
    assert (unknown.exit_code, kecamatan.exit_code) == (1, 1)
    assert "unknown region edition '2020'" in unknown.stderr
    assert "not a kabupaten/kota code" in kecamatan.stderr


def test_showing_an_unknown_code_fails_with_a_clear_message(database_url: str) -> None:
    result = _ektp(database_url, "regions", "show", "16.71", "--json")
    assert result.exit_code == 1
    assert "no loaded region has the code '16.71'" in result.stderr
    assert result.stdout == ""


def test_a_malformed_as_of_date_is_a_usage_error(database_url: str) -> None:
    result = _ektp(database_url, "regions", "show", "16.71", "--as-of", "1/10/2011")
    assert result.exit_code == 2
    assert "not a date like 2011-10-01" in result.output


def test_commands_on_an_uninitialised_database_say_to_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    load = _ektp(url, "regions", "load", "--city", "16.71", "--edition", "2016")
    show = _ektp(url, "regions", "show", "16.71")
    assert (load.exit_code, show.exit_code) == (1, 1)
    assert "run ektp init first" in load.stderr
    assert "run ektp init first" in show.stderr

"""The residents import on both backends: exact rejects, upserts, crashes, the run log."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

import ektp.residents.importer as importer
from ektp.regions.service import load_city
from ektp.residents.importer import ImportFileError, run_import
from ektp.residents.models import ImportRun, RegistryState, Resident, ResidentCount
from ektp.residents.validation import RowValidator
from ektp.runtime import Runtime

REFERENCE = dt.date(2011, 10, 1)
HEADER = [
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "status_kawin",
    "agama",
    "pekerjaan",
    "alamat",
    "rt",
    "rw",
    "kode_kelurahan",
]


def resident(number: int, **changes: str) -> dict[str, str]:
    """Return a valid row; ``number`` (1-99) makes the NIK, name and RT distinct."""
    row = {
        "nik": f"16710712058500{number:02d}",
        "no_kk": f"16710701011000{number:02d}",
        "nama": f"warga nomor {number}",
        "jenis_kelamin": "L",
        "tempat_lahir": "Palembang",
        "tanggal_lahir": "12-05-1985",
        "status_kawin": "KAWIN",
        "agama": "1",
        "pekerjaan": "Wiraswasta",
        "alamat": "Jl. Merdeka",
        "rt": str(number % 5 + 1),
        "rw": "1",
        "kode_kelurahan": "1671071002" if number % 2 else "16.71.01.1001",
    }
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_file(runtime: Runtime, path: Path, **options: Any) -> importer.ImportReport:
    options.setdefault("batch_size", 1000)
    return run_import(
        runtime=runtime,
        path=path,
        rejects_path=options.pop("rejects_path", None),
        show_progress=False,
        reference_date=REFERENCE,
        **options,
    )


@pytest.fixture
def city(runtime: Runtime) -> Runtime:
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
    return runtime


def stored_niks(runtime: Runtime) -> set[str]:
    with runtime.transaction() as session:
        return set(session.execute(select(Resident.nik)).scalars())


def import_runs(runtime: Runtime) -> list[ImportRun]:
    with runtime.transaction() as session:
        return list(session.execute(select(ImportRun).order_by(ImportRun.id)).scalars())


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_file_with_known_defects_gives_exactly_the_expected_rejects(
    city: Runtime, tmp_path: Path
) -> None:
    rows = [
        resident(1),  # line 2
        resident(2, nik="1671071205850001"),  # line 3: NIK of line 2 again
        resident(3, tanggal_lahir="31-02-1985"),  # line 4
        resident(4, kode_kelurahan="16.71.99.9999"),  # line 5
        resident(5, alamat="Jl. Merdeka\nGang 3"),  # lines 6-7, valid
        resident(6, rt="0"),  # line 8
        resident(7, jenis_kelamin="P"),  # line 9: valid, NIK says male -> warning
        resident(8, nik="1671071205850000"),  # line 10: serial 0000
        resident(9, no_kk="123"),  # line 11
        resident(10),  # line 12
    ]
    path = write_csv(tmp_path / "warga.csv", rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(",,,,,,,,,,,,\n")  # a row of empty cells, as spreadsheets leave: skipped

    report = import_file(city, path)

    assert report.as_dict() == {
        "read": 10,
        "imported": 4,
        "updated": 0,
        "rejected": 6,
        "warnings": 1,
        "rejects_file": str(tmp_path / "warga.rejects.csv"),
    }
    rejects = read_rejects(tmp_path / "warga.rejects.csv")
    assert [(r["line"], r["field"]) for r in rejects] == [
        ("3", "nik"),
        ("4", "tanggal_lahir"),
        ("5", "kode_kelurahan"),
        ("8", "rt"),
        ("10", "nik"),
        ("11", "no_kk"),
    ]
    assert rejects[0]["reason"] == "NIK 1671071205850001 is already on line 2"
    assert list(rejects[0])[3:] == HEADER
    assert {key: rejects[1][key] for key in HEADER} == rows[2]
    assert stored_niks(city) == {resident(n)["nik"] for n in (1, 5, 7, 10)}
    with city.transaction() as session:
        warned = session.execute(
            select(Resident).where(Resident.nik_warning.is_not(None))
        ).scalar_one()
    assert warned.nik == resident(7)["nik"]
    assert warned.nik_warning == "NIK encodes jenis_kelamin L, record has P"


def test_stored_rows_are_normalised(city: Runtime, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "warga.csv", [resident(1, nama="  siti   aminah ")])
    import_file(city, path)
    with city.transaction() as session:
        stored = session.execute(select(Resident)).scalar_one()
        assert (stored.nama, stored.agama, stored.kode_kelurahan) == (
            "SITI AMINAH",
            "ISLAM",
            "16.71.07.1002",
        )
        assert (stored.tanggal_lahir, stored.rw, stored.rt) == (dt.date(1985, 5, 12), 1, 2)


def test_importing_again_updates_and_does_not_duplicate(city: Runtime, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "warga.csv", [resident(n) for n in range(1, 6)])
    first = import_file(city, path)
    write_csv(path, [resident(n, pekerjaan="PNS") for n in range(1, 7)])

    second = import_file(city, path)

    assert (first.imported, first.updated) == (5, 0)
    assert (second.imported, second.updated, second.rejected) == (1, 5, 0)
    with city.transaction() as session:
        assert session.execute(select(func.count()).select_from(Resident)).scalar_one() == 6
        jobs = set(session.execute(select(Resident.pekerjaan)).scalars())
    assert jobs == {"PNS"}


def test_a_crash_in_batch_3_keeps_batches_1_and_2_and_rerunning_completes(
    city: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [resident(n) for n in range(1, 21)]
    path = write_csv(tmp_path / "warga.csv", rows)
    real_write_batch = importer.write_batch
    calls = []

    def failing_write_batch(**kwargs: Any) -> Any:
        calls.append(len(kwargs["records"]))
        if len(calls) == 3:
            real_write_batch(**kwargs)  # written, then lost with the transaction
            raise RuntimeError("disk full")
        return real_write_batch(**kwargs)

    monkeypatch.setattr(importer, "write_batch", failing_write_batch)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(city, path, batch_size=5)

    assert stored_niks(city) == {row["nik"] for row in rows[:10]}
    [failed] = import_runs(city)
    assert (failed.status, failed.imported, failed.detail) == (
        "failed",
        10,
        "RuntimeError: disk full",
    )
    assert failed.finished_at is not None

    monkeypatch.setattr(importer, "write_batch", real_write_batch)
    report = import_file(city, path, batch_size=5)
    assert (report.imported, report.updated, report.rejected) == (10, 10, 0)
    assert stored_niks(city) == {row["nik"] for row in rows}


def test_ctrl_c_mid_import_leaves_whole_batches_and_marks_the_run_interrupted(
    city: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [resident(n) for n in range(1, 21)]
    path = write_csv(tmp_path / "warga.csv", rows)
    real_validate = RowValidator.validate
    seen = []

    def interrupted_validate(self: RowValidator, values: Any) -> Any:
        seen.append(values)
        if len(seen) == 13:
            raise KeyboardInterrupt
        return real_validate(self, values)

    monkeypatch.setattr(RowValidator, "validate", interrupted_validate)
    with pytest.raises(KeyboardInterrupt):
        import_file(city, path, batch_size=5)

    assert stored_niks(city) == {row["nik"] for row in rows[:10]}
    [run] = import_runs(city)
    assert run.status == "interrupted"


def test_no_row_of_a_rejected_line_is_stored_even_with_its_nik_valid(
    city: Runtime, tmp_path: Path
) -> None:
    rows = [resident(1, status_kawin="NIKAH"), resident(2, rw=""), resident(3)]
    report = import_file(city, write_csv(tmp_path / "warga.csv", rows))
    assert report.rejected == 2
    assert stored_niks(city) == {resident(3)["nik"]}


def test_a_nik_whose_first_row_was_rejected_is_stored_from_its_next_good_row(
    city: Runtime, tmp_path: Path
) -> None:
    rows = [resident(1, rt="0"), resident(1, pekerjaan="PNS")]
    report = import_file(city, write_csv(tmp_path / "warga.csv", rows))
    assert (report.imported, report.rejected) == (1, 1)
    with city.transaction() as session:
        assert session.execute(select(Resident.pekerjaan)).scalar_one() == "PNS"


def test_a_duplicate_nik_in_a_later_batch_cites_the_first_line(
    city: Runtime, tmp_path: Path
) -> None:
    rows = [resident(n) for n in range(1, 8)] + [resident(9, nik=resident(2)["nik"])]
    report = import_file(city, write_csv(tmp_path / "warga.csv", rows), batch_size=3)
    assert (report.imported, report.rejected) == (7, 1)
    [reject] = read_rejects(tmp_path / "warga.rejects.csv")
    assert (reject["line"], reject["reason"]) == (
        "9",
        f"NIK {resident(2)['nik']} is already on line 3",
    )


def test_a_finished_run_is_logged_and_the_region_counts_rebuilt(
    city: Runtime, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "warga.csv", [resident(n) for n in range(1, 5)])
    import_file(city, path)
    [run] = import_runs(city)
    assert (run.status, run.read, run.imported, run.rejected) == ("finished", 4, 4, 0)
    assert run.source.endswith("warga.csv")
    assert run.finished_at is not None and run.finished_at >= run.started_at
    with city.transaction() as session:
        counted = session.execute(select(func.sum(ResidentCount.residents))).scalar_one()
        stale = session.execute(select(RegistryState.stats_stale)).scalar_one()
    assert (counted, stale) == (4, False)


def test_a_clean_import_removes_a_stale_default_rejects_file(city: Runtime, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "warga.csv", [resident(1, rt="x")])
    assert import_file(city, path).rejects_file == tmp_path / "warga.rejects.csv"
    write_csv(path, [resident(1)])

    report = import_file(city, path)

    assert report.rejects_file is None
    assert not (tmp_path / "warga.rejects.csv").exists()


def test_rejects_go_where_asked_and_a_corrected_rejects_file_imports(
    city: Runtime, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "warga.csv", [resident(1), resident(2, rt="x")], delimiter=";")
    target = tmp_path / "keluar" / "ditolak.csv"
    target.parent.mkdir()
    report = import_file(city, path, rejects_path=target)
    assert report.rejects_file == target
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "line;field;reason;" + ";".join(HEADER)
    corrected = text.replace(";x;", ";4;")
    target.write_text(corrected, encoding="utf-8-sig")

    again = import_file(city, target)

    assert (again.imported, again.rejected) == (1, 0)
    assert stored_niks(city) == {resident(1)["nik"], resident(2)["nik"]}


def test_an_xlsx_siak_export_with_date_cells_imports(city: Runtime, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    born = dt.datetime(1985, 5, 12)
    place = [1, "PNS", "JL. A", 3, 4, 16, 71, 7, 1002]
    siak = "NIK NO_KK NAMA_LGKP JENIS_KLMIN TMPT_LHR TGL_LHR STAT_KWN AGAMA JENIS_PKRJN ALAMAT"
    sheet.append([*siak.split(), "NO_RT", "NO_RW", "NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL"])
    sheet.append(["1671075205850003", "1671070101100001", "Siti", 2, "PLG", born, 2, *place])
    sheet.append(["1671071205850004", "1671070101100001", "Budi", 1, "PLG", born, 9, *place])
    path = tmp_path / "biodata.xlsx"
    workbook.save(path)

    report = import_file(city, path)

    assert (report.imported, report.rejected) == (1, 1)
    [reject] = read_rejects(tmp_path / "biodata.rejects.csv")
    assert (reject["line"], reject["field"], reject["TGL_LHR"]) == ("3", "STAT_KWN", "1985-05-12")
    with city.transaction() as session:
        stored = session.execute(select(Resident)).scalar_one()
    assert (stored.jenis_kelamin, stored.status_kawin, stored.kode_kelurahan) == (
        "P",
        "KAWIN",
        "16.71.07.1002",
    )
    assert (stored.rw, stored.rt, stored.tanggal_lahir) == (4, 3, dt.date(1985, 5, 12))


def test_an_unusable_file_touches_nothing(city: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "warga.csv"
    path.write_text("nik,nama\n1671071205850001,SITI\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="required columns are missing"):
        import_file(city, path)
    assert import_runs(city) == []
    assert not (tmp_path / "warga.rejects.csv").exists()


def test_importing_before_any_region_is_loaded_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "warga.csv", [resident(1)])
    with pytest.raises(ImportFileError, match="no kelurahan are loaded"):
        import_file(runtime, path)
    assert import_runs(runtime) == []

"""Reading residents files: encodings, delimiters, headers, line numbers, XLSX, unusable files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from ektp.residents.columns import FIELDS, RawRow
from ektp.residents.errors import ImportFileError
from ektp.residents.reader import open_resident_file, sniff_delimiter

HEADER = (
    "nik,no_kk,nama,jenis_kelamin,tempat_lahir,tanggal_lahir,status_kawin,agama,pekerjaan,"
    "alamat,rt,rw,kode_kelurahan"
)
ROW = (
    "1671075205850003,1671070101100001,SITI AMINAH,P,PALEMBANG,1985-05-12,KAWIN,ISLAM,PNS,"
    "JL. MERDEKA,001,002,16.71.07.1002"
)
SIAK_HEADER = (
    "NIK;NO_KK;NAMA_LGKP;JENIS_KLMIN;TMPT_LHR;TGL_LHR;STAT_KWN;AGAMA;JENIS_PKRJN;ALAMAT;NO_RT;"
    "NO_RW;NO_PROP;NO_KAB;NO_KEC;NO_KEL"
)
SIAK_ROW = (
    "1671075205850003;1671070101100001;SITI AMINAH;2;PALEMBANG;12-05-1985;2;1;PNS;JL. MERDEKA;"
    "1;2;16;71;7;1002"
)


def write(tmp_path: Path, text: str, *, name: str = "warga.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_all(path: Path) -> list[tuple[int, RawRow]]:
    with open_resident_file(path) as source:
        return list(source.rows())


def values_of(path: Path) -> list[dict[str, object]]:
    with open_resident_file(path) as source:
        return [dict(zip(FIELDS, source.values(row), strict=True)) for _, row in source.rows()]


def test_a_canonical_csv_gives_each_field_by_name(tmp_path: Path) -> None:
    [values] = values_of(write(tmp_path, f"{HEADER}\n{ROW}\n"))
    assert values["nik"] == "1671075205850003"
    assert values["tanggal_lahir"] == "1985-05-12"
    assert values["kode_kelurahan"] == "16.71.07.1002"


def test_rows_carry_their_physical_line_numbers_header_being_line_1(tmp_path: Path) -> None:
    multiline = ROW.replace("JL. MERDEKA", '"JL. MERDEKA\nGANG 3"')
    text = f"{HEADER}\n{ROW}\n\n{multiline}\n{ROW}\n"
    assert [line for line, _ in read_all(write(tmp_path, text))] == [2, 4, 6]


def test_line_numbers_count_blank_lines_before_the_header(tmp_path: Path) -> None:
    assert [line for line, _ in read_all(write(tmp_path, f"\n\n{HEADER}\n{ROW}\n"))] == [4]


def test_a_utf8_file_with_a_bom_reads_the_first_column_name(tmp_path: Path) -> None:
    path = write(tmp_path, f"\ufeff{HEADER}\r\n{ROW.replace('SITI AMINAH', 'JOSÉ')}\r\n")
    [values] = values_of(path)
    assert values["nik"] == "1671075205850003"
    assert values["nama"] == "JOSÉ"


def test_a_windows_1252_file_is_decoded_as_such(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"{HEADER}\r\n{ROW.replace('SITI AMINAH', 'JOSÉ')}\r\n", encoding="cp1252"
    )
    [values] = values_of(path)
    assert values["nama"] == "JOSÉ"


def test_a_windows_1252_character_deep_in_the_file_is_found(tmp_path: Path) -> None:
    rows = [ROW] * 50_000 + [ROW.replace("SITI AMINAH", "JOSÉ")]
    path = write(tmp_path, "\n".join([HEADER, *rows]) + "\n", encoding="cp1252")
    assert values_of(path)[-1]["nama"] == "JOSÉ"


def test_a_file_neither_utf8_nor_windows_1252_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "warga.csv"
    path.write_bytes(f"{HEADER}\n".encode() + b"\x81\xc3\n")
    with pytest.raises(ImportFileError, match="neither UTF-8 nor Windows-1252"):
        open_resident_file(path)


def test_a_file_with_nul_bytes_is_refused_as_not_text(tmp_path: Path) -> None:
    path = tmp_path / "warga.csv"
    path.write_bytes(f"{HEADER}\n".encode() + b"\x00\x01\x02\n")
    with pytest.raises(ImportFileError, match="not a text file"):
        open_resident_file(path)


def test_a_utf16_file_is_refused_with_how_to_save_it(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="UTF-16 text: save it as 'CSV UTF-8'"):
        open_resident_file(write(tmp_path, f"{HEADER}\n{ROW}\n", encoding="utf-16"))


def test_semicolons_are_sniffed_from_the_header(tmp_path: Path) -> None:
    text = f"{HEADER.replace(',', ';')}\n{ROW.replace(',', ';').replace('PNS', 'PNS, GURU')}\n"
    with open_resident_file(write(tmp_path, text)) as source:
        assert source.delimiter == ";"
        [(_, row)] = list(source.rows())
        assert source.values(row)[FIELDS.index("pekerjaan")] == "PNS, GURU"


def test_the_delimiter_is_whichever_the_header_has_more_of() -> None:
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a,b,c") == ","
    assert sniff_delimiter("a;b,c,d") == ","


def test_header_names_ignore_case_spaces_and_underscores(tmp_path: Path) -> None:
    header = (
        " NIK , No KK,Nama,Jenis Kelamin, tempat_lahir ,TANGGAL LAHIR,statuskawin,Agama,"
        "Pekerjaan,ALAMAT,Rt,rW,Kode_Kelurahan"
    )
    [values] = values_of(write(tmp_path, f"{header}\n{ROW}\n"))
    assert values["no_kk"] == "1671070101100001"
    assert values["status_kawin"] == "KAWIN"


def test_columns_in_another_order_and_unknown_columns_are_handled(tmp_path: Path) -> None:
    names = HEADER.split(",")
    cells = ROW.split(",")
    order = list(reversed(range(len(names))))
    header = ",".join(["catatan", *(names[i] for i in order)])
    row = ",".join(["lihat KK", *(cells[i] for i in order)])
    [values] = values_of(write(tmp_path, f"{header}\n{row}\n"))
    assert values == dict(zip(FIELDS, cells, strict=True))


def test_a_siak_export_header_is_understood_and_builds_the_kelurahan_code(tmp_path: Path) -> None:
    [values] = values_of(write(tmp_path, f"{SIAK_HEADER}\n{SIAK_ROW}\n"))
    assert values["nama"] == "SITI AMINAH"
    assert values["jenis_kelamin"] == "2"
    assert values["tanggal_lahir"] == "12-05-1985"
    assert (values["rt"], values["rw"]) == ("1", "2")
    assert values["kode_kelurahan"] == "16.71.07.1002"


def test_a_siak_row_missing_a_kelurahan_part_gives_an_empty_code(tmp_path: Path) -> None:
    [values] = values_of(write(tmp_path, f"{SIAK_HEADER}\n{SIAK_ROW.replace(';7;', ';;')}\n"))
    assert values["kode_kelurahan"] == ""


def test_the_siak_columns_are_labelled_with_the_files_own_names(tmp_path: Path) -> None:
    with open_resident_file(write(tmp_path, f"{SIAK_HEADER}\n{SIAK_ROW}\n")) as source:
        assert source.columns.label("tanggal_lahir") == "TGL_LHR"
        assert source.columns.label("kode_kelurahan") == "NO_PROP/NO_KAB/NO_KEC/NO_KEL"


def test_optional_columns_may_be_absent_and_read_as_empty(tmp_path: Path) -> None:
    keep = [i for i, name in enumerate(HEADER.split(",")) if name not in ("agama", "alamat")]
    header = ",".join(HEADER.split(",")[i] for i in keep)
    row = ",".join(ROW.split(",")[i] for i in keep)
    [values] = values_of(write(tmp_path, f"{header}\n{row},surplus cell\n"))
    assert (values["agama"], values["alamat"]) == ("", "")
    assert values["kode_kelurahan"] == "16.71.07.1002"


def test_short_rows_are_padded_with_empty_cells(tmp_path: Path) -> None:
    [values] = values_of(write(tmp_path, f"{HEADER}\n1671075205850003,1671070101100001\n"))
    assert values["nama"] == ""
    assert values["kode_kelurahan"] == ""


def test_a_rejects_file_can_be_read_back_and_its_notes_are_not_original_columns(
    tmp_path: Path,
) -> None:
    text = f"line,field,reason,{HEADER}\n7,rt,RT is empty,{ROW}\n"
    with open_resident_file(write(tmp_path, text)) as source:
        assert source.columns.original_header == HEADER.split(",")
        [(_, row)] = list(source.rows())
        assert source.original(row) == ROW.split(",")
        assert source.values(row)[0] == "1671075205850003"


def test_original_cells_leave_out_the_empty_cell_standing_in_for_an_absent_column(
    tmp_path: Path,
) -> None:
    names, cells = HEADER.split(","), ROW.split(",")
    keep = [i for i, name in enumerate(names) if name != "agama"]
    header = ",".join(["line", "field", "reason", *(names[i] for i in keep)])
    row = ",".join(["7", "rt", "RT is empty", *(cells[i] for i in keep)])
    with open_resident_file(write(tmp_path, f"{header}\n{row}\n")) as source:
        [(_, raw)] = list(source.rows())
        assert source.original(raw) == [cells[i] for i in keep]


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("nik", "nik (SIAK: NIK)"),
        ("tanggal_lahir", "tanggal_lahir (SIAK: TGL_LHR)"),
        ("kode_kelurahan", "kode_kelurahan (SIAK: NO_PROP+NO_KAB+NO_KEC+NO_KEL)"),
    ],
)
def test_a_missing_required_column_is_named(tmp_path: Path, missing: str, named: str) -> None:
    header = ",".join(name for name in HEADER.split(",") if name != missing)
    with pytest.raises(ImportFileError, match="required column is missing") as error:
        open_resident_file(write(tmp_path, f"{header}\n{ROW}\n"))
    assert named in str(error.value)


def test_several_missing_columns_are_all_named(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"required columns are missing: nama .*, rt "):
        open_resident_file(write(tmp_path, "nik,no_kk,jenis_kelamin\n1,2,3\n"))


def test_a_file_without_a_header_line_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no header line"):
        open_resident_file(write(tmp_path, f"{ROW}\n{ROW}\n"))


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="file is empty"):
        open_resident_file(write(tmp_path, ""))


def test_a_file_of_blank_lines_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no header line"):
        open_resident_file(write(tmp_path, "\n  \n\n"))


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="has a header but no rows"):
        open_resident_file(write(tmp_path, f"{HEADER}\n\n"))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="file not found"):
        open_resident_file(tmp_path / "tidak-ada.csv")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(ImportFileError, match="not a file"):
        open_resident_file(folder)


@pytest.mark.parametrize("name", ["warga.xls", "warga.ods", "warga.json", "warga"])
def test_an_unsupported_extension_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ImportFileError, match="unsupported file type"):
        open_resident_file(write(tmp_path, f"{HEADER}\n{ROW}\n", name=name))


def test_a_broken_xlsx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="not a readable XLSX workbook"):
        open_resident_file(write(tmp_path, f"{HEADER}\n{ROW}\n", name="warga.xlsx"))


def _workbook(tmp_path: Path, rows: list[list[object]], *, first_row: int = 1) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for offset, cells in enumerate(rows):
        for column, cell in enumerate(cells, start=1):
            sheet.cell(row=first_row + offset, column=column, value=cell)
    path = tmp_path / "warga.xlsx"
    workbook.save(path)
    return path


def test_an_xlsx_keeps_date_cells_as_dates_and_numbers_as_plain_digits(tmp_path: Path) -> None:
    cells: list[object] = ROW.split(",")
    cells[0] = 1671075205850003  # a NIK typed as a number
    cells[5] = dt.datetime(1985, 5, 12)
    cells[10], cells[11] = 1, 2.0
    path = _workbook(tmp_path, [HEADER.split(","), cells])
    [values] = values_of(path)
    assert values["nik"] == "1671075205850003"
    assert values["tanggal_lahir"] == dt.date(1985, 5, 12)
    assert (values["rt"], values["rw"]) == ("1", "2")


def test_an_xlsx_date_cell_outside_tanggal_lahir_becomes_text(tmp_path: Path) -> None:
    cells: list[object] = ROW.split(",")
    cells[9] = dt.date(2020, 1, 2)
    [values] = values_of(_workbook(tmp_path, [HEADER.split(","), cells]))
    assert values["alamat"] == "2020-01-02"


def test_xlsx_rows_carry_their_sheet_row_numbers_and_skip_empty_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [HEADER.split(","), ROW.split(","), [], ROW.split(",")]
    path = _workbook(tmp_path, rows, first_row=3)
    assert [line for line, _ in read_all(path)] == [4, 6]


def test_an_xlsx_with_only_a_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="has a header but no rows"):
        open_resident_file(_workbook(tmp_path, [HEADER.split(",")]))


def test_an_xlsx_with_an_empty_first_sheet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="first sheet is empty"):
        open_resident_file(_workbook(tmp_path, []))

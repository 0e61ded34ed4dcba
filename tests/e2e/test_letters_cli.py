"""`ektp letters` through the real command line, on both backends: the files it writes, the
invitations it marks, the audit event, and its errors.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from ektp.auth.models import AuditEvent
from ektp.cli import app
from ektp.runtime import Runtime
from ektp.scheduling.models import Invitation, InvitationEvent
from ektp.settings import Settings
from tests.integration.test_letters import TALANG_BETUTU, seed_letters

runner = CliRunner()


def _ektp(database_url: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", database_url, *args])


def _seed(database_url: str, *, with_campaign: bool = True) -> dict[str, int]:
    runtime = Runtime(Settings(database_url=database_url, secret_key="test"))
    try:
        with runtime.transaction() as session:
            return seed_letters(session, with_campaign=with_campaign)
    finally:
        runtime.dispose()


def _read(database_url: str) -> tuple[dict[int, str], list[InvitationEvent], list[AuditEvent]]:
    runtime = Runtime(Settings(database_url=database_url, secret_key="test"))
    try:
        with runtime.transaction() as session:
            statuses = dict(session.execute(select(Invitation.id, Invitation.status)).all())
            events = list(session.execute(select(InvitationEvent)).scalars())
            audit = list(session.execute(select(AuditEvent)).scalars())
            session.expunge_all()
            return statuses, events, audit
    finally:
        runtime.dispose()


def _pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_letters_of_a_kelurahan_write_the_pdf_the_delivery_list_and_mark_them_printed(
    database_url: str, tmp_path: Path
) -> None:
    ids = _seed(database_url)
    out = tmp_path / "talang-betutu.pdf"
    result = _ektp(database_url, "letters", "--kelurahan", "1671071002", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "6 letters" in result.stdout and "4 invitations marked letter_printed" in result.stdout
    pages = _pages(out)
    assert len(pages) == 4
    assert "ANI SANTOSO" in pages[0] and "CCC333" in pages[0]
    assert "JOKO WIDODO" in pages[3] and "FFF666" in pages[3]
    assert all("KECAMATAN SUKARAMI" in page for page in pages)
    csv_path = tmp_path / "talang-betutu-daftar-antar.csv"
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["nama"] for row in rows][:3] == ["ANI SANTOSO", "BUDI SANTOSO", "SITI AMINAH"]
    assert [(row["rw"], row["rt"], row["no"]) for row in rows][-1] == ("2", "1", "1")
    list_pages = _pages(tmp_path / "talang-betutu-daftar-antar.pdf")
    assert len(list_pages) == 3
    assert all("Tanda tangan penerima" in page for page in list_pages)
    statuses, events, audit = _read(database_url)
    assert statuses[ids["JOKO WIDODO"]] == "letter_printed"
    assert statuses[ids["DEWI LESTARI"]] == "delivered"
    assert statuses[ids["SITI AMALIA"]] == "planned"
    assert len(events) == 4 and {event.by for event in events} == {"cli"}
    (event,) = audit
    assert (event.action, event.subject, event.client) == ("letters_printed", TALANG_BETUTU, "cli")
    assert event.detail is not None and event.detail.startswith("6 letters")


def test_one_rt_with_its_own_delivery_list_path(database_url: str, tmp_path: Path) -> None:
    ids = _seed(database_url)
    out = tmp_path / "rt.pdf"
    listing = tmp_path / "antar" / "rt002.csv"
    listing.parent.mkdir()
    result = _ektp(
        database_url,
        "letters",
        "--kelurahan",
        TALANG_BETUTU,
        "--rw",
        "1",
        "--rt",
        "2",
        "--out",
        str(out),
        "--delivery-list",
        str(listing),
    )
    assert result.exit_code == 0, result.output
    (page,) = _pages(out)
    assert "RUDI HARTONO" in page and "DEWI LESTARI" in page and "ANI SANTOSO" not in page
    assert "0 invitations marked" in result.stdout
    rows = list(csv.DictReader(io.StringIO(listing.read_text(encoding="utf-8-sig"))))
    assert [row["nama"] for row in rows] == ["RUDI HARTONO", "DEWI LESTARI"]
    assert (tmp_path / "antar" / "rt002.pdf").exists()
    statuses, _, audit = _read(database_url)
    assert statuses[ids["ANI SANTOSO"]] == "planned"
    assert audit[0].detail == "2 letters, RW 1, RT 2; 0 marked letter_printed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kelurahan", "16.71.07.9999"], "no loaded kelurahan has the code"),
        (["--kelurahan", TALANG_BETUTU, "--rw", "9"], "no live invitations"),
    ],
)
def test_nothing_to_print_exits_1_with_the_reason_and_writes_nothing(
    database_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    _seed(database_url)
    folder = tmp_path / "surat"
    folder.mkdir()
    result = _ektp(database_url, "letters", *args, "--out", str(folder / "surat.pdf"))
    assert result.exit_code == 1
    assert message in result.stderr
    assert list(folder.iterdir()) == []
    _, events, audit = _read(database_url)
    assert (events, audit) == ([], [])


def test_without_a_campaign_the_command_exits_1(database_url: str, tmp_path: Path) -> None:
    _seed(database_url, with_campaign=False)
    result = _ektp(
        database_url, "letters", "--kelurahan", TALANG_BETUTU, "--out", str(tmp_path / "s.pdf")
    )
    assert result.exit_code == 1
    assert "no campaign exists" in result.stderr


def test_a_missing_output_folder_exits_1_and_marks_nothing(
    database_url: str, tmp_path: Path
) -> None:
    _seed(database_url)
    before, _, _ = _read(database_url)
    out = tmp_path / "nowhere" / "s.pdf"
    result = _ektp(database_url, "letters", "--kelurahan", TALANG_BETUTU, "--out", str(out))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    after, events, _ = _read(database_url)
    assert (after, events) == (before, [])


def test_a_delivery_list_path_equal_to_the_letters_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    _seed(database_url)
    out = tmp_path / "surat.pdf"
    result = _ektp(
        database_url,
        "letters",
        "--kelurahan",
        TALANG_BETUTU,
        "--out",
        str(out),
        "--delivery-list",
        str(out),
    )
    assert result.exit_code == 1
    assert "would overwrite the letters" in result.stderr
    assert not out.exists()

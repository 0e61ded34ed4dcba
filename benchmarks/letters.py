"""Time call-up letters: PDF pages per second for one RT bundle and for a whole kelurahan.

Run: ``.venv/bin/python benchmarks/letters.py`` (an RT of 150 letters, a kelurahan of 2,000);
``--kelurahan-letters 300 --workers 1`` for a quick check. A Palembang kelurahan holds about
1.2 M / 107 = 11,000 wajib KTP on average, so the full-scale figure is ``--kelurahan-letters
11000`` (a few minutes per worker count).

Builds a throwaway SQLite database: Palembang's regions, one kelurahan (Talang Betutu) of
residents in RTs of ``--rt-letters``, a campaign from the shipped palembang-2011 scenario and
one planned invitation each. Each measurement runs in a fresh process, so its peak memory is
its own: the query (``letters_of``), then the letters PDF (``letters_pdf``: laid out in parts
of ``LETTERS_PER_PART`` letters, joined with pypdf, ``--workers`` processes; importing
WeasyPrint, about a second, is left out; starting the workers is not). Pages are two letters
each. Prints a Markdown table, then the delivery list's and the marking's times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import random
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from importlib import resources as package_files
from pathlib import Path
from typing import NamedTuple

from pypdf import PdfReader
from sqlalchemy import insert, select

from ektp.regions.service import load_city
from ektp.residents.models import Resident
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime
from ektp.scheduling import letters
from ektp.scheduling.letters_service import letters_of, mark_letters_printed
from ektp.scheduling.models import Campaign, Invitation
from ektp.settings import Settings
from ektp.storage.migrate import upgrade

KELURAHAN = "16.71.07.1002"
NOW = dt.datetime(2011, 10, 1, 8, tzinfo=dt.UTC)
RT_PER_RW = 8
FIRST = ("SITI", "MUHAMMAD", "NUR", "AHMAD", "DEWI", "RIZKY", "PUTRI", "AGUS", "SRI", "BUDI")
MIDDLE = ("AMINAH", "FAUZI", "HIDAYAT", "LESTARI", "PRATAMA", "WULANDARI", "SAPUTRA", "")
LAST = ("SANTOSO", "HARAHAP", "SIREGAR", "NASUTION", "RAHMAN", "HASIBUAN", "SYAHPUTRA")
SESSIONS = ("pagi", "siang", "malam")


class Measured(NamedTuple):
    bundle: str
    letters: int
    pages: int
    workers: int
    query_s: float
    pdf_s: float
    peak_mb: float


def build_database(path: Path, residents: int, per_rt: int) -> None:
    """Fill a fresh SQLite file with one kelurahan of residents, each with a planned turn."""
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="bench"))
    upgrade(runtime.engine)
    rng = random.Random(2011)
    records = []
    for index in range(residents):
        household, _ = divmod(index, 4)
        rt_index = index // per_rt
        middle = rng.choice(MIDDLE)
        nama = " ".join(part for part in (rng.choice(FIRST), middle, rng.choice(LAST)) if part)
        records.append(
            ResidentRecord(
                nik=f"167107{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(60, 93)}"
                f"{index % 10_000:04d}",
                no_kk=f"1671070101{household:06d}",
                nama=nama,
                jenis_kelamin="L",
                tempat_lahir="PALEMBANG",
                tanggal_lahir=dt.date(1980, 5, 17),
                status_kawin="KAWIN",
                agama="ISLAM",
                pekerjaan=None,
                alamat=f"JL. {rng.choice(LAST)} LR. {rng.choice(MIDDLE) or 'DAMAI'} NO. {index}",
                kode_kelurahan=KELURAHAN,
                rw=1 + rt_index // RT_PER_RW,
                rt=1 + rt_index % RT_PER_RW,
                nik_warning=None,
            )
        )
    definition = (
        package_files.files("ektp.scenarios").joinpath("palembang-2011.toml").read_text("utf-8")
    )
    try:
        with runtime.transaction() as session:
            load_city(session=session, city="16.71", edition="2016")
            write_batch(session=session, records=records, now=NOW)
            campaign = Campaign(
                name="benchmark",
                city="16.71",
                edition="2016",
                start=dt.date(2011, 10, 3),
                deadline=dt.date(2011, 12, 31),
                seed=2011,
                definition=definition,
                created_at=NOW,
            )
            session.add(campaign)
            session.flush()
            ids = session.execute(select(Resident.id).order_by(Resident.id)).scalars().all()
            session.execute(
                insert(Invitation),
                [
                    {
                        "campaign_id": campaign.id,
                        "resident_id": resident_id,
                        "site_code": "16.71.07",
                        "tanggal": dt.date(2011, 10, 3) + dt.timedelta(days=number // 400),
                        "session": SESSIONS[number // 150 % 3],
                        "attendance_code": f"{rng.randrange(36**6):06X}"[-6:],
                        "status": "planned",
                        "misses": 0,
                        "plan_run_id": None,
                        "updated_at": NOW,
                    }
                    for number, resident_id in enumerate(ids)
                ],
            )
    finally:
        runtime.dispose()


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def measure(url: str, bundle: str, rw: int | None, rt: int | None, workers: int) -> Measured:
    """Return the figures of printing one bundle (run in a fresh process)."""
    import weasyprint  # type: ignore[import-untyped]  # noqa: F401  # ~1 s, not the letters' time

    runtime = Runtime(Settings(database_url=url, secret_key="bench"))
    try:
        began = time.perf_counter()
        with runtime.transaction() as session:
            batch = letters_of(
                session=session, kode_kelurahan=KELURAHAN, rw=rw, rt=rt, printed_on=NOW.date()
            )
        queried = time.perf_counter()
        pdf = letters.letters_pdf(batch, workers=workers)
        done = time.perf_counter()
    finally:
        runtime.dispose()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return Measured(
        bundle, len(batch.letters), pages, workers, queried - began, done - queried, _peak_mb()
    )


def in_fresh_process(
    url: str, bundle: str, rw: int | None, rt: int | None, workers: int
) -> Measured:
    """Return ``measure`` run in a new process, so peak memory is that run's alone."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(measure, url, bundle, rw, rt, workers).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rt-letters", type=int, default=150, help="letters in one RT")
    parser.add_argument("--kelurahan-letters", type=int, default=2000)
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated worker counts for the kelurahan"
    )
    arguments = parser.parse_args()
    worker_counts = [int(part) for part in arguments.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="ektp-letters-") as folder:
        path = Path(folder) / "letters.sqlite3"
        began = time.perf_counter()
        build_database(path, arguments.kelurahan_letters, arguments.rt_letters)
        print(
            f"database with {arguments.kelurahan_letters:,} turns: "
            f"{time.perf_counter() - began:.1f} s"
        )
        url = f"sqlite:///{path}"
        rows = [in_fresh_process(url, "one RT", 1, 1, 1)]
        rows += [in_fresh_process(url, "kelurahan", None, None, count) for count in worker_counts]
        runtime = Runtime(Settings(database_url=url, secret_key="bench"))
        try:
            with runtime.transaction() as session:
                batch = letters_of(session=session, kode_kelurahan=KELURAHAN, printed_on=NOW.date())
            started = time.perf_counter()
            listing = letters.delivery_list_pdf(batch)
            listed = time.perf_counter() - started
            with runtime.transaction() as session:
                started = time.perf_counter()
                marked = mark_letters_printed(
                    session=session,
                    invitation_ids=[letter.invitation_id for letter in batch.letters],
                    now=NOW,
                    by="bench",
                )
                marking = time.perf_counter() - started
        finally:
            runtime.dispose()
    print()
    print(
        "| bundle | letters | pages | workers | query s | PDF s | pages/s | letters/s | peak MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row.bundle} | {row.letters:,} | {row.pages:,} | {row.workers} | "
            f"{row.query_s:.2f} | {row.pdf_s:.1f} | {row.pages / row.pdf_s:.1f} | "
            f"{row.letters / row.pdf_s:.1f} | {row.peak_mb:.0f} |"
        )
    pages = len(PdfReader(io.BytesIO(listing)).pages)
    print()
    print(f"delivery list of the kelurahan: {pages} pages in {listed:.1f} s")
    print(f"marking {marked:,} invitations letter_printed (UPDATE + events): {marking:.2f} s")


if __name__ == "__main__":
    main()

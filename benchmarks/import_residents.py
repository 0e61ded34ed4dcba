"""Measure ``ektp residents import`` against the raw write floor of each backend.

Builds a CSV of valid wajib-KTP residents of Palembang (``--rows``, default 1,200,000), then on
SQLite (a fresh file) and PostgreSQL (a throwaway database, created and dropped here):

* the import end to end (read, validate, upsert by batch, refresh counts), in a child process
  so that its peak memory (``ru_maxrss``) is the import's own;
* the floor: the same rows written as plainly as the backend allows into a table with the same
  indexes as ``residents`` (SQLite: ``executemany`` in one transaction; PostgreSQL: ``COPY``),
  timing only the writes, not building the tuples;
* reading and validating alone, without a database.

Prints a Markdown table. Run: ``.venv/bin/python benchmarks/import_residents.py --rows 50000``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CITY, EDITION = "16.71", "2016"
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
FLOOR_CHUNK = 50_000

_FIRST_L = [
    "AHMAD",
    "BUDI",
    "DEDI",
    "EKO",
    "FAJAR",
    "HENDRA",
    "IRWAN",
    "JOKO",
    "RUDI",
    "SYAHRIL",
    "YUSUF",
    "ZAINAL",
    "ANDI",
    "AGUS",
]
_FIRST_P = [
    "SITI",
    "AMINAH",
    "DEWI",
    "FITRI",
    "LINA",
    "MAYA",
    "NUR",
    "RINA",
    "SRI",
    "WATI",
    "YULI",
    "ZAHRA",
    "INDAH",
    "AYU",
]
_LAST = [
    "SAPUTRA",
    "WIJAYA",
    "HIDAYAT",
    "PRATAMA",
    "SETIAWAN",
    "LESTARI",
    "KURNIAWAN",
    "RAHMAN",
    "HASAN",
    "SUSANTO",
]
_PLACES = ("PALEMBANG", "PALEMBANG", "PALEMBANG", "BATURAJA", "LAHAT", "JAKARTA", "PRABUMULIH")
_JOBS = ("WIRASWASTA", "PNS", "PELAJAR/MAHASISWA", "MENGURUS RUMAH TANGGA", "KARYAWAN SWASTA")
_STATUS = ("BELUM KAWIN", "KAWIN", "KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")


def kelurahan_of_city() -> list[str]:
    """Return the dotted kelurahan codes of Palembang in the benchmark's edition."""
    from ektp.regions.wilayah import city_rows

    return [kode for kode, _nama in city_rows(EDITION, CITY) if len(kode) == 13]


def generate_rows(count: int, seed: int = 7) -> Iterator[list[str]]:
    """Yield ``count`` valid, distinct wajib-KTP residents as CSV cells."""
    rng = random.Random(seed)
    kelurahan = kelurahan_of_city()
    youngest = dt.date.today().toordinal() - 18 * 366
    oldest = dt.date(1930, 1, 1).toordinal()
    serials: dict[str, int] = {}
    for _ in range(count):
        kode = rng.choice(kelurahan)
        kecamatan = kode[:8].replace(".", "")
        born = dt.date.fromordinal(rng.randint(oldest, youngest))
        female = rng.random() < 0.5
        day = born.day + 40 if female else born.day
        prefix = f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}"
        serial = serials[prefix] = serials.get(prefix, 0) + 1
        first = rng.choice(_FIRST_P if female else _FIRST_L)
        yield [
            f"{prefix}{serial:04d}",
            f"{kecamatan}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(0, 11):02d}"
            f"{rng.randint(1, 9999):04d}",
            f"{first} {rng.choice(_LAST)}",
            "P" if female else "L",
            rng.choice(_PLACES),
            born.strftime("%d-%m-%Y"),
            rng.choice(_STATUS),
            "ISLAM",
            rng.choice(_JOBS),
            f"JL. {rng.choice(_LAST)} NO. {rng.randint(1, 200)}",
            f"{rng.randint(1, 12):03d}",
            f"{rng.randint(1, 8):03d}",
            kode.replace(".", ""),
        ]


def write_csv(path: Path, rows: int) -> None:
    """Write the benchmark's input file."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(generate_rows(rows))


def prepared_database(url: str) -> None:
    """Migrate the database at ``url`` and load the city's regions."""
    from ektp.regions.service import load_city
    from ektp.runtime import Runtime
    from ektp.settings import Settings
    from ektp.storage.migrate import upgrade

    runtime = Runtime(Settings(database_url=url, secret_key="bench"))
    upgrade(runtime.engine)
    with runtime.transaction() as session:
        load_city(session=session, city=CITY, edition=EDITION)
    runtime.dispose()


def child(arguments: list[str]) -> dict[str, float]:
    """Run one measurement in a fresh process and return what it printed."""
    done = subprocess.run(
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True
    )
    if done.stderr.strip():
        print(done.stderr, file=sys.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_import(url: str, path: Path, profile: bool) -> dict[str, float]:
    """Return seconds, rows and peak memory of one import (run in the child process)."""
    from ektp.residents.importer import run_import
    from ektp.runtime import Runtime
    from ektp.settings import Settings

    runtime = Runtime(Settings(database_url=url, secret_key="bench"))
    runtime.engine.connect().close()  # connecting is not the import's work
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    report = run_import(
        runtime=runtime, path=path, rejects_path=None, batch_size=100_000, show_progress=False
    )
    seconds = time.perf_counter() - start
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    runtime.dispose()
    if report.rejected:
        raise SystemExit(f"benchmark rows were rejected: {report.as_dict()}")
    return {"seconds": seconds, "rows": report.read, "peak_mb": _peak_mb()}


def measure_validation(path: Path) -> dict[str, float]:
    """Return seconds to read and validate every row, without a database."""
    from ektp.regions.wilayah import known_kecamatan_codes
    from ektp.residents.reader import open_resident_file
    from ektp.residents.validation import RowValidator

    validator = RowValidator(
        kelurahan_codes=set(kelurahan_of_city()),
        kecamatan_codes=known_kecamatan_codes(),
        reference_date=dt.date.today(),
    )
    start = time.perf_counter()
    rows = 0
    with open_resident_file(path) as source:
        validate, pick = validator.validate, source.values
        for _line, row in source.rows():
            validate(pick(row))
            rows += 1
    return {"seconds": time.perf_counter() - start, "rows": rows}


def _floor_tuples(path: Path, *, as_text: bool) -> Iterator[list[tuple[object, ...]]]:
    """Yield the file's rows as residents tuples, in chunks; building them is not timed.

    ``as_text`` gives dates and timestamps as ISO text, as the writer sends them to SQLite.
    """
    from ektp.regions.wilayah import dotted

    moment = dt.datetime.now(dt.UTC)
    now = moment.isoformat(sep=" ") if as_text else moment
    dates: dict[str, dt.date | str] = {}
    chunk: list[tuple[object, ...]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for nik, kk, nama, jk, tempat, tanggal, status, agama, kerja, alamat, rt, rw, kel in reader:
            born = dates.get(tanggal)
            if born is None:
                date = dt.datetime.strptime(tanggal, "%d-%m-%Y").date()
                born = dates[tanggal] = date.isoformat() if as_text else date
            chunk.append(
                (nik, kk, nama, jk, tempat, born, status, agama, kerja, alamat, dotted(kel),
                 int(rw), int(rt), None, now)
            )  # fmt: skip
            if len(chunk) == FLOOR_CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


_FLOOR_COLUMNS = (
    "nik, no_kk, nama, jenis_kelamin, tempat_lahir, tanggal_lahir, status_kawin, agama, "
    "pekerjaan, alamat, kode_kelurahan, rw, rt, nik_warning, updated_at"
)
_FLOOR_INDEXES = (
    "CREATE INDEX ix_floor_area ON residents_floor (kode_kelurahan, rw, rt)",
    "CREATE INDEX ix_floor_nama ON residents_floor (nama)",
    "CREATE INDEX ix_floor_tanggal_lahir ON residents_floor (tanggal_lahir)",
)


def measure_sqlite_floor(path: Path, database: Path) -> dict[str, float]:
    """Return seconds of ``executemany`` of every row in one transaction (writes only)."""
    import sqlite3

    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute(
        "CREATE TABLE residents_floor (id INTEGER PRIMARY KEY, nik VARCHAR(16) NOT NULL UNIQUE, "
        "no_kk VARCHAR(16) NOT NULL, nama VARCHAR(120) NOT NULL, jenis_kelamin VARCHAR(1) NOT "
        "NULL, tempat_lahir VARCHAR(80), tanggal_lahir DATE NOT NULL, status_kawin VARCHAR(12) "
        "NOT NULL, agama VARCHAR(40), pekerjaan VARCHAR(80), alamat VARCHAR(200), "
        "kode_kelurahan VARCHAR(13) NOT NULL, rw SMALLINT NOT NULL, rt SMALLINT NOT NULL, "
        "nik_warning VARCHAR(200), updated_at DATETIME NOT NULL)"
    )
    for statement in _FLOOR_INDEXES:
        connection.execute(statement)
    sql = f"INSERT INTO residents_floor ({_FLOOR_COLUMNS}) VALUES ({', '.join('?' * 15)})"
    seconds, rows = 0.0, 0
    connection.execute("BEGIN")
    for chunk in _floor_tuples(path, as_text=True):
        start = time.perf_counter()
        connection.executemany(sql, chunk)
        seconds += time.perf_counter() - start
        rows += len(chunk)
    start = time.perf_counter()
    connection.execute("COMMIT")
    seconds += time.perf_counter() - start
    connection.close()
    return {"seconds": seconds, "rows": rows}


def measure_postgresql_floor(path: Path, url: str) -> dict[str, float]:
    """Return seconds of ``COPY`` of every row into an indexed table (writes only)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(
            'CREATE TABLE residents_floor (id serial PRIMARY KEY, nik varchar(16) COLLATE "C" '
            'NOT NULL UNIQUE, no_kk varchar(16) NOT NULL, nama varchar(120) COLLATE "C" NOT '
            "NULL, jenis_kelamin varchar(1) NOT NULL, tempat_lahir varchar(80), tanggal_lahir "
            "date NOT NULL, status_kawin varchar(12) NOT NULL, agama varchar(40), pekerjaan "
            "varchar(80), alamat varchar(200), kode_kelurahan varchar(13) NOT NULL, rw smallint "
            "NOT NULL, rt smallint NOT NULL, nik_warning varchar(200), updated_at timestamptz "
            "NOT NULL)"
        )
        for statement in _FLOOR_INDEXES:
            connection.execute(statement)
        connection.commit()
        seconds, rows = 0.0, 0
        with connection.cursor() as cursor:
            for chunk in _floor_tuples(path, as_text=False):
                start = time.perf_counter()
                with cursor.copy(f"COPY residents_floor ({_FLOOR_COLUMNS}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
                seconds += time.perf_counter() - start
                rows += len(chunk)
        start = time.perf_counter()
        connection.commit()
        seconds += time.perf_counter() - start
    return {"seconds": seconds, "rows": rows}


def _postgres_database(admin_url: str, name: str, create: bool) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        if create:
            conn.execute(f"CREATE DATABASE {name}")
        else:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return admin.set(database=name).render_as_string(hide_password=False)


def run_backend(label: str, url: str, path: Path, floor: list[str], profile: bool) -> list[str]:
    """Return the table row of one backend: import and floor measured on fresh databases."""
    prepared_database(url)
    imported = child(
        ["--child", "import", "--url", url, "--csv", str(path)] + (["--profile"] * profile)
    )
    floored = child(["--child", *floor, "--csv", str(path)])
    import_rate = imported["rows"] / imported["seconds"]
    floor_rate = floored["rows"] / floored["seconds"]
    return [
        label,
        f"{int(imported['rows']):,}",
        f"{imported['seconds']:,.1f}",
        f"{import_rate:,.0f}",
        f"{floor_rate:,.0f}",
        f"{floor_rate / import_rate:.2f}x",
        f"{imported['peak_mb']:,.0f}",
    ]


def main_child(options: argparse.Namespace) -> None:
    """Run the measurement named by ``--child`` and print its JSON."""
    path = Path(options.csv)
    if options.child == "import":
        result = measure_import(options.url, path, options.profile)
    elif options.child == "validate":
        result = measure_validation(path)
    elif options.child == "sqlite-floor":
        result = measure_sqlite_floor(path, Path(options.database))
    else:
        result = measure_postgresql_floor(path, options.url)
    print(json.dumps(result))


def main() -> None:
    """Parse options, build the file, measure both backends, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_200_000)
    parser.add_argument("--postgres-url", default=ADMIN_URL, help="admin URL of the server")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the imports (stderr)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        main_child(options)
        return
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="ektp-bench-") as directory:
        work = Path(directory)
        path = work / "residents.csv"
        start = time.perf_counter()
        write_csv(path, options.rows)
        print(
            f"built {options.rows:,} rows in {time.perf_counter() - start:.1f} s", file=sys.stderr
        )
        validated = child(["--child", "validate", "--csv", str(path)])
        table = [
            run_backend(
                "SQLite",
                f"sqlite:///{work / 'import.sqlite3'}",
                path,
                ["sqlite-floor", "--database", str(work / "floor.sqlite3")],
                options.profile,
            )
        ]
        if not options.skip_postgres:
            name = f"ektp_bench_{os.getpid()}"
            url = _postgres_database(options.postgres_url, name, create=True)
            try:
                table.append(
                    run_backend(
                        "PostgreSQL",
                        url,
                        path,
                        ["postgresql-floor", "--url", url],
                        options.profile,
                    )
                )
            finally:
                _postgres_database(options.postgres_url, name, create=False)
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at the start\n")
    print("| backend | rows | import s | import rows/s | floor rows/s | floor / import | peak MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in table:
        print("| " + " | ".join(row) + " |")
    per_row = validated["seconds"] / validated["rows"] * 1e6
    print(f"\nread + validate alone: {validated['rows'] / validated['seconds']:,.0f} rows/s "
          f"({per_row:.2f} µs a row)")  # fmt: skip


if __name__ == "__main__":
    main()

"""``ektp demo``: a ready Palembang 2011 on the configured database, then the web app."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from sqlalchemy import func, select

from ektp.runtime import Runtime, runtime_of

DEMO_CITY = "16.71"
DEMO_EDITION = "2016"
DEMO_SCENARIO = "palembang-2011"
DEMO_PASSWORD = "palembang2011"

# One account per role, in Palembang: the city, Ilir Timur II and its kelurahan 10 Ilir;
# the centre and the observer have no area (they see no personal data).
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin", "Admin Dinas Dukcapil", "admin_kota", "16.71"),
    ("camat.it2", "Operator Kecamatan Ilir Timur II", "operator_kecamatan", "16.71.06"),
    ("lurah.it2", "Petugas Kelurahan 10 Ilir", "petugas_kelurahan", "16.71.06.1001"),
    ("pusat", "Petugas Pusat Ditjen Dukcapil", "petugas_pusat", None),
    ("pengamat", "Pengamat (Sekda)", "pengamat", None),
)


def prepare(runtime: Runtime, *, scale: float, seed: int, echo: bool = True) -> None:
    """Create the schema, load Palembang, generate residents and demo accounts if missing."""
    from ektp.auth import service as auth_service
    from ektp.regions import service as regions_service
    from ektp.residents.models import Resident
    from ektp.residents.synthetic import run_generate
    from ektp.storage.migrate import upgrade

    say = typer.echo if echo else (lambda *_args, **_kwargs: None)
    upgrade(runtime.engine)
    with runtime.transaction() as session:
        if regions_service.loaded_edition(session=session, city=DEMO_CITY) is None:
            result = regions_service.load_city(
                session=session, city=DEMO_CITY, edition=DEMO_EDITION
            )
            say(f"loaded {result.nama}: {result.kecamatan} kecamatan, {result.kelurahan} kelurahan")
        residents = session.scalar(select(func.count()).select_from(Resident)) or 0
    if residents == 0:
        say(f"generating the demo population (scale {scale}, seed {seed})...")
        report = run_generate(
            runtime=runtime,
            city=DEMO_CITY,
            edition=DEMO_EDITION,
            scenario=DEMO_SCENARIO,
            scale=scale,
            seed=seed,
            out=None,
            show_progress=echo,
        )
        summary = report.as_dict()
        say(f"{summary['residents']} residents, {summary['wajib_ktp']} wajib KTP")
    else:
        say(f"registry already holds {residents} residents: keeping them")
    with runtime.transaction() as session:
        for username, full_name, role, area in DEMO_ACCOUNTS:
            if auth_service.get_user(session=session, username=username) is None:
                auth_service.create_user(
                    session=session,
                    username=username,
                    full_name=full_name,
                    role=role,
                    area_kode=area,
                    password=DEMO_PASSWORD,
                )
    say(f"demo accounts (password for all: {DEMO_PASSWORD}; for the demo only):")
    for username, _full_name, role, area in DEMO_ACCOUNTS:
        say(f"  {username:<10} {role:<20} {area or '-'}")


def simulate_demo_days(runtime: Runtime, *, days: int, seed: int, fast: bool) -> None:
    """Simulate ``days`` campaign days of the planned campaign."""
    from ektp.recording import closing
    from ektp.recording.demo_days import simulate

    with runtime.transaction() as session:
        previous = closing.last_closed_day(session=session)
    way = "through the services" if fast else "through the device API"
    typer.echo(f"simulating {days} campaign days {way}...")
    result = simulate(runtime, days=days, seed=seed, fast=fast, say=typer.echo)
    typer.echo(
        f"simulated {len(result.days)} days in {result.seconds:.0f} s "
        f"({result.requests} HTTP requests); see: ektp report daily"
    )
    if result.days:
        days_done = [tally.day for tally in result.days]
        first = days_done[0] if previous is None else previous + dt.timedelta(days=1)
        simulate_card_days(runtime, first=first, days=days_done, seed=seed)


def simulate_card_days(runtime: Runtime, *, first: dt.date, days: list[dt.date], seed: int) -> None:
    """Run the card pipeline from ``first`` (the day after the previous run's last day) to the
    last simulated day, and write each simulated day's Sekda report."""
    from pathlib import Path

    from ektp.cards.demo_pipeline import run_pipeline
    from ektp.cards.demo_pipeline_actors import demo_actors
    from ektp.monitoring.jobs import run_evening_job

    operators = {
        area: name
        for name, _, role, area in DEMO_ACCOUNTS
        if role == "operator_kecamatan" and area is not None
    }
    actors = demo_actors(runtime, centre="pusat", city="admin", operators=operators)
    reports = Path(runtime.settings.reports_dir)
    run_pipeline(
        runtime,
        first=min(first, min(days)),
        last=max(days),
        seed=seed,
        spool_dir=reports.parent / "batches",
        actors=actors,
        say=typer.echo,
    )
    for day in days:
        run_evening_job(runtime=runtime, day=day, out_dir=reports)
    typer.echo(f"Sekda reports of {len(days)} days written to {reports.resolve()}")


def demo_command(
    ctx: typer.Context,
    scale: Annotated[
        float, typer.Option(help="Share of the full city (1.0 = 1.2 million wajib KTP).")
    ] = 0.05,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = 7,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the web app.")] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    simulate_days: Annotated[
        int,
        typer.Option(
            min=0,
            help="Plan the Palembang 2011 campaign if needed, then simulate this many campaign "
            "days (check-in, recording through the device API, closing).",
        ),
    ] = 0,
    fast: Annotated[
        bool, typer.Option(help="Simulate through the services instead of the HTTP API.")
    ] = False,
) -> None:
    """Prepare the demo city (schema, Palembang 2011, residents, campaign plan) and serve it."""
    runtime = runtime_of(ctx)
    started = dt.datetime.now()
    prepare(runtime, scale=scale, seed=seed)
    from ektp.recording.demo_days import ensure_campaign

    # The planning pages, letters and desks need a planned campaign from the first minute.
    ensure_campaign(runtime, say=typer.echo)
    typer.echo(f"ready in {(dt.datetime.now() - started).total_seconds():.1f} s")
    if simulate_days:
        simulate_demo_days(runtime, days=simulate_days, seed=seed, fast=fast)
    if serve:
        from ektp.web.cli import serve_app

        typer.echo(f"serving at http://{host}:{port}  (Ctrl-C stops)")
        serve_app(runtime.settings, host=host, port=port)

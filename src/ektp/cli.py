"""The ``ektp`` command line: the root app; each domain contributes its own commands."""

from __future__ import annotations

from typing import Annotated

import typer

from ektp.auth.cli import app as users_app
from ektp.demo import demo_command
from ektp.recording.cli import app as devices_app
from ektp.recording.report_cli import app as report_app
from ektp.regions.cli import app as regions_app
from ektp.residents.cli import app as residents_app
from ektp.runtime import Runtime, runtime_of
from ektp.scheduling.cli import campaign_app, schedule_app
from ektp.scheduling.letters_cli import letters_command
from ektp.settings import get_settings
from ektp.sites.cli import app as sites_app
from ektp.web.cli import serve_command

app = typer.Typer(
    name="ektp",
    help="Run a city's e-KTP campaign: registry, planning, recording, cards, monitoring.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: EKTP_DATABASE_URL or a SQLite file)."),
    ] = None,
) -> None:
    runtime = Runtime(get_settings(database_url=db))
    ctx.obj = runtime
    ctx.call_on_close(runtime.dispose)


@app.command("init")
def init_command(ctx: typer.Context) -> None:
    """Create or upgrade the database schema."""
    from ektp.storage.migrate import current_revision, upgrade

    runtime = runtime_of(ctx)
    before = current_revision(runtime.engine)
    upgrade(runtime.engine)
    after = current_revision(runtime.engine)
    typer.echo(f"schema at revision {after} (was {before or 'empty'})")


app.add_typer(regions_app, name="regions", help="Kemendagri regions: load and show.")
app.add_typer(residents_app, name="residents", help="The registry: import and generate.")
app.add_typer(users_app, name="users", help="User accounts and API tokens: create.")
app.command("serve")(serve_command)
app.command("demo")(demo_command)
app.add_typer(campaign_app, name="campaign", help="Campaigns: create from a scenario TOML.")
app.add_typer(schedule_app, name="schedule", help="Turns: plan, export, re-plan, missed.")
app.add_typer(sites_app, name="sites", help="Recording sites: sets added, broken, repaired.")
app.add_typer(report_app, name="report", help="Daily reports: close a day, show the figures.")
app.command("letters")(letters_command)
app.add_typer(devices_app, name="devices", help="Simulated recording sets for demos and load.")
# Cards, monitoring and planning commands: each owner adds its lines under its marker.
# (cards)
from ektp.cards.batches_cli import batches_app, pusat_app  # noqa: E402

app.add_typer(batches_app, name="batches", help="Central batches: send, withdraw.")
app.add_typer(pusat_app, name="pusat", help="The centre: receive batch files.")
from ektp.cards.pipeline_cli import app as cards_app  # noqa: E402

app.add_typer(cards_app, name="cards", help="Card pipeline: return uncollected cards.")
# (monitoring)
from ektp.monitoring.sekda_cli import jobs_app, sekda_command  # noqa: E402

report_app.command("sekda")(sekda_command)
app.add_typer(jobs_app, name="jobs", help="Scheduled jobs: the evening Sekda report.")
# (planning)
from ektp.planning.cli import plan_app, simulate_command  # noqa: E402

app.add_typer(plan_app, name="plan", help="Equipment: sets needed, a budget, what-ifs.")
app.command("simulate")(simulate_command)


def main() -> None:
    """Run the command line."""
    app()

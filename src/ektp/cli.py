"""The ``ektp`` command line: the root app; each domain contributes its own commands."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from typing import Annotated

import typer

from ektp.runtime import Runtime, runtime_of
from ektp.settings import get_settings


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


def init_command(ctx: typer.Context) -> None:
    """Create or upgrade the database schema."""
    from ektp.storage.migrate import current_revision, upgrade

    runtime = runtime_of(ctx)
    before = current_revision(runtime.engine)
    upgrade(runtime.engine)
    after = current_revision(runtime.engine)
    typer.echo(f"schema at revision {after} (was {before or 'empty'})")


def _regions(root: typer.Typer) -> None:
    from ektp.regions.cli import app as regions_app

    root.add_typer(regions_app, name="regions", help="Kemendagri regions: load and show.")


def _residents(root: typer.Typer) -> None:
    from ektp.residents.cli import app as residents_app

    root.add_typer(residents_app, name="residents", help="The registry: import and generate.")


def _users(root: typer.Typer) -> None:
    from ektp.auth.cli import app as users_app

    root.add_typer(users_app, name="users", help="User accounts and API tokens: create.")


def _serve(root: typer.Typer) -> None:
    from ektp.web.cli import serve_command

    root.command("serve")(serve_command)


def _demo(root: typer.Typer) -> None:
    from ektp.demo import demo_command

    root.command("demo")(demo_command)


def _campaign(root: typer.Typer) -> None:
    from ektp.scheduling.cli import campaign_app

    root.add_typer(campaign_app, name="campaign", help="Campaigns: create from a scenario TOML.")


def _schedule(root: typer.Typer) -> None:
    from ektp.scheduling.cli import schedule_app

    root.add_typer(schedule_app, name="schedule", help="Turns: plan, export, re-plan, missed.")


def _sites(root: typer.Typer) -> None:
    from ektp.sites.cli import app as sites_app

    root.add_typer(sites_app, name="sites", help="Recording sites: sets added, broken, repaired.")


def _report(root: typer.Typer) -> None:
    from ektp.monitoring.sekda_cli import sekda_command
    from ektp.recording.report_cli import app as report_app

    if not any(command.name == "sekda" for command in report_app.registered_commands):
        report_app.command("sekda")(sekda_command)
    root.add_typer(report_app, name="report", help="Daily reports: close a day, show the figures.")


def _letters(root: typer.Typer) -> None:
    from ektp.scheduling.letters_cli import letters_command

    root.command("letters")(letters_command)


def _devices(root: typer.Typer) -> None:
    from ektp.recording.cli import app as devices_app

    root.add_typer(devices_app, name="devices", help="Simulated recording sets for demos and load.")


def _batches(root: typer.Typer) -> None:
    from ektp.cards.batches_cli import batches_app

    root.add_typer(batches_app, name="batches", help="Central batches: send, withdraw.")


def _pusat(root: typer.Typer) -> None:
    from ektp.cards.batches_cli import pusat_app

    root.add_typer(pusat_app, name="pusat", help="The centre: receive batch files.")


def _cards(root: typer.Typer) -> None:
    from ektp.cards.pipeline_cli import app as cards_app

    root.add_typer(cards_app, name="cards", help="Card pipeline: return uncollected cards.")


def _jobs(root: typer.Typer) -> None:
    from ektp.monitoring.sekda_cli import jobs_app

    root.add_typer(jobs_app, name="jobs", help="Scheduled jobs: the evening Sekda report.")


def _plan(root: typer.Typer) -> None:
    from ektp.planning.cli import plan_app

    root.add_typer(plan_app, name="plan", help="Equipment: sets needed, a budget, what-ifs.")


def _simulate(root: typer.Typer) -> None:
    from ektp.planning.cli import simulate_command

    root.command("simulate")(simulate_command)


COMMANDS: dict[str, Callable[[typer.Typer], None]] = {
    "regions": _regions,
    "residents": _residents,
    "users": _users,
    "serve": _serve,
    "demo": _demo,
    "campaign": _campaign,
    "schedule": _schedule,
    "sites": _sites,
    "report": _report,
    "letters": _letters,
    "devices": _devices,
    "batches": _batches,
    "pusat": _pusat,
    "cards": _cards,
    "jobs": _jobs,
    "plan": _plan,
    "simulate": _simulate,
}
"""Each command's module is imported only when that command runs (or for help): a plan
need not load the card, monitoring and web modules, a second of start-up on a slow machine.
"""


def build_app(only: str | None = None) -> typer.Typer:
    """Return a new root app with the command ``only`` (all commands when None or unknown)."""
    root = typer.Typer(
        name="ektp",
        help="Run a city's e-KTP campaign: registry, planning, recording, cards, monitoring.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    root.callback()(_root)
    root.command("init")(init_command)
    chosen = [COMMANDS[only]] if only in COMMANDS else list(COMMANDS.values())
    for add in chosen:
        add(root)
    return root


def _command_of(arguments: Sequence[str]) -> str | None:
    """Return the command named in ``arguments`` (after the root's ``--db URL``), if any."""
    rest = list(arguments)
    while rest:
        word = rest.pop(0)
        if word == "--db":
            if rest:
                rest.pop(0)
        elif not word.startswith("-"):
            return word
    return None


@functools.cache
def _full_app() -> typer.Typer:
    return build_app()


def __getattr__(name: str) -> typer.Typer:
    # ``from ektp.cli import app`` (tests, documentation tools) gets every command.
    if name == "app":
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Run the command line."""
    build_app(_command_of(sys.argv[1:]))()

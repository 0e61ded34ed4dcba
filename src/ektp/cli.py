"""The ``ektp`` command line: the root app; each domain contributes its own commands."""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Sequence
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


COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "regions": ("ektp.regions.cli", "app", "Kemendagri regions: load and show."),
    "residents": ("ektp.residents.cli", "app", "The registry: import and generate."),
    "users": ("ektp.auth.cli", "app", "User accounts and API tokens: create."),
    "serve": ("ektp.web.cli", "serve_command", None),
    "demo": ("ektp.demo", "demo_command", None),
    "campaign": ("ektp.scheduling.cli", "campaign_app", "Campaigns: create from a scenario TOML."),
    "schedule": ("ektp.scheduling.cli", "schedule_app", "Turns: plan, export, re-plan, missed."),
    "sites": ("ektp.sites.cli", "app", "Recording sites: sets added, broken, repaired."),
    "report": (
        "ektp.recording.report_cli",
        "app",
        "Daily reports: close a day, show the figures.",
    ),
    "letters": ("ektp.scheduling.letters_cli", "letters_command", None),
    "devices": ("ektp.recording.cli", "app", "Simulated recording sets for demos and load."),
    "batches": ("ektp.cards.batches_cli", "batches_app", "Central batches: send, withdraw."),
    "pusat": ("ektp.cards.batches_cli", "pusat_app", "The centre: receive batch files."),
    "cards": ("ektp.cards.pipeline_cli", "app", "Card pipeline: return uncollected cards."),
    "jobs": ("ektp.monitoring.sekda_cli", "jobs_app", "Scheduled jobs: the evening Sekda report."),
    "plan": ("ektp.planning.cli", "plan_app", "Equipment: sets needed, a budget, what-ifs."),
    "simulate": ("ektp.planning.cli", "simulate_command", None),
}
"""Each command: its module, the Typer group (with its help) or the command function (help
None) in it. A command's module is imported only when that command runs (or for help): a
plan need not load the card, monitoring and web modules, a second of start-up on a slow
machine.
"""


def _add(root: typer.Typer, name: str) -> None:
    module, attribute, group_help = COMMANDS[name]
    found = getattr(importlib.import_module(module), attribute)
    if name == "report":
        # The Sekda report belongs to monitoring but sits beside the daily report.
        from ektp.monitoring.sekda_cli import sekda_command

        if not any(command.name == "sekda" for command in found.registered_commands):
            found.command("sekda")(sekda_command)
    if group_help is None:
        root.command(name)(found)
    else:
        root.add_typer(found, name=name, help=group_help)


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
    for name in [only] if only in COMMANDS else COMMANDS:
        _add(root, name)
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

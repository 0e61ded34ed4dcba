"""The command line loads only the command it runs; help and tests see every command."""

from __future__ import annotations

from ektp import cli


def test_the_command_is_found_after_the_root_database_option() -> None:
    assert cli._command_of(["--db", "sqlite:///x.sqlite3", "schedule", "plan"]) == "schedule"
    assert cli._command_of(["--db=sqlite:///x.sqlite3", "plan", "equipment"]) == "plan"
    assert cli._command_of(["--help"]) is None
    assert cli._command_of([]) is None


def test_a_plan_builds_only_the_schedule_commands() -> None:
    app = cli.build_app("schedule")
    assert [group.name for group in app.registered_groups] == ["schedule"]
    assert [command.name for command in app.registered_commands] == ["init"]


def test_an_unknown_command_or_help_builds_every_command_so_typer_can_list_them() -> None:
    app = cli.build_app("nosuch")
    names = {group.name for group in app.registered_groups}
    names |= {command.name for command in app.registered_commands}
    assert names == {"init", *cli.COMMANDS}


def test_the_report_group_gets_its_sekda_command_once_however_often_it_is_built() -> None:
    from ektp.recording.report_cli import app as report_app

    cli.build_app("report")
    cli.build_app("report")
    assert [c.name for c in report_app.registered_commands].count("sekda") == 1


def test_importing_app_gives_the_full_command_line() -> None:
    from ektp.cli import app

    assert {group.name for group in app.registered_groups} >= {"schedule", "cards", "plan"}

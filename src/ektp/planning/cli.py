"""``ektp plan equipment`` (sets needed, a budget, what-ifs) and ``ektp simulate`` (one site)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated, Any

import typer

from ektp.planning import equipment, simulation, whatif
from ektp.scheduling.cli import JsonOption, fail, now, parse_day, scheduling_transaction

plan_app = typer.Typer(no_args_is_help=True)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def kecamatan_objects(
    comparison: whatif.Comparison, budget: equipment.BudgetPlan | None = None
) -> list[dict[str, Any]]:
    """Return one JSON-ready object per kecamatan: the figures of answer (a) for the campaign
    as it is; ``what_if`` ones when a change was made; ``sets_given`` and
    ``finish_with_budget`` when a budget was handed out.
    """
    changed = comparison.after is not comparison.before
    given = {line.kode_kecamatan: line for line in budget.lines} if budget else {}
    objects = []
    for line, after in zip(comparison.before.lines, comparison.after.lines, strict=True):
        found = {key: _plain(value) for key, value in dataclasses.asdict(line).items()}
        found["first_day"] = comparison.before.first_day.isoformat()
        found["deadline"] = comparison.before.deadline.isoformat()
        if changed:
            found["what_if"] = {
                key: _plain(getattr(after, key))
                for key in (
                    "sets_now",
                    "per_set_capacity_until_deadline",
                    "sets_needed",
                    "additional_sets",
                    "finish_now",
                    "finish_with_needed",
                )
            }
        if line.kode_kecamatan in given:
            found["sets_given"] = given[line.kode_kecamatan].sets_given
            found["finish_with_budget"] = _plain(given[line.kode_kecamatan].finish_after)
        objects.append(found)
    return objects


def _what_if(
    evening: bool | None, saturday: bool | None, minutes: int | None, move: str | None
) -> whatif.WhatIf:
    source = target = None
    if move is not None:
        source, _, target = move.partition(":")
        if not source or not target:
            raise fail("--move looks like FROM:TO, two kecamatan codes (16.71.01:16.71.06)")
    try:
        return whatif.WhatIf(
            evening=evening,
            saturday=saturday,
            minutes_per_person=minutes,
            move_from=source,
            move_to=target,
        )
    except ValueError as error:
        raise fail(str(error)) from None


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def _print_table(comparison: whatif.Comparison, budget: equipment.BudgetPlan | None) -> None:
    needs = comparison.after
    typer.echo(
        f"from {needs.first_day.isoformat()} to the deadline {needs.deadline.isoformat()}: "
        "sets_needed = ceil(remaining / per_set_capacity_until_deadline)"
    )
    typer.echo(
        "per set = what one set can book until the deadline, reserve EXCLUDED "
        "(the forecast's capacity in `ektp report sekda` includes it)"
    )
    typer.echo(
        f"{'kecamatan':<30} {'remaining':>9} {'sets':>4} {'days':>4} {'per set':>7} "
        f"{'needed':>6} {'more':>4} {'finish now':>10} {'with needed':>11}"
    )
    for line in needs.lines:
        needed = "-" if line.sets_needed is None else str(line.sets_needed)
        more = "-" if line.additional_sets is None else f"+{line.additional_sets}"
        typer.echo(
            f"{line.kode_kecamatan + ' ' + line.nama:<30.30} {line.remaining:>9} "
            f"{line.sets_now:>4} {line.open_days_until_deadline:>4} "
            f"{line.per_set_capacity_until_deadline:>7} {needed:>6} {more:>4} "
            f"{_date(line.finish_now):>10} {_date(line.finish_with_needed):>11}"
        )
    total = "impossible" if needs.total_additional is None else str(needs.total_additional)
    typer.echo(f"fewest additional sets for the city: {total}")
    saved = comparison.additional_sets_saved
    if comparison.after is not comparison.before and saved is not None:
        typer.echo(f"what-if: {saved} fewer additional sets than the campaign as it is")
    if budget is not None:
        typer.echo(
            f"budget of {budget.budget}: latest finish {_date(budget.latest_finish_now)} -> "
            f"{_date(budget.latest_finish_after)}; {budget.sets_left} sets shorten nothing"
        )
        for given in budget.lines:
            if given.sets_given:
                typer.echo(
                    f"  +{given.sets_given} to {given.kode_kecamatan} {given.nama}: "
                    f"{_date(given.finish_now)} -> {_date(given.finish_after)}"
                )


@plan_app.command("equipment")
def equipment_command(
    ctx: typer.Context,
    deadline: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: the campaign's deadline).")
    ] = None,
    budget: Annotated[
        int | None, typer.Option(min=0, help="Sets to hand out: where they help most.")
    ] = None,
    from_day: Annotated[
        str | None,
        typer.Option("--from", help="First day to plan (default: after the last closed day)."),
    ] = None,
    evening: Annotated[
        bool | None, typer.Option("--evening/--no-evening", help="What if: evening sessions.")
    ] = None,
    saturday: Annotated[
        bool | None, typer.Option("--saturday/--no-saturday", help="What if: Saturday sessions.")
    ] = None,
    minutes: Annotated[
        int | None, typer.Option("--minutes", min=1, help="What if: minutes per person.")
    ] = None,
    move: Annotated[
        str | None, typer.Option(help="What if: one set moved, FROM:TO kecamatan codes.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the sets each kecamatan needs to finish by the deadline, with the reasoning."""
    from ektp.planning import service

    change = _what_if(evening, saturday, minutes, move)
    last = parse_day(deadline, "--deadline")
    first = parse_day(from_day, "--from")
    with scheduling_transaction(ctx) as session:
        try:
            comparison = service.equipment_needs(
                session=session, now=now(), deadline=last, first_day=first, change=change
            )
            plan = None
            if budget is not None:
                plan = service.budget_plan(
                    session=session,
                    now=now(),
                    budget=budget,
                    deadline=last,
                    first_day=first,
                    change=None if change.is_empty else change,
                )
        except ValueError as error:
            raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(kecamatan_objects(comparison, plan), ensure_ascii=False))
        return
    _print_table(comparison, plan)


def season_object(
    config: simulation.SiteConfig, season: simulation.SeasonFigures
) -> dict[str, Any]:
    """Return the simulated season as JSON: totals, and per day its hours."""
    return {
        "sets": config.sets,
        "minutes_per_person": config.minutes_per_person,
        "recorded": season.recorded,
        "mean_wait_minutes": season.mean_wait,
        "idle_minutes": season.idle_minutes,
        "days": [
            {
                key: value
                for key, value in dataclasses.asdict(day).items()
                if key not in ("waits", "hours")
            }
            | {"hours": [dataclasses.asdict(hour) for hour in day.hours]}
            for day in season.days
        ],
    }


def simulate_command(
    ctx: typer.Context,
    site: Annotated[str, typer.Option(help="Site code (16.71.06).")],
    days: Annotated[int, typer.Option(min=1, max=366, help="Days to simulate.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of every draw.")] = 2011,
    date: Annotated[
        str | None, typer.Option(help="The day the site looks like (default: the next one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Simulate a site's queue over days: waits and queue by hour, recorded, idle minutes."""
    from ektp.planning import service

    day = parse_day(date, "--date")
    with scheduling_transaction(ctx) as session:
        try:
            config, season = service.simulate_site(
                session=session, site_code=site, now=now(), days=days, seed=seed, day=day
            )
        except ValueError as error:
            raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(season_object(config, season), ensure_ascii=False))
        return
    wait = "-" if season.mean_wait is None else f"{season.mean_wait:.1f}"
    typer.echo(
        f"{site}: {days} day(s), {config.sets} sets, {season.recorded} recorded, "
        f"mean wait {wait} min, idle {season.idle_minutes:.0f} set-minutes"
    )
    for figures in season.days:
        typer.echo(
            f"day {figures.day + 1}: arrived {figures.arrived}, recorded {figures.recorded}, "
            f"sent home {figures.sent_home}, no-shows {figures.no_shows}, "
            f"walk-ins {figures.walk_ins}"
        )
        for hour in figures.hours:
            mean = "-" if hour.mean_wait is None else f"{hour.mean_wait:.1f}"
            typer.echo(
                f"  {hour.hour:02d}:00 arrived {hour.arrived:>4} served {hour.served:>4} "
                f"queue {hour.mean_queue:>6.1f} (max {hour.max_queue:>3}) wait {mean:>6} min"
            )

"""``ektp devices``: simulated recording sets that drive the device API like real ones."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("simulate")
def simulate_command(
    url: Annotated[str, typer.Option(help="Base URL of the running server.")],
    token: Annotated[
        str,
        typer.Option(
            envvar="EKTP_DEVICE_TOKEN",
            help="API token of the set's operator (ektp users token); or EKTP_DEVICE_TOKEN.",
        ),
    ],
    site: Annotated[str, typer.Option(help="Site code of the set, e.g. 16.71.06.")],
    set_no: Annotated[int, typer.Option("--set", min=1, max=99, help="The set's number.")],
    people: Annotated[
        int | None,
        typer.Option(min=1, help="Stop after this many residents (default: until idle)."),
    ] = None,
    speed: Annotated[
        float, typer.Option(min=0.01, help="Time scale: 10 runs ten times faster than real life.")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed of the quality scores and timings.")] = 2011,
    idle_timeout: Annotated[
        float, typer.Option(min=0, help="Seconds to wait for a resident before stopping.")
    ] = 60.0,
) -> None:
    """Run one simulated recording set against the device API."""
    from ektp.recording.simulator import (
        DeviceApiError,
        SetConfig,
        SimulatedSet,
        UrllibTransport,
    )

    config = SetConfig(
        site_code=site,
        set_no=set_no,
        people=people,
        speed=speed,
        seed=seed,
        idle_timeout=idle_timeout,
    )
    device = SimulatedSet(UrllibTransport(url, token), config, say=typer.echo)
    try:
        report = device.run()
    except DeviceApiError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    mean = sum(report.seconds) / len(report.seconds) if report.seconds else 0.0
    typer.echo(
        f"set {set_no} at {site}: {report.recorded} recorded, {report.failed} failed, "
        f"{report.captures} captures ({report.retakes} retakes), {report.exceptions} exceptions, "
        f"{mean:.1f} s per person"
    )

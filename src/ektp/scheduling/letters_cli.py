"""``ektp letters``: call-up letters and delivery lists for a kelurahan, RW or RT."""

from __future__ import annotations

import typer


def letters_command(ctx: typer.Context) -> None:
    """Print call-up letters (being written)."""
    raise typer.Exit(3)

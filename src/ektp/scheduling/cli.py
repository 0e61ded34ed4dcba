"""Commands of the campaign: ``ektp campaign ...`` and ``ektp schedule ...``."""

from __future__ import annotations

import typer

campaign_app = typer.Typer(no_args_is_help=True)
schedule_app = typer.Typer(no_args_is_help=True)

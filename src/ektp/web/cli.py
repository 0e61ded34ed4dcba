"""``ektp serve``: run the web application with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from ektp.runtime import Runtime, runtime_of
from ektp.settings import Settings


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request line; off by default because search URLs carry NIKs and "
            "names (the audit log records those accesses instead).",
        ),
    ] = False,
) -> None:
    """Serve the web pages and the JSON API (/api/v1, documented at /docs)."""
    runtime = runtime_of(ctx)
    serve_app(runtime.settings, host=host, port=port, access_log=access_log, runtime=runtime)


def serve_app(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    access_log: bool = False,
    runtime: Runtime | None = None,
) -> None:
    """Run the application on ``host``:``port`` until interrupted."""
    import uvicorn

    from ektp.app import create_app

    app = create_app(settings, runtime=runtime)
    uvicorn.run(app, host=host, port=port, access_log=access_log, proxy_headers=False)

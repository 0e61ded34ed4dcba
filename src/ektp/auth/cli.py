"""``ektp users``: create accounts and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from ektp.auth import roles
from ektp.runtime import runtime_of

app = typer.Typer(no_args_is_help=True)


@app.command("create")
def create_command(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="Login name: lower-case letters, digits, . _ -")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(roles.ROLES)}.")],
    area: Annotated[
        str | None,
        typer.Option(
            help="Region code of the user's area: the kota for admin_kota (default: the only "
            "loaded one), a kecamatan for operator_kecamatan, a kelurahan for petugas_kelurahan."
        ),
    ] = None,
    full_name: Annotated[str | None, typer.Option(help="Shown on the pages.")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Initial password (asked for, hidden, when not given)."),
    ] = None,
) -> None:
    """Create a user account."""
    import datetime as dt

    from ektp.auth import service
    from ektp.regions.service import loaded_cities

    runtime = runtime_of(ctx)
    if role not in roles.ROLES:
        typer.echo(f"error: unknown role {role!r}; roles: {', '.join(roles.ROLES)}", err=True)
        raise typer.Exit(2)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with runtime.transaction() as session:
            if area is None and role == roles.ADMIN_KOTA:
                cities = loaded_cities(session=session)
                if len(cities) == 1:
                    area = cities[0].kode
            user = service.create_user(
                session=session,
                username=username,
                full_name=full_name or username,
                role=role,
                area_kode=area,
                password=password,
                now=dt.datetime.now(dt.UTC),
            )
            summary = f"created {user.username} ({user.role}, area {user.area_kode or '-'})"
    except service.UserError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(summary)


@app.command("token")
def token_command(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="The account the token acts as.")],
    name: Annotated[str, typer.Option(help="What uses the token, e.g. 'set-1 16.71.06'.")],
) -> None:
    """Create an API token for a user (for a recording set or a script); shown only once."""
    import datetime as dt

    from ektp.auth import service, tokens

    runtime = runtime_of(ctx)
    try:
        with runtime.transaction() as session:
            user = service.get_user(session=session, username=username)
            if user is None:
                raise tokens.TokenError(f"no user named {username.strip().lower()!r}")
            token = tokens.create_token(
                session=session, user=user, name=name, now=dt.datetime.now(dt.UTC)
            )
    except tokens.TokenError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(token)

"""CLI commands of the API: ``vigil serve`` and ``vigil token create``.

``register(app)`` adds them to the ``vigil`` Typer app (one line in ``vigil/cli.py``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from vigil.errors import VigilError

token_app = typer.Typer(no_args_is_help=True, help="API tokens (stored hashed; the secret is printed once).")
DbOpt = Annotated[str, typer.Option("--db", envvar="VIGIL_DB", help="SQLite file path or SQLAlchemy URL.")]


def _fail(e: Exception) -> None:
    typer.echo(f"Error: {e}", err=True)
    raise typer.Exit(1)


def serve(
    db: DbOpt = "vigil.db",
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=0, max=65535)] = 8000,
    web: Annotated[bool, typer.Option("--web/--no-web", help="Serve the browser UI at /.")] = True,
    workers: Annotated[int, typer.Option(help="Worker processes (one per core is a good start).", min=1,
                                         max=64)] = 1,
) -> None:
    """Serve the API (and the browser UI) over a store with uvicorn; OpenAPI docs at /docs."""
    import os

    import uvicorn

    from vigil.api import create_app
    from vigil.api.server import HTTP_PROTOCOL

    try:
        app = create_app(db, web=web)  # opens and migrates the store once, before any worker starts
    except VigilError as e:
        _fail(e)
        return
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"vigil: serving {db} at http://{shown}:{port}/ (API docs: http://{shown}:{port}/docs)", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", http=HTTP_PROTOCOL)
        return
    app.state.store.close()
    os.environ["VIGIL_SERVE_DB"] = db
    os.environ["VIGIL_SERVE_WEB"] = "1" if web else "0"
    uvicorn.run("vigil.api:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning",
                http=HTTP_PROTOCOL)


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")],
    db: DbOpt = "vigil.db",
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
) -> None:
    """Create an API token; the token is printed alone on the last line (it cannot be shown again)."""
    from vigil.store import open_store
    from vigil.store.review import ROLES, ReviewInvalid, create_token

    if role not in ROLES:
        _fail(VigilError(f"unknown role {role!r}. Valid: {', '.join(ROLES)}", code="V001"))
    try:
        store = open_store(db)
        try:
            token_id, secret = create_token(store, role, label)
        finally:
            store.close()
    except (VigilError, ReviewInvalid) as e:
        _fail(e)
        return
    typer.echo(f"created {role} token {token_id} in {db}; keep it secret, it is shown only once:", err=True)
    sys.stdout.write(secret + "\n")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``token`` group to the ``vigil`` CLI."""
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")

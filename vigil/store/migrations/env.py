"""Alembic environment of the vigil store.

``vigil.store.open_store`` passes an open connection in ``config.attributes["connection"]``
(inside a transaction it commits itself); run by hand, the URL comes from ``-x url=...``,
the ``sqlalchemy.url`` option or the ``VIGIL_DB`` environment variable.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from vigil.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    url = url or os.environ.get("VIGIL_DB")
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set VIGIL_DB")
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit the SQL of the migrations without a database."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the connection vigil passed in, or on a new one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

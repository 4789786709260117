"""Alembic environment: the app passes its own open connection (see db/migrate.py), so the
migration runs inside the caller's transaction and lock. From the command line
(`alembic revision --autogenerate -m "..."`) it connects to PROMPTMATCH_DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from db.models import Base

config = context.config
# render_as_batch: SQLite cannot ALTER most things, so Alembic rebuilds the table instead.
options: dict[str, Any] = {"target_metadata": Base.metadata, "render_as_batch": True, "compare_type": True}

connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()
else:
    from config import load_settings

    engine = create_engine(config.get_main_option("sqlalchemy.url") or load_settings().database_url)
    with engine.begin() as own_connection:
        context.configure(connection=own_connection, **options)
        with context.begin_transaction():
            context.run_migrations()

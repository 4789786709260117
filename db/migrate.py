"""Schema upgrades with Alembic, run by every process at start.

Databases made before migrations existed (`create_all`, no `alembic_version` table) hold
exactly the schema of revision 0001, so they are stamped with it and then upgraded in place.
Several web servers and workers may start at once: on PostgreSQL an advisory lock makes them
take turns, on SQLite the caller's `BEGIN IMMEDIATE` does.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BASELINE_REVISION = "0001"
# Any fixed number: every Prompt Match process asks for the same advisory lock.
_ADVISORY_LOCK_KEY = 7_262_019


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "db/migrations has no revision"
    return head


class DatabaseTooNew(RuntimeError):
    """The database was upgraded by a newer Prompt Match than this one: its schema revision is
    none this version knows, and writing to it could damage what the newer version stored."""

    def __init__(self, revision: str) -> None:
        super().__init__(f"schema revision {revision} is newer than this version's {head_revision()}")
        self.revision = revision


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(connection: Connection) -> None:
    """Bring the schema to the newest revision inside the caller's transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    tables = set(inspect(connection).get_table_names())
    config = alembic_config(connection)
    if "games" in tables and "alembic_version" not in tables:
        command.stamp(config, BASELINE_REVISION)
    current = current_revision(connection)
    if current is not None and current not in known_revisions():
        raise DatabaseTooNew(current)
    if current != head_revision():
        command.upgrade(config, "head")

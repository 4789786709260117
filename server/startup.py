"""What the server says when it cannot open its database at start: one plain paragraph naming
the file and what to do (the restore command when it is damaged), and a non-zero exit — never
Starlette's "Application startup failed" traceback."""

from __future__ import annotations

from config import Settings
from db.backup import latest_backup, sqlite_path
from db.faults import STORAGE_ERRORS, storage_fault
from db.migrate import DatabaseTooNew, head_revision

# What stops a process at start with one plain paragraph (startup_failure) instead of a traceback.
STARTUP_ERRORS: tuple[type[BaseException], ...] = (*STORAGE_ERRORS, DatabaseTooNew)

ADVICE = {
    "disk_full": "The disk is full. Free some space (or move the data folder), then start Prompt Match again.",
    "read_only": "The file cannot be written. Check that the account running Prompt Match may write it.",
    "unreachable": "The database server cannot be reached. Start PostgreSQL (or check the address), then try again.",
    "other": "See the message above; the server's log has the details.",
}


def startup_failure(error: BaseException, settings: Settings) -> str:
    database = sqlite_path(settings.database_url)
    where = f"the database file {database}" if database else "the database"
    if isinstance(error, DatabaseTooNew):
        return (
            f"Prompt Match cannot start: {where} was last used by a newer version of Prompt Match "
            f"(its schema is revision {error.revision}; this version knows revisions up to {head_revision()}). "
            "Nothing was changed. Start the newer version again (update this copy: git pull, then make run), "
            "or put back a backup made by this version with .venv/bin/python -m db.backup --restore <backup>."
        )
    kind = storage_fault(error)
    lines = [
        f"Prompt Match cannot start: {where} cannot be used ({kind.replace('_', ' ')}: {error.__class__.__name__})."
    ]
    if kind == "corrupt" and database is not None:
        newest = latest_backup(database)
        lines.append("The file is damaged. Put the latest backup back in its place with:")
        shown = newest if newest is not None else database.parent / "backups" / "<a backup>.db"
        lines.append(f"  .venv/bin/python -m db.backup --restore {shown}")
        lines.append("(the damaged file is kept aside), or move the file away to start with an empty database.")
    else:
        lines.append(ADVICE.get(kind, ADVICE["other"]))
    return "\n".join(lines)

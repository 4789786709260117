"""Backups of the game's SQLite database, and the way back.

    python -m db.backup                  # a consistent copy now, into <data>/backups/; prints its path
    python -m db.backup --restore PATH   # check PATH, keep the current file aside, put PATH in its place

The copy is taken with SQLite's online backup API, so it is consistent while the server runs
and students submit. The web server also makes one a day and keeps the last `KEEP` (see
`daily_backup`). A PostgreSQL database is backed up with its own tools: this prints the
`pg_dump` command for it.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from db.files import PRIVATE_FILE, DatabaseInUse, exclusive, make_private_folder

KEEP = 7
DAILY = timedelta(days=1)


def sqlite_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def backups_dir(database: Path) -> Path:
    return database.parent / "backups"


def backup(database: Path, folder: Path | None = None, now: datetime | None = None) -> Path:
    """A consistent copy of the database file, named by its time; the newest KEEP are kept."""
    folder = folder or backups_dir(database)
    make_private_folder(folder)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{database.stem}-{stamp}.db"
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        target.touch(mode=PRIVATE_FILE)  # children's data: readable by this account alone
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # A rollback-journal file stands alone: no -wal beside a backup, now or when read.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    for old in sorted(folder.glob(f"{database.stem}-*.db"))[:-KEEP]:
        old.unlink()
    return target


def latest_backup(database: Path) -> Path | None:
    found = sorted(backups_dir(database).glob(f"{database.stem}-*.db"))
    return found[-1] if found else None


def daily_backup(database: Path, now: datetime | None = None) -> Path | None:
    """A backup if the newest is a day old or there is none (the server calls this hourly)."""
    now = now or datetime.now(UTC)
    newest = latest_backup(database)
    if newest is not None and now - datetime.fromtimestamp(newest.stat().st_mtime, UTC) < DAILY:
        return None
    return backup(database, now=now)


def check(path: Path) -> str | None:
    """What is wrong with a database file, or None when SQLite finds it whole."""
    try:
        # immutable: read the file as it is, creating no -wal or -shm beside it.
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return str(error)
    if not result or result[0] != "ok":
        return f"integrity check: {result[0] if result else '?'}"
    if "games" not in tables:
        return "it holds no Prompt Match tables"
    return None


def restore(backup_file: Path, database: Path, now: datetime | None = None) -> Path | None:
    """Put a checked backup in the database's place; the current file (damaged or not) is
    kept aside, and its path returned (None when there was none). Refused, changing nothing,
    while a server or worker has the database open (DatabaseInUse): they would go on with the
    file put aside and lose everything at their next start."""
    problem = check(backup_file)
    if problem is not None:
        raise ValueError(f"{backup_file} cannot be restored: {problem}")
    with exclusive(database):
        aside = None
        if database.exists():
            stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
            aside = database.with_name(f"{database.name}.replaced-{stamp}")
            database.rename(aside)
            for suffix in ("-wal", "-shm"):  # a journal belongs to the file it came with
                journal = database.with_name(database.name + suffix)
                if journal.exists():
                    journal.rename(aside.with_name(aside.name + suffix))
        shutil.copyfile(backup_file, database)
        database.chmod(PRIVATE_FILE)
    return aside


STOP_FIRST = (
    "The database {database} is in use: a Prompt Match server or worker has it open. Nothing was "
    "changed. Stop every server and worker that uses it (Ctrl+C in the terminal of `make run`, "
    "or stop the service), then run this command again."
)


def main(argv: list[str] | None = None) -> int:
    from config import load_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--restore", metavar="PATH", help="a backup to put back in the database's place")
    parser.add_argument("--database-url", help="default: PROMPTMATCH_DATABASE_URL, or the embedded SQLite file")
    args = parser.parse_args(argv)
    url = args.database_url or load_settings().database_url
    database = sqlite_path(url)
    if database is None:
        shown = make_url(url).render_as_string(hide_password=True)
        print("This database is PostgreSQL: back it up with its own tool, for example")
        print(f"  pg_dump --format=custom --file promptmatch.dump '{shown}'")
        print("To restore it, first stop every Prompt Match server and worker that uses it (they would")
        print("keep writing to it during the restore), then:")
        print(f"  pg_restore --clean --if-exists --dbname '{shown}' promptmatch.dump")
        return 0
    if args.restore:
        try:
            aside = restore(Path(args.restore), database)
        except ValueError as refused:
            print(refused, file=sys.stderr)
            return 2
        except DatabaseInUse:
            print(STOP_FIRST.format(database=database), file=sys.stderr)
            return 3
        print(f"Restored {args.restore} as {database}.")
        if aside is not None:
            print(f"The file it replaced is kept as {aside}.")
        return 0
    if not database.exists():
        print(f"There is no database at {database} yet: nothing to back up.", file=sys.stderr)
        return 2
    print(backup(database))
    return 0


if __name__ == "__main__":
    sys.exit(main())

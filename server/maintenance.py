"""The web server's housekeeping, in a daemon thread: at start and then every hour, the
retention sweep (game/retention.py: games past their time deleted, one per transaction) and,
for SQLite, a backup when the newest is a day old (db/backup.py keeps the last seven). A
PostgreSQL server is backed up with its own tools."""

from __future__ import annotations

import logging
import threading
from functools import partial
from pathlib import Path

from db.backup import daily_backup, sqlite_path
from db.session import Database, shared_database
from game.retention import delete_if_due, due_games

log = logging.getLogger(__name__)
EVERY_S = 3600.0
_started = threading.Event()


def sweep(db: Database) -> int:
    """Delete the games past their time; how many went."""
    deleted = 0
    while True:
        with db.read() as session:
            due = due_games(session)
        if not due:
            return deleted
        for game_id in due:
            if db.transaction(partial(delete_if_due, game_id=game_id)):
                deleted += 1
        if deleted:
            db.checkpoint()  # the deleted games' old pages leave the WAL file too
        if len(due) < 50:
            return deleted


def housekeeping(db: Database, database: Path | None) -> None:
    try:
        if deleted := sweep(db):
            log.info("retention: deleted %d games past their time", deleted)
    except Exception:  # the database may be restarting: next hour
        log.exception("the retention sweep failed")
    if database is None:
        return
    try:
        made = daily_backup(database)
    except Exception:  # a full disk, say: the game goes on, the log says why
        log.exception("the daily backup failed")
        return
    if made is not None:
        log.info("backup written: %s", made)


def start_housekeeping(database_url: str, stop: threading.Event | None = None) -> None:
    """Once per process (Streamlit may run the lifespan again)."""
    if _started.is_set():
        return
    _started.set()
    database = sqlite_path(database_url)
    db = shared_database(database_url)
    stop = stop or threading.Event()

    def loop() -> None:
        while True:
            housekeeping(db, database)
            if stop.wait(EVERY_S):
                return

    threading.Thread(target=loop, name="promptmatch-housekeeping", daemon=True).start()

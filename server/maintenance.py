"""The web server's housekeeping, in a daemon thread: at start and then every hour, a backup
of the SQLite database when the newest is a day old (db/backup.py keeps the last seven).
A PostgreSQL server is backed up with its own tools."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from db.backup import daily_backup, sqlite_path

log = logging.getLogger(__name__)
EVERY_S = 3600.0
_started = threading.Event()


def housekeeping(database: Path) -> None:
    try:
        made = daily_backup(database)
    except Exception:  # a full disk, say: the game goes on, the log says why
        log.exception("the daily backup failed")
        return
    if made is not None:
        log.info("backup written: %s", made)


def start_housekeeping(database_url: str, stop: threading.Event | None = None) -> None:
    """Once per process (Streamlit may run the lifespan again)."""
    database = sqlite_path(database_url)
    if database is None or _started.is_set():
        return
    _started.set()
    stop = stop or threading.Event()

    def loop() -> None:
        while True:
            housekeeping(database)
            if stop.wait(EVERY_S):
                return

    threading.Thread(target=loop, name="promptmatch-housekeeping", daemon=True).start()

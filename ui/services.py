"""Process-wide resources for the pages: settings, the database, the embedded worker.

They are module globals (db.session, worker/embedded.py) rather than Streamlit cache entries:
clearing Streamlit's caches (any browser can ask for it) must not open a second connection
pool or start a second worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.orm import Session

from config import Settings, load_settings
from db.faults import STORAGE_ERRORS
from db.queue import live_workers
from db.session import Database, shared_database
from game.errors import GameError
from ui.faults import show_error, show_storage_fault

T = TypeVar("T")

log = logging.getLogger(__name__)


def settings() -> Settings:
    return load_settings()


def database() -> Database:
    current = settings()
    db = shared_database(current.database_url)
    if current.worker == "thread":
        # Imported here, not at the top: the worker holds torch and the models, and a web
        # server with an external worker (PROMPTMATCH_WORKER=external) never loads them.
        from worker.embedded import embedded_worker

        embedded_worker(db, current)
    return db


def stop_background_work(timeout_s: float = 2.0) -> None:
    """At shutdown: this process's worker thread finishes or leaves its batch (worker/embedded.py)."""
    if settings().worker == "thread":
        from worker.embedded import stop_embedded_worker

        stop_embedded_worker(timeout_s)


def wake_worker() -> None:
    """After a write that queued work: this process's worker starts now, not at its next poll."""
    if settings().worker == "thread":
        from worker.embedded import wake_embedded_worker

        wake_embedded_worker()


def write(db: Database, action: Callable[[Session], T]) -> T | None:
    """Run one write transaction; on a GameError or a storage failure show its message and
    return None. Then wake this process's worker: a new attempt, round or AI job starts now.

    Callers rerun the page only after this returns: st.rerun() inside the transaction would
    roll it back.
    """
    try:
        result = db.transaction(action)
    except GameError as error:
        show_error(error)
        return None
    except STORAGE_ERRORS as error:  # what was typed stays in the form: the page does not rerun
        show_storage_fault(error)
        return None
    wake_worker()
    return result


def done(db: Database, action: Callable[[Session], object]) -> bool:
    """`write` for an action that returns nothing: whether it was stored (else its message is shown)."""

    def stored(session: Session) -> bool:
        action(session)
        return True

    return write(db, stored) is not None


def start_background_work() -> None:
    """At server start: open the database and, in thread mode, start the worker."""
    database()


def offline_engine(db: Database) -> bool:
    """Whether new games draw with the offline sketch engine: chosen, or `auto` fell back
    (a live worker says why in its note)."""
    engine = settings().engine
    if engine == "sketch":
        return True
    if engine != "auto":
        return False
    _alive, notes = worker_notes(db)
    return any("sketch" in note for note in notes)


def worker_notes(db: Database) -> tuple[int, list[str]]:
    with db.read() as session:
        workers = live_workers(session, timedelta(seconds=settings().worker_lease_s + 5))
        return len(workers), sorted({w.note for w in workers if w.note})

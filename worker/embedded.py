"""The one worker thread of a web process (`PROMPTMATCH_WORKER=thread`, the default).

A module global, not a Streamlit cache entry: any browser can ask Streamlit to clear its
caches, and that must not start a second worker (each would load the models again).
"""

from __future__ import annotations

import logging
import threading

from config import Settings
from db.session import Database
from worker.runner import Worker

log = logging.getLogger(__name__)

_embedded: Worker | None = None
_embedded_lock = threading.Lock()


def embedded_worker(database: Database, settings: Settings) -> Worker:
    """This process's worker thread, started on first use."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            _embedded = Worker(database, settings)
            _embedded.start_thread()
            log.info("embedded generation worker %s started", _embedded.worker_id)
        return _embedded


def wake_embedded_worker() -> None:
    """Tell this process's worker thread, if it has one, that work may be waiting."""
    if _embedded is not None:
        _embedded.wake()

"""The one worker thread of a web process (`PROMPTMATCH_WORKER=thread`, the default).

A module global, not a Streamlit cache entry: any browser can ask Streamlit to clear its
caches, and that must not start a second worker (each would load the models again).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from config import Settings
from db.changes import listen_for_commits
from db.session import Database
from worker.runner import Worker

log = logging.getLogger(__name__)

_embedded: Worker | None = None
_embedded_lock = threading.Lock()
_threads: list[threading.Thread] = []

# Every write of this process wakes the thread (below), so its poll is only a safety net for
# work that appears otherwise (a script writing to the same file): once every 2 s, not 5 times
# a second, which was most of an idle server's CPU.
EMBEDDED_POLL_S = 2.0


def embedded_worker(database: Database, settings: Settings) -> Worker:
    """This process's worker thread, started on first use."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            poll = max(settings.poll_interval_s, EMBEDDED_POLL_S)
            _embedded = Worker(database, replace(settings, poll_interval_s=poll))
            thread = _embedded.start_thread()
            _threads.append(thread)
            worker = _embedded

            def wake_for(_game_ids: frozenset[int]) -> None:
                # Its own commits need no wake: after storing a batch it looks for the next.
                if threading.current_thread() is not thread:
                    worker.wake()

            listen_for_commits(wake_for)
            log.info("embedded generation worker %s started", _embedded.worker_id)
        return _embedded


def stop_embedded_worker(timeout_s: float) -> None:
    """At shutdown: the worker stops taking work and finishes the batch in hand if it can
    within `timeout_s`. A batch it cannot finish stays claimed by a worker that no longer
    beats, and the next start queues it again (its lease): scored after the restart, not lost."""
    if _embedded is None:
        return
    _embedded.stop_event.set()
    _embedded.wake()
    for thread in _threads:
        thread.join(timeout_s)


def wake_embedded_worker() -> None:
    """Tell this process's worker thread, if it has one, that work may be waiting."""
    if _embedded is not None:
        _embedded.wake()

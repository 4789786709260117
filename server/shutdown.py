"""Stopping quickly: SIGTERM (systemd, docker stop, a teacher's Ctrl+C) ends the server within
about a second, not after the longest waiting page's 25 s.

The web server stops gracefully: it waits for every open request to end. A page's waiting
request (server/live_feed.py) ends only when something changes or after WAIT_S, so a stop
once waited up to 25 s. The handler below answers every waiting page first and then hands
the signal to the server's own handler; after the requests close, app.py's lifespan lets the
worker thread finish or leave its batch (ui.services.stop_background_work): a batch it
leaves is queued again at the next start, so no attempt is lost.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from server.live_feed import answer_waiting_pages

log = logging.getLogger(__name__)


def answer_pages_before_stopping() -> None:
    """Chain our step in front of the handlers the server installed for SIGTERM and SIGINT."""
    for number in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(number)

        def handler(signum: int, frame: FrameType | None, previous: object = previous) -> None:
            answer_waiting_pages()
            if callable(previous):
                previous(signum, frame)
            elif signum == signal.SIGINT:
                raise KeyboardInterrupt
            else:
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        try:
            signal.signal(number, handler)
        except ValueError:  # not the main thread (a test's server): nothing to chain
            log.debug("signal handlers stay as they are outside the main thread")
            return

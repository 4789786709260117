"""The job runner: the loop that claims work from the database, the heartbeat, and the
worker's identity. The jobs it runs are worker/targets.py (a round's target and scale),
worker/ai_turns.py (the AI's attempts) and worker/attempts.py (the students' attempts), on
what they share (worker/round_work.py); engine/ draws and scores, game/ and db/ store.

It is the only code that holds the models. It runs as a daemon thread inside the web server
(the default, worker/embedded.py) or as its own process (`python -m worker`, worker/__main__.py).
The database is the queue, so both modes behave the same.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from config import Settings
from db.queue import (
    AITurnJob,
    AttemptBatch,
    TargetJob,
    claim_next,
    fail_abandoned_rounds,
    heartbeat,
    release_jobs,
    requeue_abandoned,
    waiting_work,
)
from db.session import Database
from engine.feedback import RoundFeedback
from engine.registry import EngineRegistry
from worker.ai_turns import AITurns
from worker.attempts import Attempts
from worker.reasons import STORE_FAILED, readable
from worker.round_cache import RoundCache
from worker.targets import TargetJobs, round_scale

log = logging.getLogger(__name__)

BURST_S = 1.0  # a batch drawn this recently means a class is submitting
GATHER_S = 0.15  # how long an attempt of a burst waits for the others arriving with it

# At most this long between heartbeats; shorter when the lease is short (a third of it).
HEARTBEAT_EVERY_S = 5.0
# What the tests and benchmarks import from here.
__all__ = ["STORE_FAILED", "Worker", "readable", "round_scale"]


class Worker(TargetJobs, AITurns, Attempts):
    def __init__(
        self,
        database: Database,
        settings: Settings,
        registry: EngineRegistry | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.registry = registry or EngineRegistry(settings)
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.batch_size = max(1, settings.batch_size)
        # Per round, for the rounds being played now: a finished round's target image and
        # features are let go once newer rounds take their place.
        self._target_features: RoundCache[Any] = RoundCache()
        self._feedback: RoundCache[RoundFeedback] = RoundCache()
        # The jobs of the batch in hand: the heartbeat queues again any other job still
        # `running` under this worker's id (a batch whose results could not be stored).
        self.jobs_in_hand: frozenset[int] = frozenset()
        # The round whose target or AI turn this worker is working on (None between them).
        self.round_in_hand: int | None = None
        self._hand = threading.Lock()
        self._store_failures: set[int] = set()  # jobs whose results could not be stored once
        self.lease = timedelta(seconds=settings.worker_lease_s)
        self.heartbeat_every_s = min(HEARTBEAT_EVERY_S, settings.worker_lease_s / 3)
        self.stop_event = threading.Event()
        # Set by the web process when it queues work (thread mode): the worker starts at once
        # instead of at its next poll.
        self.wake_event = threading.Event()
        self.last_batch_at = -1e9  # time.monotonic() of the last batch of attempts drawn
        # Live rounds' attempts before homework's (db.queue.claim_jobs); False only for the
        # benchmark's first-come baseline (bench/homework.py).
        self.live_first = True

    # -- lifecycle ---------------------------------------------------------------------------
    def recover(self) -> int:
        """At start: queue again the jobs of workers that stopped heartbeating. A worker never
        takes jobs from a live one, even if a second embedded worker or an external worker
        shares the database."""
        with self.database.write() as session:
            return requeue_abandoned(session, lease=self.lease)

    def beat(self) -> None:
        """Say this worker is alive; queue again the jobs of workers that are not, and this
        worker's own jobs that are not in hand any more."""
        note = " | ".join(self.registry.notes) or None
        # Under the hand lock: a batch just claimed is in hand before a beat can see it.
        with self._hand, self.database.write() as session:
            heartbeat(session, self.worker_id, note)
            requeued = requeue_abandoned(session, lease=self.lease)
            requeued += release_jobs(session, self.worker_id, keep=self.jobs_in_hand)
            # A round job whose failure could not be recorded must not stay "generating" while
            # this worker lives (only a dead worker's were freed): it fails, with a reason the
            # host sees, and *Draw the target again* / *Add an AI player* work again.
            stuck = fail_abandoned_rounds(session, self.worker_id, keep=self.round_in_hand)
        if stuck:
            log.warning("failed %d round jobs this worker was no longer working on", stuck)
        if requeued:
            log.warning("queued again %d attempts left running", requeued)

    def _beat_forever(self) -> None:
        # Its own thread, so that a worker busy with a long batch or loading a model for
        # minutes is not presumed dead and does not lose its jobs to another worker.
        while not self.stop_event.wait(self.heartbeat_every_s):
            try:
                self.beat()
            except Exception:  # the database may be restarting; try again next time
                log.exception("heartbeat failed")

    def warm_up(self) -> None:
        """Resolve the default engine before the first student waits: loads the real models
        once, or records at once why `auto` falls back to sketch (for the host's banner)."""
        try:
            self.registry.resolve(self.settings.engine)
        except Exception:  # a broken model is reported per round; keep the worker alive
            log.exception("warm-up failed")

    def run_forever(self) -> None:
        self.recover()
        self.beat()
        threading.Thread(target=self._beat_forever, name="promptmatch-heartbeat", daemon=True).start()
        self.warm_up()
        while not self.stop_event.is_set():
            try:
                did_work = self.run_once()
            except Exception:  # keep serving: one bad batch must not stop the class
                log.exception("worker loop error")
                did_work = False
            if not did_work:
                woken = self.wake_event.wait(self.settings.poll_interval_s)
                self.wake_event.clear()
                if woken and time.monotonic() - self.last_batch_at < BURST_S:
                    # A class is submitting: the attempts that arrive together are drawn in
                    # one batch (one claim, one store, one model call) rather than one by
                    # one. A student alone, or the first of a burst, does not wait.
                    self.stop_event.wait(GATHER_S)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="promptmatch-worker", daemon=True)
        thread.start()
        return thread

    # -- one step ----------------------------------------------------------------------------
    def wake(self) -> None:
        self.wake_event.set()

    def run_once(self) -> int:
        """Prepare one target image, play one AI turn or process one batch; returns how many
        items were done."""
        # A cheap read first: an idle worker's poll takes no write lock (SQLite has one).
        with self.database.read() as session:
            waiting = waiting_work(session)
        if not waiting:
            return 0
        with self._hand:  # claimed and in hand at once, as far as the heartbeat can tell
            with self.database.write() as session:
                claim = claim_next(
                    session, self.worker_id, self.batch_size, live_first=self.live_first, waiting=waiting
                )
            match claim:
                case TargetJob(round_id) | AITurnJob(round_id):
                    self.round_in_hand = round_id
                case AttemptBatch(jobs):
                    self.jobs_in_hand = frozenset(job.id for job in jobs)
        match claim:
            case None:
                return 0
            case TargetJob(round_id):
                with self._holding_round():
                    self.prepare_target(round_id)
                return 1
            case AITurnJob(round_id):
                with self._holding_round():
                    self.write_ai_prompt(round_id)
                return 1
            case AttemptBatch(jobs):
                self.process(jobs)
                self.last_batch_at = time.monotonic()
                return len(jobs)
        return 0

    @contextmanager
    def _holding_round(self) -> Iterator[None]:
        try:
            yield
        finally:
            self.round_in_hand = None

"""The generation worker: the only code that touches the pipeline and the CLIP model.

It runs as a daemon thread inside the web server (the default) or as its own process:
    python -m engine.worker --database-url URL [--device cuda:0] [--batch 16]
The database is the queue, so both modes behave the same.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import torch
from PIL import Image

from config import Settings, load_settings
from db.models import Game, ImageBlob, Round
from db.queue import (
    ClaimedJob,
    claim_ai_prompt,
    claim_jobs,
    claim_target,
    finish_job,
    has_work,
    heartbeat,
    requeue_abandoned,
)
from db.session import Database, open_database
from engine.ai_player import compose_clip_prompt, describe_sketch
from engine.base import EngineUnavailable
from engine.feedback import Coach, Review, clip_of
from engine.imaging import ATTEMPT_MIME, decode_image, encode_attempt, encode_png
from engine.registry import EngineRegistry, LoadedEngine, default_scorer
from game.coaching import fail_ai_attempt, submit_ai_attempt
from game.text import has_hangul

log = logging.getLogger(__name__)

# At most this long between heartbeats; shorter when the lease is short (a third of it).
HEARTBEAT_EVERY_S = 5.0


def readable(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if isinstance(error, EngineUnavailable) else f"{type(error).__name__}: {text}"[:500]


def generate_splitting(loaded: LoadedEngine, prompts: Sequence[str], seed: int, size: int) -> list[Image.Image]:
    """Generate a batch; when the GPU runs out of memory, halve the batch and try again."""
    try:
        return loaded.generator.generate(prompts, seed=seed, size=size)
    except torch.OutOfMemoryError:
        if len(prompts) == 1:
            raise
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        half = len(prompts) // 2
        log.warning("out of memory on a batch of %d; splitting", len(prompts))
        return generate_splitting(loaded, prompts[:half], seed, size) + generate_splitting(
            loaded, prompts[half:], seed, size
        )


def generate_and_score(
    loaded: LoadedEngine, target: Any, prompts: Sequence[str], seed: int, size: int
) -> tuple[list[Image.Image], list[float], list[bool]]:
    """The hot path, shared by the worker and `python -m bench.engine`: one pipeline call for
    the batch, one batched scorer call against the target's cached features, and the output
    check (engine/safety.py) on the same features. Returns images, scores, and flags."""
    images = generate_splitting(loaded, prompts, seed, size)
    features = loaded.scorer.embed(images)
    scores = loaded.scorer.similarity(target, features)
    flags = loaded.image_check.flagged(images, features if loaded.scorer.name == "clip" else None)
    return images, scores, flags


class Worker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        registry: EngineRegistry | None = None,
        worker_id: str | None = None,
        *,
        sole_worker: bool = True,
    ) -> None:
        self.database = database
        self.settings = settings
        self.registry = registry or EngineRegistry(settings)
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        # The embedded worker is alone: at start, whatever is "running" was left by a crash.
        self.sole_worker = sole_worker
        self.batch_size = max(1, settings.batch_size)
        self._target_features: dict[tuple[int, str], Any] = {}
        self._coaches: dict[tuple[int, str], Coach] = {}
        self.lease = timedelta(seconds=settings.worker_lease_s)
        self.heartbeat_every_s = min(HEARTBEAT_EVERY_S, settings.worker_lease_s / 3)
        self.stop_event = threading.Event()
        # Set by the web process when it queues work (thread mode): the worker starts at once
        # instead of at its next poll.
        self.wake_event = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    def recover(self) -> int:
        with self.database.write() as session:
            return requeue_abandoned(session, lease=None if self.sole_worker else self.lease)

    def beat(self) -> None:
        """Say this worker is alive, and queue again the jobs of workers that are not."""
        note = " | ".join(self.registry.notes) or None
        with self.database.write() as session:
            heartbeat(session, self.worker_id, note)
            requeued = 0 if self.sole_worker else requeue_abandoned(session, lease=self.lease)
        if requeued:
            log.warning("queued again %d attempts of workers that stopped heartbeating", requeued)

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
                self.wake_event.wait(self.settings.poll_interval_s)
                self.wake_event.clear()

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="promptmatch-worker", daemon=True)
        thread.start()
        return thread

    # -- one step ----------------------------------------------------------------------------
    def wake(self) -> None:
        self.wake_event.set()

    def run_once(self) -> int:
        """Prepare one target image or process one batch; returns how many items were done."""
        with self.database.read() as session:
            if not has_work(session):
                return 0
        with self.database.write() as session:
            round_id = claim_target(session, self.worker_id)
        if round_id is not None:
            self.prepare_target(round_id)
            return 1
        with self.database.write() as session:
            round_id = claim_ai_prompt(session, self.worker_id)
        if round_id is not None:
            self.write_ai_prompt(round_id)
            return 1
        with self.database.write() as session:
            jobs = claim_jobs(session, self.worker_id, self.batch_size)
        if not jobs:
            return 0
        self.process(jobs)
        return len(jobs)

    def _engine_for(self, round_id: int) -> tuple[Round, LoadedEngine]:
        """Load the round's engine, stamping the resolved names on the round the first time so
        that every attempt in it uses the same engine and scorer."""
        with self.database.read() as session:
            round_ = session.get(Round, round_id)
            game = session.get(Game, round_.game_id)
            engine_name = round_.engine or game.engine
            scorer_name = round_.scorer or game.scorer
        loaded = self.registry.load(engine_name, scorer_name)
        if round_.engine is None or round_.scorer is None:
            with self.database.write() as session:
                stamped = session.get(Round, round_id)
                stamped.engine = stamped.engine or loaded.engine
                stamped.scorer = stamped.scorer or (
                    scorer_name if scorer_name != "auto" else default_scorer(loaded.engine)
                )
                round_ = stamped
        return round_, loaded

    def prepare_target(self, round_id: int) -> None:
        """Draw the round's target with its seed and store it. Any error (the model, the disk)
        ends the job with its reason for the host, who can try again."""
        try:
            round_, loaded = self._engine_for(round_id)
            image = loaded.generator.generate([round_.secret_prompt or ""], seed=round_.seed, size=round_.image_size)[0]
            png = encode_png(image)
            with self.database.write() as session:
                blob = ImageBlob(data=png, width=image.width, height=image.height)
                session.add(blob)
                session.flush()
                ready = session.get(Round, round_id)
                ready.target_image_id, ready.target_status, ready.target_error = blob.id, "ready", None
        except Exception as error:
            log.exception("target generation failed for round %s", round_id)
            with self.database.write() as session:
                failed = session.get(Round, round_id)
                failed.target_status, failed.target_error = "failed", readable(error)

    def target_image(self, round_: Round) -> Image.Image:
        with self.database.read() as session:
            return decode_image(session.get(ImageBlob, round_.target_image_id).data)

    def target_features(self, round_: Round, loaded: LoadedEngine) -> Any:
        """Embedded once per round and scorer, then reused for every attempt."""
        key = (round_.id, loaded.scorer.name)
        if key not in self._target_features:
            self._target_features[key] = loaded.scorer.embed([self.target_image(round_)])[0]
        return self._target_features[key]

    def clip_for(self, loaded: LoadedEngine) -> Any:
        """The CLIP model for feedback and the AI: the scorer's, or none on the sketch engine."""
        if loaded.engine == "sketch":
            return clip_of(loaded.scorer)
        return clip_of(loaded.scorer) or self.registry.scorer("clip", engine=loaded.engine)

    def coach(self, round_: Round, loaded: LoadedEngine) -> Coach:
        key = (round_.id, loaded.scorer.name)
        if key not in self._coaches:
            clip = self.clip_for(loaded)
            features = self.target_features(round_, loaded) if clip is loaded.scorer else None
            self._coaches[key] = Coach(self.target_image(round_), round_.secret_prompt, clip, features)
        return self._coaches[key]

    def reviews(
        self, round_: Round, loaded: LoadedEngine, prompts: list[str], images: list[Image.Image]
    ) -> list[Review | None]:
        """Word feedback and hints are a bonus: if they fail, the scores still count."""
        try:
            return list(self.coach(round_, loaded).review(prompts, images))
        except Exception:
            log.exception("feedback failed for round %s", round_.id)
            return [None] * len(prompts)

    def write_ai_prompt(self, round_id: int) -> None:
        """The AI opponent writes its prompt from the target, then queues it like a student.
        Any error ends the job with its reason for the host, never a round stuck "writing"."""
        try:
            round_, loaded = self._engine_for(round_id)
            target = self.target_image(round_)
            clip = self.clip_for(loaded)
            prompt = compose_clip_prompt(clip, target) if clip is not None else describe_sketch(target)
            log.info("AI prompt for round %s: %s", round_id, prompt)
            with self.database.write() as session:
                submit_ai_attempt(session, round_id, prompt)
        except Exception as error:
            log.exception("the AI could not play round %s", round_id)
            with self.database.write() as session:
                fail_ai_attempt(session, round_id, readable(error))

    def translations(self, loaded: LoadedEngine, prompts: list[str]) -> list[str | None]:
        """English for the Korean prompts, when a translation model is here; else None each.
        The sketch engine reads its own word list, so it is given the prompt as written."""
        korean = [i for i, prompt in enumerate(prompts) if has_hangul(prompt)]
        translator = self.registry.translator() if korean and loaded.engine != "sketch" else None
        result: list[str | None] = [None] * len(prompts)
        if translator is not None:
            for i, english in zip(korean, translator.translate([prompts[i] for i in korean]), strict=True):
                result[i] = english or None
        return result

    def process(self, jobs: list[ClaimedJob]) -> None:
        round_id = jobs[0].round_id
        try:
            round_, loaded = self._engine_for(round_id)
            target = self.target_features(round_, loaded)
            translations = self.translations(loaded, [j.prompt for j in jobs])
            prompts = [translated or j.prompt for j, translated in zip(jobs, translations, strict=True)]
            images, scores, flags = generate_and_score(loaded, target, prompts, round_.seed, round_.image_size)
        except Exception as error:
            log.exception("batch of %d failed", len(jobs))
            reason = readable(error)
            with self.database.write() as session:
                for job in jobs:
                    finish_job(session, job.id, self.worker_id, status="failed", error=reason)
            return
        pictures = [None if flagged else encode_attempt(image) for image, flagged in zip(images, flags, strict=True)]
        reviews = self.reviews(round_, loaded, prompts, images)
        with self.database.write() as session:
            for job, picture, score, review, translated in zip(
                jobs, pictures, scores, reviews, translations, strict=True
            ):
                if picture is None:
                    # Flagged by the output check: the image is never stored, so it can never
                    # be shown or exported; the attempt counts, with no score.
                    log.warning("attempt %s blocked by the %s check", job.id, loaded.image_check.name)
                    finish_job(session, job.id, self.worker_id, status="blocked", error="image flagged")
                    continue
                finish_job(
                    session,
                    job.id,
                    self.worker_id,
                    status="done",
                    score=round(score, 2),
                    image=picture,
                    image_mime=ATTEMPT_MIME,
                    size=round_.image_size,
                    feedback=json.dumps(review.feedback, ensure_ascii=False) if review else None,
                    prompt_similarity=review.prompt_similarity if review else None,
                    engine_prompt=translated,
                )


_embedded: Worker | None = None
_embedded_lock = threading.Lock()


def embedded_worker(database: Database, settings: Settings) -> Worker:
    """The one worker thread of this process (`PROMPTMATCH_WORKER=thread`), started on first use."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            _embedded = Worker(database, settings, sole_worker=True)
            _embedded.start_thread()
            log.info("embedded generation worker %s started", _embedded.worker_id)
        return _embedded


def wake_embedded_worker() -> None:
    """Tell this process's worker thread, if it has one, that work may be waiting."""
    if _embedded is not None:
        _embedded.wake()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a Prompt Match generation worker.")
    parser.add_argument("--database-url", help="defaults to PROMPTMATCH_DATABASE_URL")
    parser.add_argument("--device", help="cpu, cuda, cuda:0 … (default: auto)")
    parser.add_argument("--batch", type=int, help="prompts per pipeline call")
    parser.add_argument("--lease", type=float, help="seconds without a heartbeat before a worker is presumed dead")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = load_settings()
    changes: dict[str, object] = {}
    if args.database_url:
        changes["database_url"] = args.database_url
    if args.device:
        changes["device"] = args.device
    if args.batch:
        changes["batch_size"] = args.batch
    if args.lease:
        changes["worker_lease_s"] = args.lease
    settings = settings.with_changes(**changes)
    worker = Worker(open_database(settings.database_url), settings, sole_worker=False)
    log.info("worker %s on %s", worker.worker_id, settings.database_url.split("@")[-1])
    # SIGTERM (docker stop, systemd) finishes the batch in hand, then exits.
    signal.signal(signal.SIGTERM, lambda *_: worker.stop_event.set())
    with contextlib.suppress(KeyboardInterrupt):
        worker.run_forever()


if __name__ == "__main__":
    main()

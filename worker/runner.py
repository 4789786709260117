"""The job runner: claims work from the database, has engine/ draw and score it, and stores
the results through the game's rules.

It is the only code that holds the models. It runs as a daemon thread inside the web server
(the default, worker/embedded.py) or as its own process (`python -m worker`, worker/__main__.py).
The database is the queue, so both modes behave the same.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from PIL import Image
from sqlalchemy.orm import Session

from config import Settings
from db.faults import STORAGE_ERRORS, storage_fault
from db.models import Game, ImageBlob, Round
from db.queue import (
    ClaimedJob,
    claim_ai_prompt,
    claim_jobs,
    claim_target,
    fail_abandoned_rounds,
    finish_job,
    has_work,
    heartbeat,
    release_jobs,
    requeue_abandoned,
)
from db.session import Database, required
from db.statuses import AttemptStatus, TargetStatus
from engine.ai_opponent import PhraseSlots, Tried, clip_slots, next_prompt, sketch_slots
from engine.base import EngineUnavailable
from engine.batch import generate_and_score, score_prompts
from engine.feedback import Review, RoundFeedback, clip_of
from engine.imaging import ATTEMPT_MIME, decode_image, encode_attempt, encode_png
from engine.registry import EngineRegistry, LoadedEngine, default_scorer
from game.ai_opponent import ai_history, fail_ai_attempt, submit_ai_attempt
from game.scoring import FLOOR_PROMPTS, UPLOAD_SEED_TRIES, Calibration
from game.text import has_hangul
from worker.round_cache import RoundCache

log = logging.getLogger(__name__)

# At most this long between heartbeats; shorter when the lease is short (a third of it).
HEARTBEAT_EVERY_S = 5.0
# Shown to the student whose attempt could not be saved twice (a full disk, most likely).
STORE_FAILED = "the result could not be saved"


def readable(error: BaseException) -> str:
    """The reason the host reads: the engine's own words, a storage failure's kind as a
    message key (details go to the log, never a driver's message with its SQL), else the
    error's first line."""
    if isinstance(error, STORAGE_ERRORS):
        return STORAGE_REASONS.get(storage_fault(error), STORAGE_REASONS["other"])
    text = str(error).strip() or type(error).__name__
    return text if isinstance(error, EngineUnavailable) else f"{type(error).__name__}: {text.splitlines()[0]}"[:500]


# Stored as message keys, translated where they are read (ui/widgets.reason, the exports'
# label): a Korean host reads a Korean reason.
STORAGE_REASONS = {
    "disk_full": "reason_disk_full",
    "read_only": "reason_read_only",
    "corrupt": "reason_corrupt",
    "unreachable": "reason_unreachable",
    "other": "reason_busy",
}


@dataclass(frozen=True)
class PreparedTarget:
    png: bytes | None  # a drawn target's picture; None for an uploaded one (already stored)
    size: tuple[int, int]
    seed: int  # an uploaded photo's seed is the one the search chose
    calibration: Calibration


def store_target(session: Session, round_id: int, prepared: PreparedTarget) -> None:
    ready = required(session, Round, round_id)
    if prepared.png is not None:
        blob = ImageBlob(data=prepared.png, width=prepared.size[0], height=prepared.size[1])
        session.add(blob)
        session.flush()
        ready.target_image_id = blob.id
    ready.seed = prepared.seed
    ready.score_floor, ready.score_ceiling = prepared.calibration.floor, prepared.calibration.ceiling
    ready.target_status, ready.target_error = TargetStatus.READY, None


def stamp_round(session: Session, round_id: int, engine: str, scorer: str, runtime: str) -> None:
    """The first worker to touch a round writes the engine, scorer and runtime every attempt
    will use."""
    round_ = required(session, Round, round_id)
    round_.engine = round_.engine or engine
    round_.scorer = round_.scorer or scorer
    round_.runtime = round_.runtime or runtime


def round_scale(loaded: LoadedEngine, target: Any, seed: int, size: int, ceiling: float) -> Calibration:
    """A round's score scale (game/scoring.py): the floor is the mean raw score of the unrelated
    prompts drawn with the round's seed; the ceiling is given (the secret prompt's own
    picture, or an uploaded photo's best seed)."""
    unrelated = score_prompts(loaded, target, FLOOR_PROMPTS, seed, size)
    return Calibration(round(sum(unrelated) / len(unrelated), 4), round(ceiling, 4))


@dataclass(frozen=True)
class RoundJob:
    """What the worker needs of a round, read once: no ORM object outlives its session."""

    id: int
    seed: int
    image_size: int
    secret_prompt: str | None
    target_image_id: int | None
    calibration: Calibration
    attempts: int  # per player, the AI included


class Worker:
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
        for claim, work in ((claim_target, self.prepare_target), (claim_ai_prompt, self.write_ai_prompt)):
            with self._hand:  # claimed and in hand at once, as far as the heartbeat can tell
                with self.database.write() as session:
                    round_id = claim(session, self.worker_id)
                self.round_in_hand = round_id
            if round_id is not None:
                try:
                    work(round_id)
                finally:
                    self.round_in_hand = None
                return 1
        with self._hand:  # claimed and in hand at once, as far as the heartbeat can tell
            with self.database.write() as session:
                jobs = claim_jobs(session, self.worker_id, self.batch_size)
            self.jobs_in_hand = frozenset(job.id for job in jobs)
        if not jobs:
            return 0
        self.process(jobs)
        return len(jobs)

    def _engine_for(self, round_id: int) -> tuple[RoundJob, LoadedEngine]:
        """Load the round's engine, stamping the resolved names on the round the first time so
        that every attempt in it uses the same engine and scorer."""
        with self.database.read() as session:
            round_ = required(session, Round, round_id)
            game = required(session, Game, round_.game_id)
            engine_name = round_.engine or game.engine
            scorer_name = round_.scorer or game.scorer
            stamped = round_.engine is not None and round_.scorer is not None and round_.runtime is not None
            stamped_runtime = round_.runtime
            job = RoundJob(
                round_.id,
                round_.seed,
                round_.image_size,
                round_.secret_prompt,
                round_.target_image_id,
                Calibration(round_.score_floor, round_.score_ceiling),
                game.attempts_per_round,
            )
        loaded = self.registry.load(engine_name, scorer_name)
        runtime = getattr(loaded.generator, "runtime", loaded.engine)
        if stamped_runtime is not None and stamped_runtime != runtime:
            # Fairness: a picture computed another way would score differently. Said plainly,
            # with what to do, instead of mixing two runtimes in one round.
            raise EngineUnavailable(
                f"this round's pictures are computed with {stamped_runtime} and this worker runs {runtime}; "
                "start its workers with the same PROMPTMATCH_DEVICE and PROMPTMATCH_CPU_RUNTIME"
            )
        if not stamped:
            scorer = scorer_name if scorer_name != "auto" else default_scorer(loaded.engine)
            self.database.transaction(lambda session: stamp_round(session, round_id, loaded.engine, scorer, runtime))
        return job, loaded

    def prepare_target(self, round_id: int) -> None:
        """Draw the round's target with its seed (or, for an uploaded photo, choose the seed),
        measure the round's score scale, and store both. Any error (the model, the disk) ends
        the job with its reason for the host, who can try again."""
        try:
            round_, loaded = self._engine_for(round_id)
            prepared = self.measure_target(round_, loaded)
            self.database.transaction(lambda session: store_target(session, round_id, prepared))
        except Exception as error:
            log.exception("target generation failed for round %s", round_id)
            with self.database.write() as session:
                failed = required(session, Round, round_id)
                failed.target_status, failed.target_error = TargetStatus.FAILED, readable(error)

    def measure_target(self, round_: RoundJob, loaded: LoadedEngine) -> PreparedTarget:
        """The target and its calibration (game/scoring.py): the floor is the mean raw score of
        the unrelated prompts; the ceiling the secret prompt's own picture, or for an uploaded
        photo the best the AI's prompt reaches over a few seeds, whose seed the round keeps."""
        size = round_.image_size
        if round_.target_image_id is None:
            target = loaded.generator.generate([round_.secret_prompt or ""], seed=round_.seed, size=size)[0]
            features = loaded.scorer.embed([target])[0]
            seed, ceiling, png = round_.seed, loaded.scorer.similarity(features, [features])[0], encode_png(target)
        else:
            target = self.target_image(round_)
            features = loaded.scorer.embed([target])[0]
            seed, ceiling = self.fair_seed(round_, loaded, target, features)
            png = None
        # Every attempt of the round is scored against these features: keep them.
        self._target_features.get((round_.id, loaded.scorer.name), lambda: features)
        scale = round_scale(loaded, features, seed, size, ceiling)
        log.info("round %s: seed %s, floor %.2f, ceiling %.2f", round_.id, seed, scale.floor, scale.ceiling)
        return PreparedTarget(png, target.size, seed, scale)

    def fair_seed(
        self, round_: RoundJob, loaded: LoadedEngine, target: Image.Image, features: Any
    ) -> tuple[int, float]:
        """A photo was not drawn by the model, so some seeds cannot reach it: the AI's best
        prompt is drawn with UPLOAD_SEED_TRIES seeds (the round's first) and the closest wins."""
        prompt = self.phrase_slots(loaded, target).best_guess()
        picker = random.Random(round_.seed)
        seeds = [round_.seed] + [picker.randrange(2**31) for _ in range(UPLOAD_SEED_TRIES - 1)]
        scored = [(score_prompts(loaded, features, [prompt], seed, round_.image_size)[0], seed) for seed in seeds]
        best, seed = max(scored, key=lambda pair: pair[0])
        return seed, best

    def target_image(self, round_: RoundJob) -> Image.Image:
        with self.database.read() as session:
            return decode_image(required(session, ImageBlob, round_.target_image_id).data)

    def target_features(self, round_: RoundJob, loaded: LoadedEngine) -> Any:
        """Embedded once per round and scorer, then reused for every attempt."""
        return self._target_features.get(
            (round_.id, loaded.scorer.name), lambda: loaded.scorer.embed([self.target_image(round_)])[0]
        )

    def clip_for(self, loaded: LoadedEngine) -> Any:
        """The CLIP model for feedback and the AI: the scorer's, or none on the sketch engine."""
        if loaded.engine == "sketch":
            return clip_of(loaded.scorer)
        return clip_of(loaded.scorer) or self.registry.scorer("clip", engine=loaded.engine)

    def feedback(self, round_: RoundJob, loaded: LoadedEngine) -> RoundFeedback:
        def build() -> RoundFeedback:
            clip = self.clip_for(loaded)
            features = self.target_features(round_, loaded) if clip is loaded.scorer else None
            return RoundFeedback(self.target_image(round_), round_.secret_prompt, clip, features, seed=round_.seed)

        return self._feedback.get((round_.id, loaded.scorer.name), build)

    def reviews(
        self, round_: RoundJob, loaded: LoadedEngine, prompts: list[str], images: list[Image.Image]
    ) -> list[Review | None]:
        """Word feedback and hints are a bonus: if they fail, the scores still count."""
        try:
            return list(self.feedback(round_, loaded).review(prompts, images))
        except Exception:
            log.exception("feedback failed for round %s", round_.id)
            return [None] * len(prompts)

    def phrase_slots(self, loaded: LoadedEngine, target: Image.Image) -> PhraseSlots:
        clip = self.clip_for(loaded)
        return clip_slots(clip, target) if clip is not None else sketch_slots(target)

    def write_ai_prompt(self, round_id: int) -> None:
        """The AI opponent's turn: from its scored attempts so far, it tries at most a batch of
        variants privately (engine/ai_opponent.py), then queues the best like a student.
        Any error ends the job with its reason for the host, never a round stuck "writing"."""
        try:
            round_, loaded = self._engine_for(round_id)
            target = self.target_image(round_)
            features = self.target_features(round_, loaded)
            with self.database.read() as session:
                tried = [Tried(prompt, score) for prompt, score in ai_history(session, round_id)]
            prompt = next_prompt(
                self.phrase_slots(loaded, target),
                tried,
                lambda prompts: score_prompts(loaded, features, prompts, round_.seed, round_.image_size),
                budget=self.batch_size,
            )
            log.info("AI attempt %d for round %s: %s", len(tried) + 1, round_id, prompt)
            self.database.transaction(lambda session: submit_ai_attempt(session, round_id, prompt))
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
        self.jobs_in_hand = frozenset(job.id for job in jobs)
        try:
            self._generate_and_store(jobs)
        except Exception:
            # The results could not be stored (a full disk, a database restart): in a fresh
            # transaction, the batch goes back to the queue, or fails with a reason the second
            # time, so that no student waits on an attempt "in progress" for ever.
            log.exception("could not store a batch of %d", len(jobs))
            self._give_back(jobs)
        finally:
            self.jobs_in_hand = frozenset()

    def _give_back(self, jobs: list[ClaimedJob]) -> None:
        again = [job.id for job in jobs if job.id in self._store_failures]
        self._store_failures.update(job.id for job in jobs)
        try:
            with self.database.write() as session:
                for job_id in again:
                    finish_job(session, job_id, self.worker_id, status=AttemptStatus.FAILED, error=STORE_FAILED)
                release_jobs(session, self.worker_id, job_ids=[job.id for job in jobs])
            self._store_failures.difference_update(again)
        except Exception:  # the heartbeat queues them again once the database is back
            log.exception("could not give the batch back yet")

    def _generate_and_store(self, jobs: list[ClaimedJob]) -> None:
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
                    finish_job(session, job.id, self.worker_id, status=AttemptStatus.FAILED, error=reason)
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
                    finish_job(session, job.id, self.worker_id, status=AttemptStatus.BLOCKED, error="image flagged")
                    continue
                finish_job(
                    session,
                    job.id,
                    self.worker_id,
                    status=AttemptStatus.DONE,
                    # The score shown is the formula applied to the raw similarity as stored.
                    score=round_.calibration.score(round(score, 2)),
                    raw_score=round(score, 2),
                    image=picture,
                    image_mime=ATTEMPT_MIME,
                    size=round_.image_size,
                    feedback=json.dumps(review.feedback, ensure_ascii=False) if review else None,
                    prompt_similarity=review.prompt_similarity if review else None,
                    engine_prompt=translated,
                )
        self._store_failures.difference_update(self.jobs_in_hand)

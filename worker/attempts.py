"""The students' attempts: a batch drawn in one pipeline call, scored against the round's
target, reviewed (word feedback, a hint), and stored exactly once."""

from __future__ import annotations

import json
import logging

from PIL import Image

from db.queue import ClaimedJob, finish_job, release_jobs
from db.statuses import AttemptStatus
from engine.batch import generate_and_score
from engine.feedback import Review, RoundFeedback
from engine.imaging import ATTEMPT_MIME, encode_attempt
from engine.registry import LoadedEngine
from game.text import has_hangul
from worker.reasons import STORE_FAILED, readable
from worker.round_work import RoundJob, RoundWork

log = logging.getLogger(__name__)


class Attempts(RoundWork):
    jobs_in_hand: frozenset[int]
    _store_failures: set[int]

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

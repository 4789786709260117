"""The target job: draw a round's target with its seed (or, for an uploaded photo, choose the
seed the model reaches it best with), measure the round's score scale, and store both."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

from PIL import Image

from db.queue import fail_target, store_target
from engine.batch import score_prompts
from engine.imaging import encode_png
from engine.registry import LoadedEngine
from game.scoring import FLOOR_PROMPTS, UPLOAD_SEED_TRIES, Calibration
from worker.reasons import readable
from worker.round_work import RoundJob, RoundWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedTarget:
    png: bytes | None  # a drawn target's picture; None for an uploaded one (already stored)
    size: tuple[int, int]
    seed: int  # an uploaded photo's seed is the one the search chose
    calibration: Calibration


def round_scale(loaded: LoadedEngine, target: Any, seed: int, size: int, ceiling: float) -> Calibration:
    """A round's score scale (game/scoring.py): the floor is the mean raw score of the unrelated
    prompts drawn with the round's seed; the ceiling is given (the secret prompt's own
    picture, or an uploaded photo's best seed)."""
    unrelated = score_prompts(loaded, target, FLOOR_PROMPTS, seed, size)
    return Calibration(round(sum(unrelated) / len(unrelated), 4), round(ceiling, 4))


class TargetJobs(RoundWork):
    def prepare_target(self, round_id: int) -> None:
        """Draw the round's target with its seed (or, for an uploaded photo, choose the seed),
        measure the round's score scale, and store both. Any error (the model, the disk) ends
        the job with its reason for the host, who can try again."""
        try:
            round_, loaded = self._engine_for(round_id)
            prepared = self.measure_target(round_, loaded)
            self.database.transaction(
                lambda session: store_target(
                    session,
                    round_id,
                    png=prepared.png,
                    size=prepared.size,
                    seed=prepared.seed,
                    floor=prepared.calibration.floor,
                    ceiling=prepared.calibration.ceiling,
                )
            )
        except Exception as error:
            log.exception("target generation failed for round %s", round_id)
            with self.database.write() as session:
                fail_target(session, round_id, readable(error))

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
        prompt is drawn with UPLOAD_SEED_TRIES seeds (the round's first) and the closest wins.
        A lesson's picture keeps the seed its lesson stored (chosen so the first time): the
        same round comes back, and only the ceiling is measured at it."""
        prompt = self.phrase_slots(loaded, target).best_guess()
        picker = random.Random(round_.seed)
        tries = 1 if round_.seed_kept else UPLOAD_SEED_TRIES
        seeds = [round_.seed] + [picker.randrange(2**31) for _ in range(tries - 1)]
        scored = [(score_prompts(loaded, features, [prompt], seed, round_.image_size)[0], seed) for seed in seeds]
        best, seed = max(scored, key=lambda pair: pair[0])
        return seed, best

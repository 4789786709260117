"""What every kind of job of a round needs: the round read once, its engine loaded (and
stamped on the round the first time), its target picture and features, the CLIP model for
feedback and the AI, and the AI's phrase slots. The jobs themselves are worker/targets.py,
worker/ai_turns.py and worker/attempts.py; worker/runner.py runs the loop over them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PIL import Image

from db.models import Game, ImageBlob, Round
from db.queue import stamp_round
from db.session import Database, required
from engine.ai_opponent import PhraseSlots, clip_slots, sketch_slots
from engine.base import EngineUnavailable
from engine.feedback import RoundFeedback, clip_of
from engine.imaging import decode_image
from engine.registry import EngineRegistry, LoadedEngine, default_scorer
from game.scoring import Calibration
from worker.round_cache import RoundCache

log = logging.getLogger(__name__)


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
    seed_kept: bool = False  # an uploaded picture from a lesson: its stored seed, no search


class RoundWork:
    """The worker's state every job uses (set by Worker.__init__) and the helpers they share."""

    database: Database
    registry: EngineRegistry
    worker_id: str
    batch_size: int
    _target_features: RoundCache[Any]
    _feedback: RoundCache[RoundFeedback]

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
                round_.attempts or game.attempts_per_round,
                round_.seed_kept,
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

    def phrase_slots(self, loaded: LoadedEngine, target: Image.Image) -> PhraseSlots:
        clip = self.clip_for(loaded)
        return clip_slots(clip, target) if clip is not None else sketch_slots(target)

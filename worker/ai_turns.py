"""The AI opponent's turn: from its own scored attempts, a batch of variants tried privately,
and the best queued like a student's attempt."""

from __future__ import annotations

import logging

from engine.ai_opponent import Tried, next_prompt
from engine.batch import score_prompts
from game.ai_opponent import ai_history, fail_ai_attempt, submit_ai_attempt
from worker.reasons import readable
from worker.round_work import RoundWork

log = logging.getLogger(__name__)


class AITurns(RoundWork):
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

"""How hard each preset target really is, measured from the games played on this server.

After a round is revealed, each student who played it either reached the "very close" band
(game/scoring.py) at some attempt or did not. Those figures are read from the stored attempts
when the preset library is shown, rather than copied into a table of their own: a hidden
attempt or a removed player then changes them at once, and there is nothing to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Player, Round, Submission
from db.statuses import AttemptStatus, RoundStatus
from game.presets import PRESETS
from game.scoring import VERY_CLOSE

# Fewer students than this say more about the class than about the picture.
ENOUGH_PLAYERS = 5


@dataclass(frozen=True)
class PlayedDifficulty:
    players: int  # students who scored at least once on the preset, over every revealed round
    reached: int  # of them, how many reached "very close"
    attempts: float | None  # the mean attempt at which they got there; None if no one did


def played_difficulty(session: Session) -> dict[str, PlayedDifficulty]:
    """Per preset id, once enough students have played it."""
    by_prompt = {preset.prompt: preset.id for preset in PRESETS}
    reached_at = func.min(Submission.attempt_no).filter(Submission.score >= VERY_CLOSE)
    rows = session.execute(
        select(Round.secret_prompt, Submission.round_id, Submission.player_id, reached_at)
        .join(Round, Round.id == Submission.round_id)
        .join(Player, Player.id == Submission.player_id)
        .where(
            Round.target_source == "preset",
            Round.status == RoundStatus.REVEALED,
            Submission.status == AttemptStatus.DONE,
            Submission.hidden.is_(False),
            Player.is_ai.is_(False),
            Player.kicked_at.is_(None),
        )
        .group_by(Round.secret_prompt, Submission.round_id, Submission.player_id)
    ).all()
    per_preset: dict[str, list[int | None]] = {}
    for secret, _round_id, _player_id, attempt in rows:
        if secret in by_prompt:
            per_preset.setdefault(by_prompt[secret], []).append(attempt)
    result = {}
    for preset_id, attempts in per_preset.items():
        if len(attempts) < ENOUGH_PLAYERS:
            continue
        reached = [a for a in attempts if a is not None]
        mean = round(sum(reached) / len(reached), 1) if reached else None
        result[preset_id] = PlayedDifficulty(len(attempts), len(reached), mean)
    return result

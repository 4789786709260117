"""The AI opponent, as the game sees it: a host action, checked here like every other.

The host asks for an AI player; a worker (which holds the models) writes its prompt from the
target image (engine/ai_opponent.py) and hands it to `submit_ai_attempt`, which queues it
through the same path as a student's attempt: same seed, same scoring, same leaderboard,
marked as AI.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Game, Player, Round
from db.types import utcnow
from game.errors import NotAllowed
from game.rounds import host_round, round_view, settle
from game.submissions import queue_attempt
from game.tokens import hash_token
from game.views import RoundView, SubmissionView

AI_NICKNAME = "AI"
# No typed nickname folds to this key (clean_text removes format characters such as U+2060),
# so no student can take the AI's name and the AI never collides with a student. (It was
# "\x00ai" until migration 0005: PostgreSQL text cannot hold NUL, so the AI never played there.)
AI_NICKNAME_KEY = "\u2060ai"


def add_ai_player(
    session: Session, code: str, host_token: str | None, round_id: int, now: datetime | None = None
) -> RoundView:
    now = now or utcnow()
    round_ = host_round(session, code, host_token, round_id)
    settle(round_, now)
    if round_.status == "revealed":
        raise NotAllowed("ai_after_reveal")
    if round_.ai_status in ("pending", "writing", "done"):
        raise NotAllowed("ai_already_added")
    round_.ai_status, round_.ai_worker_id, round_.ai_error = "pending", None, None  # a worker picks it up
    return round_view(round_, now, for_host=True)


def ai_player(session: Session, game: Game, now: datetime) -> Player:
    player = session.scalar(select(Player).where(Player.game_id == game.id, Player.is_ai.is_(True)))
    if player is None:
        player = Player(
            game_id=game.id,
            nickname=AI_NICKNAME,
            nickname_key=AI_NICKNAME_KEY,
            # A token nobody is ever given: no one can play as the AI.
            token_hash=hash_token(secrets.token_urlsafe(32)),
            joined_at=now,
            is_ai=True,
        )
        session.add(player)
        session.flush()
    return player


def submit_ai_attempt(
    session: Session, round_id: int, prompt: str, now: datetime | None = None
) -> SubmissionView | None:
    """Called by the worker with the prompt it wrote. None when the round was revealed in the
    meantime (the AI must not play once the secret is out)."""
    now = now or utcnow()
    # The game's row first, then the round's: the order every other writer locks them in.
    game_id = session.scalar(select(Round.game_id).where(Round.id == round_id))
    if game_id is None:
        return None
    session.get(Game, game_id, with_for_update=True)
    round_ = session.get(Round, round_id, with_for_update=True, populate_existing=True)
    settle(round_, now)
    if round_.ai_status != "writing":  # a worker presumed dead: another took the job over
        return None
    if round_.status == "revealed":
        round_.ai_status = "failed"
        return None
    game = session.get(Game, round_.game_id)
    submission = queue_attempt(session, game, ai_player(session, game, now), round_, prompt[:300], now)
    round_.ai_status = "done"
    return submission


def fail_ai_attempt(session: Session, round_id: int, reason: str) -> None:
    """The AI's job ended in an error: the host sees why and can add the AI again."""
    round_ = session.get(Round, round_id)
    if round_ is not None and round_.ai_status == "writing":
        round_.ai_status, round_.ai_error = "failed", reason[:500]

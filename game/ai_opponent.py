"""The AI opponent, as the game sees it: a host action, checked here like every other.

The host asks for an AI player; a worker (which holds the models) writes its prompt from the
target image and its own scores so far (engine/ai_opponent.py) and hands it to
`submit_ai_attempt`, which queues it through the same path as a student's attempt: same seed,
same scoring, same attempt limit, same leaderboard, marked as AI.

Its turns: pending -> writing -> playing (its attempt is in the queue; once scored, the next
turn is claimed, db/queue.py) -> writing -> ... -> done once its attempts are used. It plays
until then or until the reveal, also in a round the host already closed (the host may add it
after the class has played, to compare).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.changes import note_changes
from db.models import Game, Player, Round, Submission
from db.session import required
from db.statuses import AIStatus, AttemptStatus, RoundStatus
from db.types import utcnow
from game.errors import NotAllowed
from game.rounds import attempts_allowed, host_round, round_view, settle
from game.submissions import attempts_used, queue_attempt
from game.tokens import hash_token
from game.views import RoundView, SubmissionView

AI_NICKNAME = "AI"
# After this many of its attempts failed in a round (the engine, the disk), the AI stops.
AI_FAILURES_ALLOWED = 2
# No typed nickname folds to this key (clean_text removes format characters such as U+2060),
# so no student can take the AI's name and the AI never collides with a student. (It was
# "\x00ai" until migration 0005: PostgreSQL text cannot hold NUL, so the AI never played there.)
AI_NICKNAME_KEY = "\u2060ai"


def add_ai_player(
    session: Session, code: str, credential: str | None, round_id: int, now: datetime | None = None
) -> RoundView:
    now = now or utcnow()
    round_ = host_round(session, code, credential, round_id)
    settle(round_, now)
    if round_.status == RoundStatus.REVEALED:
        raise NotAllowed("ai_after_reveal")
    if round_.ai_status in (AIStatus.PENDING, AIStatus.WRITING, AIStatus.PLAYING, AIStatus.DONE):
        raise NotAllowed("ai_already_added")
    round_.ai_status, round_.ai_worker_id, round_.ai_error = AIStatus.PENDING, None, None  # a worker picks it up
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
    round_ = required(session, Round, round_id, with_for_update=True, populate_existing=True)
    settle(round_, now)
    if round_.ai_status != AIStatus.WRITING:  # a worker presumed dead: another took the job over
        return None
    if round_.status == RoundStatus.REVEALED:
        round_.ai_status = AIStatus.FAILED
        return None
    game = required(session, Game, round_.game_id)
    player = ai_player(session, game, now)
    failed = session.scalars(
        select(Submission.error)
        .where(
            Submission.round_id == round_id,
            Submission.player_id == player.id,
            Submission.status == AttemptStatus.FAILED,
        )
        .order_by(Submission.id)
    ).all()
    if len(failed) >= AI_FAILURES_ALLOWED:
        # A failed attempt does not count (the machine's fault), so a broken engine would
        # have the AI try for ever: it stops, and the host reads why.
        set_ai_status(session, round_id, AIStatus.FAILED, (failed[-1] or "?")[:500])
        return None
    submission = queue_attempt(session, game, player, round_, prompt[:300], now)
    if submission.status == AttemptStatus.REFUSED:  # the host's blocked words: never try the same again
        set_ai_status(session, round_id, AIStatus.FAILED, submission.error)
        return submission
    used = attempts_used(session, round_id, player.id)
    set_ai_status(session, round_id, AIStatus.PLAYING if used < attempts_allowed(round_) else AIStatus.DONE)
    return submission


def set_ai_status(session: Session, round_id: int, status: str, error: str | None = None) -> None:
    """The AI's turn, as the host's console shows it. Written as a bulk UPDATE noted for the
    host's pages only: a change to the round's row through the ORM would make every player's
    page rerun (db/changes.py), three times per AI attempt for nothing they show."""
    session.execute(
        update(Round)
        .where(Round.id == round_id)
        .values(ai_status=status, ai_error=error)
        .execution_options(synchronize_session="fetch")
    )
    note_changes(session, round_ids=[round_id])


def ai_history(session: Session, round_id: int) -> list[tuple[str, float]]:
    """The AI's scored attempts in the round, oldest first, with the raw similarity it sees
    (the same order as the match score)."""
    rows = session.execute(
        select(Submission.prompt, Submission.raw_score, Submission.score)
        .join(Player, Player.id == Submission.player_id)
        .where(Submission.round_id == round_id, Player.is_ai.is_(True), Submission.status == AttemptStatus.DONE)
        .order_by(Submission.attempt_no)
    ).all()
    return [(row.prompt, row.raw_score if row.raw_score is not None else row.score) for row in rows]


def fail_ai_attempt(session: Session, round_id: int, reason: str) -> None:
    """The AI's job ended in an error: the host sees why and can add the AI again."""
    round_ = session.get(Round, round_id)
    if round_ is not None and round_.ai_status == AIStatus.WRITING:
        round_.ai_status, round_.ai_error = AIStatus.FAILED, reason[:500]

"""Submitting a prompt, and what a student sees of their own attempts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from db.models import Game, Player, Round, Submission
from db.session import required
from db.statuses import COUNTED_ATTEMPTS, HOMEWORK_PRIORITY, LIVE_PRIORITY, PENDING_ATTEMPTS, AttemptStatus, RoundStatus
from db.types import utcnow
from game.blocklist import game_blocklist
from game.errors import NotAllowed
from game.games import game_view, load_game, load_player, player_view
from game.homework import is_homework, playing_round, student_round
from game.rounds import (
    attempts_allowed,
    attempts_used,
    clean_prompt,
    current_round,
    open_for_player,
    player_deadline,
    settle,
)
from game.views import Feedback, Hint, PlayerRoundState, RoundView, SubmissionView, WordEffect

# Word effects (x 100 cosine) smaller than this are shown as neutral.
NEUTRAL_BAND = 0.3
# (A failed attempt, the machine's fault and not the student's, does not use up an attempt:
# db/statuses.COUNTED_ATTEMPTS.)


def word_effect(word: str, effect: Any) -> WordEffect:
    """Stored as [word, number] (CLIP) or [word, label] (sketch)."""
    if isinstance(effect, str):
        return WordEffect(word, effect)
    value = float(effect)
    label = "helped" if value >= NEUTRAL_BAND else "hurt" if value <= -NEUTRAL_BAND else "neutral"
    return WordEffect(word, label, value)


def parse_feedback(raw: str | None, *, hints: bool) -> Feedback | None:
    if not raw:
        return None
    data = json.loads(raw)
    hint = data.get("hint") if hints else None
    return Feedback(
        kind=data.get("kind", "clip"),
        words=[word_effect(word, effect) for word, effect in data.get("words", [])],
        hint=Hint(hint["key"], {k: str(v) for k, v in hint.get("params", {}).items()}) if hint else None,
    )


def submission_view(
    submission: Submission, queue_position: int | None = None, *, hints: bool = True, revealed: bool = False
) -> SubmissionView:
    return SubmissionView(
        id=submission.id,
        round_id=submission.round_id,
        player_id=submission.player_id,
        attempt_no=submission.attempt_no,
        prompt=submission.prompt,
        status=submission.status,
        score=submission.score,
        error=submission.error,
        image_id=submission.image_id,
        created_at=submission.created_at,
        finished_at=submission.finished_at,
        queue_position=queue_position,
        feedback=parse_feedback(submission.feedback, hints=hints),
        prompt_similarity=submission.prompt_similarity if revealed else None,
        engine_prompt=submission.engine_prompt,
    )


def submit_prompt(
    session: Session, code: str, player_token: str | None, prompt: str, now: datetime | None = None
) -> SubmissionView:
    """Queue one attempt, after checking every rule in this one transaction."""
    now = now or utcnow()
    # Locks are taken game first, then player, the order every writer takes them in (the
    # change counters at commit, a host removing a player): the other order deadlocks.
    game = load_game(session, code, lock=True)
    player = load_player(session, game, player_token)
    # Lock the player's row (PostgreSQL) so two clicks cannot both pass the checks below,
    # and read it again under the lock: a host who removed the player meanwhile wins.
    # SQLite's BEGIN IMMEDIATE already serialises writers.
    session.get(Player, player.id, with_for_update=True, populate_existing=True)
    if player.kicked_at is not None:
        raise NotAllowed("player_kicked")
    prompt = clean_prompt(prompt)
    if is_homework(game):  # the student's own round, on their own clock
        return queue_attempt(session, game, player, playing_round(session, game, player, now), prompt, now)
    round_ = session.scalar(
        select(Round)
        .where(Round.game_id == game.id, Round.status.in_((RoundStatus.OPEN, RoundStatus.CLOSED)))
        .order_by(Round.number.desc())
        .limit(1)
    )
    if round_ is not None:
        settle(round_, now)
    if round_ is None or not open_for_player(round_, player.extra_time_percent, now):
        raise NotAllowed("round_not_open")
    return queue_attempt(session, game, player, round_, prompt, now)


def queue_attempt(
    session: Session, game: Game, player: Player, round_: Round, prompt: str, now: datetime
) -> SubmissionView:
    """The one path every attempt takes, a student's or the AI's: one pending attempt at a
    time, the attempt limit, the blocklist, then the queue (same seed, same scoring)."""
    pending = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(
            Submission.round_id == round_.id,
            Submission.player_id == player.id,
            Submission.status.in_(PENDING_ATTEMPTS),
        )
    )
    if pending:
        raise NotAllowed("attempt_in_progress")
    allowed = attempts_allowed(round_)
    if attempts_used(session, round_.id, player.id) >= allowed:
        raise NotAllowed("no_attempts_left", count=allowed)
    attempt_no = (
        session.scalar(
            select(func.max(Submission.attempt_no)).where(
                Submission.round_id == round_.id, Submission.player_id == player.id
            )
        )
        or 0
    ) + 1
    # A prompt the filter stops is kept, for the host to see, but never drawn and not counted.
    blocked_term = game_blocklist(game).first_match(prompt)
    submission = Submission(
        round_id=round_.id,
        player_id=player.id,
        attempt_no=attempt_no,
        prompt=prompt,
        status=AttemptStatus.REFUSED if blocked_term else AttemptStatus.QUEUED,
        priority=HOMEWORK_PRIORITY if is_homework(game) else LIVE_PRIORITY,
        error=f"blocked word: {blocked_term}" if blocked_term else None,
        created_at=now,
        finished_at=now if blocked_term else None,
    )
    session.add(submission)
    session.flush()
    if blocked_term:
        return submission_view(submission)
    return submission_view(submission, queue_position=queue_position(session, submission.id))


def queue_position(session: Session, submission_id: int) -> int:
    """1 for the next job the worker will take; counts queued jobs ahead in claim order.
    0 once a worker has taken it (it is being drawn)."""
    mine = session.execute(
        select(Submission.status, Submission.round_id, Submission.attempt_no, Submission.priority).where(
            Submission.id == submission_id
        )
    ).first()
    if mine is None or mine.status != AttemptStatus.QUEUED:
        return 0
    # Claim order (db/queue.py): live before homework, rounds by their oldest job, then each
    # player's first attempts before anyone's second.
    in_my_round = and_(
        Submission.round_id == mine.round_id,
        or_(
            Submission.attempt_no < mine.attempt_no,
            and_(Submission.attempt_no == mine.attempt_no, Submission.id < submission_id),
        ),
    )
    ahead = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(
            Submission.status == AttemptStatus.QUEUED,
            or_(
                Submission.priority < mine.priority,
                and_(
                    Submission.priority == mine.priority,
                    or_(in_my_round, and_(Submission.round_id != mine.round_id, Submission.id < submission_id)),
                ),
            ),
        )
    )
    return (ahead or 0) + 1


def player_state(
    session: Session, code: str, player_token: str | None, now: datetime | None = None
) -> PlayerRoundState:
    now = now or utcnow()
    game = load_game(session, code)
    player = load_player(session, game, player_token)
    homework = None
    round_: RoundView | None
    if is_homework(game):
        round_, homework = student_round(session, game, player, now)
    else:
        round_ = current_round(session, game.id, now)
        if round_ is not None and player.extra_time_percent:
            # This student's own deadline, later than the class's (their extra time).
            stored = required(session, Round, round_.id)
            if open_for_player(stored, player.extra_time_percent, now):
                deadline = player_deadline(stored, player.extra_time_percent)
                round_ = replace(round_, status=RoundStatus.OPEN, ends_at=deadline)
    submissions: list[SubmissionView] = []
    used = 0
    if round_ is not None:
        rows = session.scalars(
            select(Submission)
            .where(Submission.round_id == round_.id, Submission.player_id == player.id)
            .order_by(Submission.attempt_no)
        )
        for row in rows:
            position = queue_position(session, row.id) if row.status == AttemptStatus.QUEUED else None
            submissions.append(
                submission_view(row, position, hints=game.hints_enabled, revealed=round_.status == RoundStatus.REVEALED)
            )
        used = sum(1 for s in submissions if s.status in COUNTED_ATTEMPTS)
    allowed = round_.attempts_allowed if round_ is not None else game.attempts_per_round
    return PlayerRoundState(
        game=game_view(game),
        player=player_view(player),
        round=round_,
        attempts_used=used,
        attempts_left=max(0, allowed - used),
        submissions=submissions,
        attempts_allowed=allowed,
        homework=homework,
    )

"""Learning records: per student and round, attempt by attempt, and how much they improved."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Player, Round, Submission
from db.statuses import AttemptStatus
from game.games import require_host

RECORD_COLUMNS = (
    "round",
    "player",
    "is_ai",
    "attempt",
    "prompt",
    "word_count",
    "match_score_0_100",
    "raw_similarity",
    "prompt_similarity",
    "first_match_score",
    "best_match_score",
    "improvement",
)


@dataclass(frozen=True)
class AttemptRecord:
    attempt_no: int
    prompt: str
    word_count: int
    score: float  # the match score (game/scoring.py)
    raw_score: float | None  # the raw similarity under it
    prompt_similarity: float | None


@dataclass(frozen=True)
class LearningRecord:
    round_number: int
    nickname: str
    is_ai: bool
    attempts: list[AttemptRecord]

    @property
    def first_score(self) -> float:
        return self.attempts[0].score

    @property
    def best_score(self) -> float:
        return max(a.score for a in self.attempts)

    @property
    def improvement(self) -> float:
        """From the first attempt to the best one: what the student learned in the round."""
        return round(self.best_score - self.first_score, 2)


def learning_records(session: Session, code: str, credential: str | None) -> list[LearningRecord]:
    """Scored, visible attempts of players still in the game, by round then nickname."""
    game = require_host(session, code, credential)
    rows = session.execute(
        select(Round.number, Player.id, Player.nickname, Player.is_ai, Submission)
        .join(Submission, Submission.round_id == Round.id)
        .join(Player, Player.id == Submission.player_id)
        .where(
            Round.game_id == game.id,
            Submission.status == AttemptStatus.DONE,
            Submission.hidden.is_(False),
            Player.kicked_at.is_(None),
        )
        .order_by(Round.number, Player.nickname, Player.id, Submission.attempt_no)
    ).all()
    records: dict[tuple[int, int], LearningRecord] = {}
    for number, player_id, nickname, is_ai, submission in rows:
        record = records.setdefault((number, player_id), LearningRecord(number, nickname, is_ai, []))
        record.attempts.append(
            AttemptRecord(
                attempt_no=submission.attempt_no,
                prompt=submission.prompt,
                word_count=len(submission.prompt.split()),
                score=submission.score or 0.0,  # only scored attempts are read
                raw_score=submission.raw_score,
                prompt_similarity=submission.prompt_similarity,
            )
        )
    return list(records.values())


def record_rows(records: list[LearningRecord]) -> list[tuple[object, ...]]:
    return [
        (
            r.round_number,
            r.nickname,
            "yes" if r.is_ai else "no",
            a.attempt_no,
            a.prompt,
            a.word_count,
            a.score,
            a.raw_score,
            a.prompt_similarity,
            r.first_score,
            r.best_score,
            r.improvement,
        )
        for r in records
        for a in r.attempts
    ]

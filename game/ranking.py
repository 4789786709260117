"""Leaderboards and the reveal gallery.

Equal scores (as shown, to two decimals) share a rank everywhere ("1, 1, 3"); within a rank
the row order goes to who got there first (earliest finished attempt), so the order is
stable between refreshes of the projector.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from db.models import Player, Round, Submission
from db.statuses import COUNTED_ATTEMPTS, AttemptStatus, RoundStatus
from db.types import utcnow
from game.errors import NotAllowed
from game.games import load_game, require_host
from game.rounds import effective_status
from game.views import GalleryItem, GameRow, RevealView, RoundRow

_visible_done = and_(Submission.status == AttemptStatus.DONE, Submission.hidden.is_(False))


def shared_ranks(scores: list[float | None]) -> list[int]:
    """Competition ranks of scores already sorted best first: the same score (to the two
    decimals a page shows), the same rank; no score ranks after every score."""
    ranks: list[int] = []
    for i, score in enumerate(scores):
        same = i > 0 and _shown(score) == _shown(scores[i - 1])
        ranks.append(ranks[-1] if same else i + 1)
    return ranks


def _shown(score: float | None) -> float | None:
    return None if score is None else round(score, 2)


def round_leaderboard(session: Session, round_id: int) -> list[RoundRow]:
    best = func.max(case((_visible_done, Submission.score)))
    used = func.count(case((Submission.status.in_(COUNTED_ATTEMPTS), Submission.id)))
    first_best_at = func.min(case((_visible_done, Submission.finished_at)))
    rows = session.execute(
        select(Player.id, Player.nickname, best.label("best"), used.label("used"), first_best_at, Player.is_ai)
        .join(Submission, Submission.player_id == Player.id)
        .where(Submission.round_id == round_id, Player.kicked_at.is_(None))
        .group_by(Player.id, Player.nickname, Player.is_ai)
    ).all()
    ordered = sorted(
        rows,
        key=lambda r: (r.best is None, -(r.best or 0.0), r[4] is None, r[4] or 0, r.nickname),
    )
    ranks = shared_ranks([r.best for r in ordered])
    return [
        RoundRow(rank=rank, player_id=r.id, nickname=r.nickname, best_score=r.best, attempts_used=r.used, is_ai=r.is_ai)
        for rank, r in zip(ranks, ordered, strict=True)
    ]


def game_leaderboard(session: Session, game_id: int) -> list[GameRow]:
    """A player's game score is the sum of their best score in each round.

    Grouped by (round_id, player_id), the order of the `ix_submissions_round_player` index, and
    restricted to this game's rounds first: the query reads only this game's rows however many
    games the database holds (bench/RESULTS.md: leaderboard as the database grows).
    """
    players = session.execute(
        select(Player.id, Player.nickname, Player.is_ai).where(Player.game_id == game_id, Player.kicked_at.is_(None))
    ).all()
    bests = session.execute(
        select(Submission.player_id, func.max(Submission.score))
        .where(Submission.round_id.in_(select(Round.id).where(Round.game_id == game_id)), _visible_done)
        .group_by(Submission.round_id, Submission.player_id)
    ).all()
    totals: dict[int, float] = {}
    rounds: dict[int, int] = {}
    for player_id, best in bests:
        totals[player_id] = totals.get(player_id, 0.0) + (best or 0.0)
        rounds[player_id] = rounds.get(player_id, 0) + 1
    ordered = sorted(players, key=lambda p: (-totals.get(p.id, 0.0), p.nickname.casefold()))
    ranks = shared_ranks([totals.get(p.id, 0.0) for p in ordered])
    return [
        GameRow(
            rank=rank,
            player_id=p.id,
            nickname=p.nickname,
            total_score=round(totals.get(p.id, 0.0), 2),
            rounds_scored=rounds.get(p.id, 0),
            is_ai=p.is_ai,
        )
        for rank, p in zip(ranks, ordered, strict=True)
    ]


def _best_per_player(session: Session, round_id: int) -> list[GalleryItem]:
    rows = session.execute(
        select(
            Player.nickname,
            Submission.prompt,
            Submission.score,
            Submission.image_id,
            Submission.attempt_no,
            Submission.player_id,
            Submission.prompt_similarity,
            Player.is_ai,
            Submission.raw_score,
        )
        .join(Player, Player.id == Submission.player_id)
        .where(
            Submission.round_id == round_id,
            _visible_done,
            Submission.image_id.is_not(None),
            Player.kicked_at.is_(None),
        )
        .order_by(Submission.score.desc(), Submission.finished_at, Submission.id)
    ).all()
    seen: set[int] = set()
    best_rows = []
    for row in rows:
        if row.player_id not in seen:
            seen.add(row.player_id)
            best_rows.append(row)
    ranks = shared_ranks([row.score for row in best_rows])
    items = []
    for rank, row in zip(ranks, best_rows, strict=True):
        items.append(
            GalleryItem(
                nickname=row.nickname,
                prompt=row.prompt,
                score=row.score,
                image_id=row.image_id,
                attempt_no=row.attempt_no,
                is_ai=row.is_ai,
                prompt_similarity=row.prompt_similarity,
                rank=rank,
                raw_score=row.raw_score,
            )
        )
    return items


def reveal_gallery(session: Session, code: str, round_id: int, now: datetime | None = None) -> list[GalleryItem]:
    """Each player's best image and its prompt, best first; only once the round is revealed."""
    game = load_game(session, code)
    round_ = session.get(Round, round_id)
    if round_ is None or round_.game_id != game.id or effective_status(round_, now or utcnow()) != RoundStatus.REVEALED:
        raise NotAllowed("round_not_revealed")
    return _best_per_player(session, round_id)


def host_gallery(session: Session, code: str, credential: str | None, round_id: int) -> list[GalleryItem]:
    game = require_host(session, code, credential)
    round_ = session.get(Round, round_id)
    if round_ is None or round_.game_id != game.id:
        raise NotAllowed("round_not_found")
    return _best_per_player(session, round_id)


def reveal_summary(session: Session, code: str, round_id: int, credential: str | None = None) -> RevealView:
    """Target, secret prompt, the best student and the AI side by side: after the reveal for
    everyone, before it for the host only."""
    game = load_game(session, code)
    round_ = session.get(Round, round_id)
    if round_ is None or round_.game_id != game.id:
        raise NotAllowed("round_not_found")
    if effective_status(round_, utcnow()) != RoundStatus.REVEALED:
        require_host(session, code, credential)
    items = _best_per_player(session, round_id)
    return RevealView(
        round_number=round_.number,
        target_image_id=round_.target_image_id,
        secret_prompt=round_.secret_prompt,
        best_student=next((item for item in items if not item.is_ai), None),
        ai=next((item for item in items if item.is_ai), None),
    )

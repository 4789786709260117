"""The host's moderation tools: blocked words, removing and renaming players, hiding
attempts, and deleting a game with everything in it. Every function checks the teacher's session (require_host)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.changes import note_changes
from db.models import Game, ImageBlob, Player, Round, Submission
from db.session import required
from db.statuses import PENDING_ATTEMPTS, AttemptStatus
from db.types import utcnow
from game.blocklist import check_nickname, parse_terms
from game.errors import InvalidInput, NotFound
from game.games import clean_nickname, nickname_key, require_host
from game.rounds import EXTRA_TIME_CHOICES
from game.views import ModeratedAttempt, ModeratedPlayer, ModerationView

BLOCKED_WORDS_MAX = 200


def set_blocked_words(session: Session, code: str, credential: str | None, words: str) -> list[str]:
    game = require_host(session, code, credential)
    terms = parse_terms(words.splitlines())
    if len(terms) > BLOCKED_WORDS_MAX:
        raise InvalidInput("too_many_blocked_words", count=BLOCKED_WORDS_MAX)
    game.blocked_words = "\n".join(terms)
    return terms


def _host_player(session: Session, code: str, credential: str | None, player_id: int) -> Player:
    game = require_host(session, code, credential, lock=True)
    player = session.get(Player, player_id, with_for_update=True)
    if player is None or player.game_id != game.id:
        raise NotFound("player_not_found")
    return player


def kick_player(
    session: Session, code: str, credential: str | None, player_id: int, now: datetime | None = None
) -> None:
    """Remove a player: their token stops working, their attempts not yet stored are dropped
    (a worker drawing one cannot store it: it stores only `running` jobs), and they leave the
    leaderboards (their scored attempts stay in the host's exports)."""
    now = now or utcnow()
    player = _host_player(session, code, credential, player_id)
    player.kicked_at = player.kicked_at or now
    session.execute(
        update(Submission)
        .where(Submission.player_id == player.id, Submission.status.in_(PENDING_ATTEMPTS))
        .values(status=AttemptStatus.FAILED, error="removed by the host", finished_at=now)
    )


def erase_player(session: Session, code: str, credential: str | None, player_id: int) -> str:
    """Erase one student from the game (a family's request): their attempts, the pictures
    they made and their place in the game go, so no board, standings, gallery, record or
    export holds them any more. *Remove* (kick_player) keeps their record; this does not.
    Returns the nickname, for the host's confirmation."""
    player = _host_player(session, code, credential, player_id)
    nickname = player.nickname
    erase_player_rows(session, player)
    return nickname


def erase_player_rows(session: Session, player: Player) -> None:
    """Delete a player and everything of theirs: attempts, the pictures they made, their keys
    to come back and their homework places. The caller has checked who may."""
    image_ids = [i for i in session.scalars(select(Submission.image_id).where(Submission.player_id == player.id)) if i]
    session.execute(delete(Submission).where(Submission.player_id == player.id))
    session.execute(delete(ImageBlob).where(ImageBlob.id.in_(image_ids)))
    note_changes(session, game_ids=[player.game_id], shared=True)
    session.delete(player)


def set_extra_time(session: Session, code: str, credential: str | None, player_id: int, percent: int) -> int:
    """More time for one student in every timed round (WCAG 2.2.1): their own deadline is
    later by this share of the round's time. The server enforces it (game.rounds.open_for_player)."""
    player = _host_player(session, code, credential, player_id)
    if percent not in EXTRA_TIME_CHOICES:
        raise InvalidInput("bad_extra_time", choices=", ".join(f"{c} %" for c in EXTRA_TIME_CHOICES))
    player.extra_time_percent = percent
    return percent


def rename_player(session: Session, code: str, credential: str | None, player_id: int, nickname: str) -> str:
    player = _host_player(session, code, credential, player_id)
    game = required(session, Game, player.game_id)
    nickname = clean_nickname(nickname)
    check_nickname(game, nickname)
    player.nickname, player.nickname_key = nickname, nickname_key(session, game, nickname, other_than=player.id)
    return nickname


def set_submission_hidden(
    session: Session, code: str, credential: str | None, submission_id: int, hidden: bool
) -> None:
    """Hide an attempt from the board, the gallery and the exports (or show it again)."""
    game = require_host(session, code, credential)
    submission = session.get(Submission, submission_id)
    round_ = session.get(Round, submission.round_id) if submission else None
    if submission is None or round_ is None or round_.game_id != game.id:
        raise NotFound("submission_not_found")
    submission.hidden = hidden


def moderation_view(session: Session, code: str, credential: str | None) -> ModerationView:
    """What the host reviews: every player, and every attempt with its prompt (host only)."""
    game = require_host(session, code, credential)
    players = session.scalars(select(Player).where(Player.game_id == game.id).order_by(Player.id)).all()
    names = {p.id: p.nickname for p in players}
    rows = session.execute(
        select(Submission, Round.number)
        .join(Round, Round.id == Submission.round_id)
        .where(Round.game_id == game.id)
        .order_by(Submission.id.desc())
    ).all()
    return ModerationView(
        players=[ModeratedPlayer(p.id, p.nickname, p.kicked_at is not None, p.extra_time_percent) for p in players],
        attempts=[
            ModeratedAttempt(
                id=s.id,
                round_number=number,
                nickname=names.get(s.player_id, "?"),
                prompt=s.prompt,
                status=s.status,
                score=s.score,
                hidden=s.hidden,
                image_id=s.image_id,
            )
            for s, number in rows
        ],
        blocked_words=game.blocked_words,
        joining_locked=game.joining_locked,
        player_cap=game.player_cap,
    )


def delete_game(session: Session, code: str, credential: str | None) -> None:
    """Delete the game, its players, rounds, attempts and every image they made or uploaded."""
    delete_game_rows(session, require_host(session, code, credential))


def delete_game_rows(session: Session, game: Game) -> None:
    """Everything of the game, pictures included: no orphan rows (the teacher's delete and
    the retention sweep, game/retention.py)."""
    round_ids = select(Round.id).where(Round.game_id == game.id)
    image_ids = [
        *session.scalars(select(Submission.image_id).where(Submission.round_id.in_(round_ids))),
        *session.scalars(select(Round.target_image_id).where(Round.game_id == game.id)),
    ]
    session.execute(delete(Submission).where(Submission.round_id.in_(round_ids)))
    session.execute(delete(Round).where(Round.game_id == game.id))
    session.execute(delete(Player).where(Player.game_id == game.id))
    session.execute(delete(ImageBlob).where(ImageBlob.id.in_([i for i in image_ids if i is not None])))
    session.delete(game)

"""Retention: a game — its players, prompts, pictures and records — is deleted a set time after
its last activity, unless its teacher keeps it longer, up to a limit the administrator sets.
Every sign of life counts: the game made, a round made, started, closed or revealed (the
teacher's actions), a student joining, opening or finishing a homework round, an attempt. An
assignment is alive until it closes: its time counts from its closing date, so a 60-day
homework is never deleted while students still have it open. Lessons and classes hold no attempts and are
kept. The sweep runs at start and every hour (server/maintenance.py), one game per
transaction, so a large cleanup never holds the database for long.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import load_settings
from db.models import Game, Player, PlayerRound, Round, ServerSetting, Submission
from db.types import utcnow
from game.accounts import require_admin
from game.errors import InvalidInput
from game.games import require_host
from game.moderation import delete_game_rows

RETENTION_DAYS = "retention_days"
KEEP_MAX_DAYS = "keep_max_days"
DEFAULT_KEEP_MAX_DAYS = 365
DAYS_RANGE = (1, 3650)


def _setting(session: Session, name: str) -> int | None:
    row = session.get(ServerSetting, name)
    return int(row.value) if row is not None and row.value.isdigit() else None


def retention_days(session: Session) -> int:
    """The administrator's setting, else PROMPTMATCH_RETENTION_DAYS (default 30)."""
    return _setting(session, RETENTION_DAYS) or load_settings().retention_days


def keep_max_days(session: Session) -> int:
    return _setting(session, KEEP_MAX_DAYS) or DEFAULT_KEEP_MAX_DAYS


def set_retention(session: Session, admin_credential: str | None, days: int, keep_max: int) -> tuple[int, int]:
    require_admin(session, admin_credential)
    for value in (days, keep_max):
        if not DAYS_RANGE[0] <= value <= DAYS_RANGE[1]:
            raise InvalidInput("retention_days_range", minimum=DAYS_RANGE[0], maximum=DAYS_RANGE[1])
    if keep_max < days:
        raise InvalidInput("retention_keep_below", days=days)
    for name, value in ((RETENTION_DAYS, days), (KEEP_MAX_DAYS, keep_max)):
        row = session.get(ServerSetting, name)
        if row is None:
            session.add(ServerSetting(name=name, value=str(value)))
        else:
            row.value = str(value)
    return days, keep_max


def last_activity(session: Session, game_ids: Iterable[int]) -> dict[int, datetime]:
    """Per game: the newest sign of life (module docstring), an assignment's closing included."""
    ids = list(game_ids)
    newest: dict[int, datetime] = {}
    per_round = [
        select(Round.game_id, func.max(column)).where(Round.game_id.in_(ids)).group_by(Round.game_id)
        for column in (Round.created_at, Round.started_at, Round.closed_at, Round.revealed_at)
    ]
    per_player = [
        select(Player.game_id, func.max(column))
        .join(PlayerRound, PlayerRound.player_id == Player.id)
        .where(Player.game_id.in_(ids))
        .group_by(Player.game_id)
        for column in (PlayerRound.opened_at, PlayerRound.finished_at)
    ]
    queries = (
        select(Game.id, Game.created_at).where(Game.id.in_(ids)),
        select(Game.id, Game.closes_at).where(Game.id.in_(ids), Game.closes_at.is_not(None)),
        *per_round,
        select(Player.game_id, func.max(Player.joined_at)).where(Player.game_id.in_(ids)).group_by(Player.game_id),
        *per_player,
        select(Round.game_id, func.max(Submission.created_at))
        .join(Round, Round.id == Submission.round_id)
        .where(Round.game_id.in_(ids))
        .group_by(Round.game_id),
    )
    for query in queries:
        for game_id, moment in session.execute(query):
            if moment is not None and (game_id not in newest or moment > newest[game_id]):
                newest[game_id] = moment
    return newest


def deletion_dates(session: Session, games: list[Game]) -> dict[int, datetime]:
    """When each game will be deleted: its retention after its last activity, or the day it
    is kept until, whichever is later."""
    days = timedelta(days=retention_days(session))
    activity = last_activity(session, [g.id for g in games])
    dates = {}
    for game in games:
        due = activity.get(game.id, game.created_at) + days
        dates[game.id] = max(due, game.keep_until) if game.keep_until is not None else due
    return dates


def deletion_date(session: Session, code: str, credential: str | None) -> datetime:
    game = require_host(session, code, credential)
    return deletion_dates(session, [game])[game.id]


def keep_longer(
    session: Session, code: str, credential: str | None, days: int, now: datetime | None = None
) -> datetime:
    """Keep the game at least `days` days from now (at most the administrator's limit)."""
    now = now or utcnow()
    game = require_host(session, code, credential)
    limit = keep_max_days(session)
    if not 1 <= days <= limit:
        raise InvalidInput("keep_days_range", maximum=limit)
    game.keep_until = now + timedelta(days=days)
    return deletion_dates(session, [game])[game.id]


def due_games(session: Session, now: datetime | None = None, limit: int = 50) -> list[int]:
    """Games whose time has come, oldest first (at most `limit` per look)."""
    now = now or utcnow()
    games = list(session.scalars(select(Game).order_by(Game.id)))
    dates = deletion_dates(session, games)
    return [g.id for g in games if dates[g.id] <= now][:limit]


def delete_if_due(session: Session, game_id: int, now: datetime | None = None) -> bool:
    """Delete one game if it is still due (read again in this transaction: a teacher may
    have kept it, or a student played, since the sweep looked)."""
    game = session.get(Game, game_id)
    if game is None or deletion_dates(session, [game])[game.id] > (now or utcnow()):
        return False
    delete_game_rows(session, game)
    return True

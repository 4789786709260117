"""What an open page needs to know, cheaply, to decide whether to draw itself again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Game, Player
from game.tokens import normalize_join_code


@dataclass(frozen=True)
class GameVersions:
    """The game's change counters (db/changes.py): `version` moves with any change, `shared`
    with what every player sees, `players[id]` with one player's own attempts."""

    version: int
    shared: int
    players: dict[int, int]


_games = Game.__table__
_players = Player.__table__


def game_versions(session: Session, code: str) -> GameVersions | None:
    """Two indexed lookups; None when no game has this code (deleted, or mistyped). Plain
    Core selects: every page run starts with this, and ORM rows cost it a few ms."""
    row = session.execute(
        select(_games.c.id, _games.c.version, _games.c.shared_version).where(_games.c.code == normalize_join_code(code))
    ).first()
    if row is None:
        return None
    rows = session.execute(select(_players.c.id, _players.c.version).where(_players.c.game_id == row.id)).all()
    players = {player_id: version for player_id, version in rows}
    return GameVersions(version=row.version, shared=row.shared_version, players=players)


def watched_versions(session: Session, codes: Iterable[str]) -> dict[str, tuple[int, GameVersions]]:
    """Many games' counters in two queries: {code: (game id, versions)}; a code with no
    game is left out."""
    wanted = {normalize_join_code(code) for code in codes}
    if not wanted:
        return {}
    games = session.execute(
        select(_games.c.id, _games.c.code, _games.c.version, _games.c.shared_version).where(_games.c.code.in_(wanted))
    ).all()
    players: dict[int, dict[int, int]] = {game.id: {} for game in games}
    rows = session.execute(
        select(_players.c.game_id, _players.c.id, _players.c.version).where(_players.c.game_id.in_(list(players)))
    ).all()
    for game_id, player_id, version in rows:
        players[game_id][player_id] = version
    return {
        game.code: (game.id, GameVersions(version=game.version, shared=game.shared_version, players=players[game.id]))
        for game in games
    }

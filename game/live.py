"""What an open page needs to know, cheaply, to decide whether to draw itself again."""

from __future__ import annotations

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


def game_versions(session: Session, code: str) -> GameVersions | None:
    """Two indexed lookups; None when no game has this code (deleted, or mistyped)."""
    row = session.execute(
        select(Game.id, Game.version, Game.shared_version).where(Game.code == normalize_join_code(code))
    ).first()
    if row is None:
        return None
    rows = session.execute(select(Player.id, Player.version).where(Player.game_id == row.id)).all()
    players = {player_id: version for player_id, version in rows}
    return GameVersions(version=row.version, shared=row.shared_version, players=players)

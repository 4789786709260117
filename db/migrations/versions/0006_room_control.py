"""Room control (joining locked, player cap, the browser a player joined from) and nickname
keys recomputed as confusable skeletons (a Cyrillic "Мina" now has Latin "Mina"'s key).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 10:30:00
"""

from __future__ import annotations

import unicodedata
from functools import cache

import regex
import sqlalchemy as sa
from alembic import op
from confusable_homoglyphs.confusables import confusables_data

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# The nickname key as game/text.py computed it when this migration was written, frozen here:
# a migration never imports game/ (a later change of the rules must not change what replaying
# this step writes). It depends only on Unicode data packages, pinned in requirements.txt.
_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\u2800]")


@cache
def _prototype(character: str) -> str:
    for _ in range(3):
        if character.isascii():
            return character
        small_capital = unicodedata.name(character, "").removeprefix("LATIN LETTER SMALL CAPITAL ")
        if len(small_capital) == 1:
            return small_capital.lower()
        lookalikes = [entry["c"] for entry in confusables_data.get(character, ())]
        if not lookalikes:
            return character
        plain = [c for c in lookalikes if c.isascii() and c.strip()]
        character = plain[0] if plain else lookalikes[0]
        if len(character) != 1:
            return character
    return character


def fold_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))
    skeleton = unicodedata.normalize("NFD", "".join(_prototype(c) for c in decomposed))
    return unicodedata.normalize("NFC", skeleton.casefold())


def upgrade() -> None:
    # Plain ADD COLUMNs with literal defaults (see 0004).
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joining_locked", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("player_cap", sa.Integer(), server_default="60", nullable=False))
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_key", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_players_browser_key"), ["browser_key"], unique=False)
    players = sa.table(
        "players",
        sa.column("id", sa.Integer),
        sa.column("game_id", sa.Integer),
        sa.column("nickname", sa.String),
        sa.column("nickname_key", sa.String),
        sa.column("is_ai", sa.Boolean),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(players.c.id, players.c.game_id, players.c.nickname, players.c.nickname_key)
        .where(players.c.is_ai.is_(False))
        .order_by(players.c.id)
    ).all()
    taken = {(row.game_id, row.nickname_key) for row in rows}
    for row in rows:
        key = fold_key(row.nickname)
        # Two lookalikes who joined before this migration keep the older key for the later one.
        if key != row.nickname_key and (row.game_id, key) not in taken:
            connection.execute(players.update().where(players.c.id == row.id).values(nickname_key=key))
            taken.discard((row.game_id, row.nickname_key))
            taken.add((row.game_id, key))


def downgrade() -> None:
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_players_browser_key"))
        batch_op.drop_column("browser_key")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_column("player_cap")
        batch_op.drop_column("joining_locked")

"""Teacher accounts (issue 22): teachers, their sign-in sessions and failed sign-ins; a game's
owner; extra keys a player can come back with (same browser, or the console's one-time code).

A game from before accounts keeps its host key's hash and no owner: the first signed-in
teacher who opens its old host address claims it (game/accounts.py), and the hash is cleared.
New games have no host key: `host_token_hash` is '' (the column stays NOT NULL, so SQLite
needs no table rebuild).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teachers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("name_key", sa.String(length=240), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True, unique=True),
        sa.Column("is_admin", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "teacher_sessions",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("teacher_id", sa.Integer(), sa.ForeignKey("teachers.id", ondelete="CASCADE"), nullable=False),
        # ticket: handed to the page once, exchanged by /auth/session for the cookie's session.
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_teacher_sessions_teacher_id", "teacher_sessions", ["teacher_id"])
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name_key", sa.String(length=240), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_signin_failures_name_key", "signin_failures", ["name_key"])
    op.create_table(
        "server_settings",
        sa.Column("name", sa.String(length=40), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "player_tokens",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_player_tokens_player_id", "player_tokens", ["player_id"])
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_games_owner_id", ["owner_id"], unique=False)
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rejoin_code_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("rejoin_expires_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("rejoin_failures", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_column("rejoin_failures")
        batch_op.drop_column("rejoin_expires_at")
        batch_op.drop_column("rejoin_code_hash")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_index("ix_games_owner_id")
        batch_op.drop_column("owner_id")
    op.drop_index("ix_player_tokens_player_id", table_name="player_tokens")
    op.drop_table("player_tokens")
    op.drop_table("server_settings")
    op.drop_index("ix_signin_failures_name_key", table_name="signin_failures")
    op.drop_table("signin_failures")
    op.drop_index("ix_teacher_sessions_teacher_id", table_name="teacher_sessions")
    op.drop_table("teacher_sessions")
    op.drop_table("teachers")

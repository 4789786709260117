"""Homework (issue 25): a game of kind "homework" stays open until `closes_at` and is played
by each student at their own pace (`player_rounds`: the rounds a player opened, their own
clock, when they finished); an attempt's `priority` lets the worker serve live rounds first;
a player's `extra_time_percent` (issue 26, timing adjustable: a student who needs more time).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=12), server_default="live", nullable=False))
        batch_op.add_column(sa.Column("closes_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra_time_percent", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "player_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("player_id", "round_id"),
    )
    op.create_index("ix_player_rounds_player_id", "player_rounds", ["player_id"])


def downgrade() -> None:
    op.drop_index("ix_player_rounds_player_id", table_name="player_rounds")
    op.drop_table("player_rounds")
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_column("extra_time_percent")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("priority")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_column("closes_at")
        batch_op.drop_column("kind")

"""Moderation: the host's blocked words per game, and removed (kicked) players.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on SQLite too (no table rebuild): existing games get no extra words.
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocked_words", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kicked_at", db.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_column("kicked_at")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_column("blocked_words")

"""AI literacy: the AI opponent, word feedback and hints, and prompt-to-secret similarity.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 03:48:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs with defaults: games made before keep hints on, players stay human.
    # The defaults are literals ("1"/"0", valid booleans on PostgreSQL too): an SQL expression
    # such as text("true") makes Alembic rebuild the SQLite table, and dropping the old
    # `games` table during the rebuild cascades to every player (the migration test saw it).
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hints_enabled", sa.Boolean(), server_default="1", nullable=False))
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_ai", sa.Boolean(), server_default="0", nullable=False))
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ai_status", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("ai_worker_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("engine_prompt", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("feedback", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("prompt_similarity", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("prompt_similarity")
        batch_op.drop_column("feedback")
        batch_op.drop_column("engine_prompt")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("ai_worker_id")
        batch_op.drop_column("ai_status")
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_column("is_ai")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_column("hints_enabled")

"""Partial indexes for the queue (queued, running) instead of one on (status, id): leaderboards
then use the round index on SQLite too (bench/RESULTS.md, leaderboard at 1000 games).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 02:19:46.489281
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_status_id"))
        batch_op.create_index(
            "ix_submissions_queued",
            ["id"],
            unique=False,
            sqlite_where=sa.text("status = 'queued'"),
            postgresql_where=sa.text("status = 'queued'"),
        )
        batch_op.create_index(
            "ix_submissions_running",
            ["worker_id"],
            unique=False,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_submissions_running",
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.drop_index(
            "ix_submissions_queued",
            sqlite_where=sa.text("status = 'queued'"),
            postgresql_where=sa.text("status = 'queued'"),
        )
        batch_op.create_index(batch_op.f("ix_submissions_status_id"), ["status", "id"], unique=False)

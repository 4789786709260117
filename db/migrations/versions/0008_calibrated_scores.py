"""Calibrated match scores (issue 15): each round keeps its floor and ceiling in raw similarity,
each attempt its raw similarity beside the match score shown. Rounds played before keep their
raw similarity as their score (no floor, no ceiling: the identity).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score_floor", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("score_ceiling", sa.Float(), nullable=True))
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raw_score", sa.Float(), nullable=True))
    op.execute("UPDATE submissions SET raw_score = score WHERE score IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("raw_score")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("score_ceiling")
        batch_op.drop_column("score_floor")

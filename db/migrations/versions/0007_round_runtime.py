"""The runtime and precision a round's pictures are computed with (torch-float32,
openvino-bf16, …), stamped by the first worker that touches the round.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("runtime", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("runtime")

"""Sign-in failures per browser and per client (issue 34): a wrong password from one browser
no longer locks the teacher's own browser out, and one client guessing many names is stopped.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signin_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_hash", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("client", sa.String(64), nullable=True))
        batch_op.create_index("ix_signin_failures_client", ["client"])


def downgrade() -> None:
    with op.batch_alter_table("signin_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_signin_failures_client")
        batch_op.drop_column("client")
        batch_op.drop_column("device_hash")

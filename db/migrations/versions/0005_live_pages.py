"""Change-driven pages: version counters, and a secret for image addresses; the AI's
failure reason, and its nickname key without NUL (PostgreSQL text cannot hold NUL).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 09:00:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs with literal defaults (see 0004: an expression default would make
    # Alembic rebuild the SQLite table, and the rebuild's DROP TABLE cascades).
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("shared_version", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ai_error", sa.Text(), nullable=True))
    players = sa.table("players", sa.column("nickname_key", sa.String), sa.column("is_ai", sa.Boolean))
    op.execute(players.update().where(players.c.is_ai.is_(True)).values(nickname_key="\u2060ai"))
    secrets_table = op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(length=40), primary_key=True),
        sa.Column("value", sa.String(length=128), nullable=False),
    )
    # Every web process signs image addresses with this one value (game/media.py, `url_secret`).
    op.bulk_insert(secrets_table, [{"name": "image_urls", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("server_secrets")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("ai_error")
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_column("shared_version")
        batch_op.drop_column("version")

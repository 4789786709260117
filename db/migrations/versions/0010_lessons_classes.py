"""Lessons and classes (issue 24): lessons and their rounds, classes and their rosters; a
game's class and lesson, a player's roster student; a round's own attempts, minutes and
discussion question, and whether an uploaded picture keeps its stored seed.

The starter lessons (no owner: every teacher sees them) are written here from the built-in
presets, frozen by id: a migration never imports game/.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (title, note, [(preset id, seed, discussion question)]): the presets of game/presets.py as
# they were when this migration was written.
STARTER_LESSONS = (
    (
        "Starter: shapes and colours",
        "Five easy rounds that also work on the offline engine. Good for a first lesson.",
        [
            ("easy-red-circle", 1001, "Which words changed the picture the most?"),
            ("easy-yellow-star", 1002, "Did naming the background help? Why?"),
            ("easy-green-triangle", 1003, "What did the model draw that nobody asked for?"),
            ("easy-orange-square", 1004, "How did you say where the square is and how big it is?"),
            ("easy-pink-heart", 1005, "Whose prompt was shortest among the best scores?"),
        ],
    ),
    (
        "Starter: scenes",
        "Medium rounds: several things in one picture, and where each one is.",
        [
            ("medium-sunset", 2001, "Which part of the scene was hardest to get right?"),
            ("medium-two-circles", 2002, "How did you tell the model what goes on the left and the right?"),
            ("medium-stripes", 2003, "Did the order of your words matter?"),
            ("medium-moon", 2004, "Which words did the model ignore?"),
        ],
    ),
    (
        "Starter: styles",
        "Hard rounds for the real model: a style (watercolour, oil painting, photograph) as well as a subject.",
        [
            ("hard-lighthouse", 3001, "How much did naming the style change the score?"),
            ("hard-library", 3002, "Which details did the best prompts share?"),
            ("hard-bicycle", 3003, "What would you change in your best prompt now you know the secret?"),
        ],
    ),
)


def upgrade() -> None:
    lessons = op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("teachers.id", ondelete="CASCADE"), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("shared", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_lessons_owner_id", "lessons", ["owner_id"])
    lesson_rounds = op.create_table(
        "lesson_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lesson_id", sa.Integer(), sa.ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("secret_prompt", sa.Text(), nullable=True),
        sa.Column("preset_id", sa.String(length=60), nullable=True),
        sa.Column("image_id", sa.Integer(), sa.ForeignKey("images.id"), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
    )
    op.create_index("ix_lesson_rounds_lesson_id", "lesson_rounds", ["lesson_id"])
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("teachers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_classes_owner_id", "classes", ["owner_id"])
    op.create_table(
        "class_students",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("class_id", sa.Integer(), sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("name_key", sa.String(length=96), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.UniqueConstraint("class_id", "name_key"),
    )
    op.create_index("ix_class_students_class_id", "class_students", ["class_id"])
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("class_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lesson_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_games_class_id", ["class_id"], unique=False)
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.add_column(sa.Column("student_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_players_student_id", ["student_id"], unique=False)
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("question", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("seed_kept", sa.Boolean(), server_default="0", nullable=False))
    add_starter_lessons(lessons, lesson_rounds)


def add_starter_lessons(lessons: sa.Table, lesson_rounds: sa.Table) -> None:
    now = datetime.now(UTC)
    connection = op.get_bind()
    for title, note, rounds in STARTER_LESSONS:
        lesson_id = connection.execute(
            lessons.insert()
            .values(owner_id=None, title=title, language="en", note=note, shared=True, created_at=now, updated_at=now)
            .returning(lessons.c.id)
        ).scalar_one()
        op.bulk_insert(
            lesson_rounds,
            [
                {
                    "lesson_id": lesson_id,
                    "position": i,
                    "source": "preset",
                    "preset_id": preset,
                    "seed": seed,
                    "question": question,
                }
                for i, (preset, seed, question) in enumerate(rounds, start=1)
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("seed_kept")
        batch_op.drop_column("question")
        batch_op.drop_column("seconds")
        batch_op.drop_column("attempts")
    with op.batch_alter_table("players", schema=None) as batch_op:
        batch_op.drop_index("ix_players_student_id")
        batch_op.drop_column("student_id")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_index("ix_games_class_id")
        batch_op.drop_column("lesson_id")
        batch_op.drop_column("class_id")
    op.drop_index("ix_class_students_class_id", table_name="class_students")
    op.drop_table("class_students")
    op.drop_index("ix_classes_owner_id", table_name="classes")
    op.drop_table("classes")
    op.drop_index("ix_lesson_rounds_lesson_id", table_name="lesson_rounds")
    op.drop_table("lesson_rounds")
    op.drop_index("ix_lessons_owner_id", table_name="lessons")
    op.drop_table("lessons")

"""Retention: the sweep deletes exactly the games past their time — players, prompts, pictures
and all, no orphan rows — and never one a teacher kept, on SQLite and on PostgreSQL; lessons
and classes stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import Classroom, drain
from sqlalchemy import func, select

from db.models import Game, ImageBlob, Lesson, Player, PlayerRound, Round, Submission
from db.session import Database, open_database
from db.types import utcnow
from game import homework, lessons
from game.accounts import session_for
from game.classes import save_class
from game.errors import InvalidInput
from game.games import join_game
from game.retention import deletion_date, due_games, keep_longer, set_retention
from game.rounds import create_round
from game.submissions import submit_prompt
from server.maintenance import sweep
from worker.runner import Worker


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Game, Player, Round, Submission, ImageBlob, Lesson)
        }


def played_game(db: Database, worker: Worker, teacher: str) -> Classroom:
    classroom = Classroom(db, teacher=teacher)
    classroom.round(worker)
    with db.write() as s:
        submit_prompt(s, classroom.code, classroom.join("Mina"), "a red circle")
    drain(worker)
    return classroom


def age(db: Database, classroom: Classroom, days: int) -> None:
    """As if the game had been made and played `days` days ago."""
    then = utcnow() - timedelta(days=days)
    with db.write() as s:
        s.get(Game, classroom.game_id).created_at = then
        for player in s.scalars(select(Player).where(Player.game_id == classroom.game_id)):
            player.joined_at = then
        for round_ in s.scalars(select(Round).where(Round.game_id == classroom.game_id)):
            round_.created_at = round_.started_at = then
            round_.closed_at = round_.revealed_at = then if round_.closed_at else None
            for sub in s.scalars(select(Submission).where(Submission.round_id == round_.id)):
                sub.created_at = then


def check_the_sweep(db: Database, worker: Worker) -> None:
    old = played_game(db, worker, "Ms Old")
    kept = played_game(db, worker, "Ms Kept")
    fresh = played_game(db, worker, "Ms Fresh")
    with db.write() as s:
        lessons.create_lesson(s, old.host, "A lesson that stays", "en")
        save_class(s, old.host, "5-1", "Mina")
    age(db, old, 31)
    age(db, kept, 31)
    age(db, fresh, 29)
    with db.write() as s:
        keep_longer(s, kept.code, kept.host, 10)
    before = counts(db)
    with db.read() as s:
        assert due_games(s) == [old.game_id]
    assert sweep(db) == 1
    after = counts(db)
    with db.read() as s:
        remaining = set(s.scalars(select(Game.id)))
        orphans = s.scalar(
            select(func.count())
            .select_from(ImageBlob)
            .where(
                ImageBlob.id.not_in(select(Submission.image_id).where(Submission.image_id.is_not(None))),
                ImageBlob.id.not_in(select(Round.target_image_id).where(Round.target_image_id.is_not(None))),
            )
        )
    assert remaining == {kept.game_id, fresh.game_id}
    assert after["players"] == before["players"] - 1 and after["submissions"] == before["submissions"] - 1
    assert after["images"] == before["images"] - 2  # the target and Mina's picture
    assert orphans == 0 and after["lessons"] == before["lessons"]
    assert sweep(db) == 0  # nothing else is due


def test_the_sweep_deletes_exactly_the_games_past_their_time_on_sqlite(db: Database, worker: Worker) -> None:
    check_the_sweep(db, worker)


def test_the_sweep_deletes_exactly_the_games_past_their_time_on_postgresql(postgres_url: str, worker: Worker) -> None:
    database = open_database(postgres_url)
    try:
        worker.database = database
        check_the_sweep(database, worker)
    finally:
        database.dispose()


def test_the_teacher_sees_the_deletion_date_and_keeps_a_game_within_the_limit(
    db: Database, classroom: Classroom
) -> None:
    with db.read() as s:
        due = deletion_date(s, classroom.code, classroom.host)
    assert abs(due - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)
    with db.write() as s:
        admin = session_for(s, "Admin", admin=True)
        set_retention(s, admin, 7, 60)
    with db.read() as s:
        assert deletion_date(s, classroom.code, classroom.host) < utcnow() + timedelta(days=8)
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        keep_longer(s, classroom.code, classroom.host, 61)
    assert refused.value.key == "keep_days_range"
    with db.write() as s:
        kept = keep_longer(s, classroom.code, classroom.host, 60)
    assert kept > utcnow() + timedelta(days=59)
    with db.write() as s, pytest.raises(InvalidInput):
        set_retention(s, admin, 30, 10)  # the longest keep below the retention


def test_an_open_assignment_is_never_deleted_before_it_closes(db: Database, worker: Worker) -> None:
    """Finding 1: a 60-day homework under the default 30-day retention, made 31 days ago with
    no attempt since, was deleted with every student's work while still open."""
    from test_homework import an_assignment

    classroom = Classroom(db, teacher="Ms Kim")
    code = an_assignment(db, classroom.host, days=60)
    drain(worker)
    with db.write() as s:
        homework.open_round(s, code, join_game(s, code, "Mina").token)
    made = utcnow() - timedelta(days=31)
    with db.write() as s:
        game = s.scalars(select(Game).where(Game.code == code)).one()
        game.created_at, game.closes_at = made, made + timedelta(days=60)
        for player in s.scalars(select(Player).where(Player.game_id == game.id)):
            player.joined_at = made
        for round_ in s.scalars(select(Round).where(Round.game_id == game.id)):
            round_.created_at = round_.started_at = made
        for place in s.scalars(select(PlayerRound)):
            place.opened_at = made
        game_id = game.id
    with db.read() as s:
        assert game_id not in due_games(s)
        due = deletion_date(s, code, classroom.host)
    assert due > utcnow() + timedelta(days=28 + 30)  # closes in 29 days, then its 30 days
    with db.write() as s:
        s.get(Game, game_id).closes_at = utcnow() - timedelta(days=31)  # closed a retention ago
    with db.read() as s:
        assert game_id in due_games(s)


def test_a_join_or_a_round_the_teacher_opens_is_a_sign_of_life(db: Database, worker: Worker) -> None:
    classroom = played_game(db, worker, "Ms Kim")
    age(db, classroom, 40)
    with db.read() as s:
        assert classroom.game_id in due_games(s)
    with db.write() as s:
        join_game(s, classroom.code, "Late Jun")
    with db.read() as s:
        assert classroom.game_id not in due_games(s)
        assert deletion_date(s, classroom.code, classroom.host) > utcnow() + timedelta(days=29)
    age(db, classroom, 40)
    with db.write() as s:
        create_round(s, classroom.code, classroom.host, source="prompt", secret_prompt="a blue star", seed=3)
    with db.read() as s:
        assert classroom.game_id not in due_games(s)

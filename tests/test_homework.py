"""Homework: a lesson each student plays alone, at their own pace; the secret shown to a
student once they finish a round; the assignment closing (early, or on its date) and
reopening; live rounds served before homework."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import Classroom, drain

from db.models import Submission
from db.queue import claim_jobs
from db.session import Database
from db.types import utcnow
from game import homework, lessons
from game.errors import InvalidInput, NotAllowed
from game.games import GameSettings, join_game
from game.ranking import reveal_gallery
from game.rounds import create_round, host_rounds, start_round
from game.submissions import player_state, queue_position, submit_prompt
from worker.runner import Worker

SETTINGS = GameSettings(engine="sketch", image_size=256)
SECRETS = ("a big red circle on a blue background", "a yellow star on a black background")


def an_assignment(db: Database, host: str, *, days: int = 7, attempts: int = 2, seconds: int | None = None) -> str:
    with db.write() as s:
        lesson = lessons.create_lesson(s, host, "Homework", "en")
        for secret in SECRETS:
            data = lessons.check_round("prompt", secret_prompt=secret, attempts=attempts, seconds=seconds)
            lessons.add_lesson_round(s, host, lesson.id, data)
        return homework.assign_lesson(s, host, lesson.id, SETTINGS, days=days).code


def state(db: Database, code: str, token: str, now=None):
    with db.read() as s:
        return player_state(s, code, token, now)


def test_a_student_plays_every_round_alone_and_sees_each_secret_once_done(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    code = an_assignment(db, classroom.host)
    drain(worker)  # the targets, drawn ahead
    with db.write() as s:
        mina = join_game(s, code, "Mina").token
        homework.open_round(s, code, mina)  # the page opens round 1 at once: no teacher needed
    first = state(db, code, mina)
    assert first.round.number == 1 and first.round.status == "open" and first.round.secret_prompt is None
    assert first.homework.round_count == 2 and not first.homework.finished
    with db.write() as s:
        submit_prompt(s, code, mina, "a red circle")
    drain(worker)
    scored = state(db, code, mina)
    assert scored.submissions[0].status == "done" and scored.submissions[0].feedback is not None
    assert scored.attempts_left == 1 and scored.round.secret_prompt is None
    with db.write() as s, pytest.raises(NotAllowed) as early:
        homework.next_round(s, code, mina)
    assert early.value.key == "homework_round_not_done"
    # Another student sees nothing of Mina's round: still their own round 1, no secret.
    with db.write() as s:
        jun = join_game(s, code, "Jun").token
        homework.open_round(s, code, jun)
    assert state(db, code, jun).round.secret_prompt is None
    # "I'm done with this round": Mina, and only Mina, sees its secret; then round 2.
    with db.write() as s:
        homework.finish_round(s, code, mina)
    done = state(db, code, mina)
    assert done.round.status == "revealed" and done.round.secret_prompt == SECRETS[0]
    assert done.homework.next_number == 2
    assert state(db, code, jun).round.secret_prompt is None
    with db.write() as s, pytest.raises(NotAllowed) as finished:
        submit_prompt(s, code, mina, "one more")
    assert finished.value.key == "homework_round_finished"
    with db.write() as s:
        assert homework.next_round(s, code, mina) == 2
        submit_prompt(s, code, mina, SECRETS[1])
        submit_prompt(s, code, jun, SECRETS[0])
    drain(worker)
    # Using every attempt finishes a round too; the secret prompt scores 100, as live.
    with db.write() as s:
        submit_prompt(s, code, mina, "a star")
    drain(worker)
    last = state(db, code, mina)
    assert max(sub.score for sub in last.submissions) == 100
    assert last.round.status == "revealed" and last.homework.all_done
    assert [(r.number, r.finished, r.best_score) for r in last.homework.rounds][1] == (2, True, 100)
    # The class's gallery waits for the assignment to close.
    with db.read() as s, pytest.raises(NotAllowed):
        reveal_gallery(s, code, last.round.id)


def test_a_student_who_comes_back_continues_where_they_were(db: Database, worker: Worker, classroom: Classroom) -> None:
    code = an_assignment(db, classroom.host)
    drain(worker)
    with db.write() as s:
        mina = join_game(s, code, "Mina").token
        homework.open_round(s, code, mina)
        homework.finish_round(s, code, mina)
        homework.next_round(s, code, mina)
    tomorrow = utcnow() + timedelta(days=1)
    with db.write() as s:
        homework.open_round(s, code, mina, now=tomorrow)  # the page opening again changes nothing
    again = state(db, code, mina, tomorrow)
    assert again.round.number == 2 and again.round.status == "open"
    assert [r.finished for r in again.homework.rounds] == [True, False]


def test_a_rounds_own_minutes_run_per_student_from_when_they_open_it(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    code = an_assignment(db, classroom.host, seconds=120)
    drain(worker)
    start = utcnow()
    with db.write() as s:
        early = join_game(s, code, "Early").token
        late = join_game(s, code, "Late").token
        homework.open_round(s, code, early, now=start)
        homework.open_round(s, code, late, now=start + timedelta(minutes=10))
    later = start + timedelta(minutes=3)
    assert state(db, code, early, later).round.status == "revealed"  # their two minutes are up
    on_time = state(db, code, late, start + timedelta(minutes=11))
    assert on_time.round.status == "open" and on_time.round.ends_at == start + timedelta(minutes=12)
    with db.write() as s, pytest.raises(NotAllowed):
        submit_prompt(s, code, early, "too late", now=later)
    with db.write() as s:
        submit_prompt(s, code, late, "in time", now=start + timedelta(minutes=11))


def test_without_minutes_from_the_lesson_a_homework_round_has_no_clock(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    code = an_assignment(db, classroom.host)
    drain(worker)
    with db.write() as s:
        mina = join_game(s, code, "Mina").token
        homework.open_round(s, code, mina)
    next_week = utcnow() + timedelta(days=6)
    assert state(db, code, mina, next_week).round.status == "open"
    assert state(db, code, mina, next_week).round.ends_at is None


def test_when_the_assignment_closes_everyone_sees_every_round_and_nobody_submits(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    code = an_assignment(db, classroom.host, days=1)
    drain(worker)
    with db.write() as s:
        mina = join_game(s, code, "Mina").token
        homework.open_round(s, code, mina)
        submit_prompt(s, code, mina, "a red circle")
    drain(worker)
    after = utcnow() + timedelta(days=2)
    seen = state(db, code, mina, after)
    assert seen.homework.closed and seen.round.status == "revealed" and seen.round.secret_prompt == SECRETS[0]
    assert all(r.finished and r.secret_prompt for r in seen.homework.rounds)
    for write in (
        lambda s: submit_prompt(s, code, mina, "late", now=after),
        lambda s: join_game(s, code, "Latecomer", now=after),
    ):
        with db.write() as s, pytest.raises(NotAllowed) as refused:
            write(s)
        assert refused.value.key == "assignment_closed"
    with db.read() as s:
        gallery = reveal_gallery(s, code, seen.round.id, now=after)
    assert [item.nickname for item in gallery] == ["Mina"]


def test_the_teacher_closes_early_extends_and_sees_each_students_progress(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    code = an_assignment(db, classroom.host)
    drain(worker)
    with db.write() as s:
        mina = join_game(s, code, "Mina").token
        join_game(s, code, "Jun")
        homework.open_round(s, code, mina)
        submit_prompt(s, code, mina, "a red circle")
    drain(worker)
    with db.read() as s:
        rows = {row.nickname: row for row in homework.homework_progress(s, code, classroom.host)}
    assert rows["Mina"].reached == 1 and rows["Mina"].best_scores[0] is not None and not rows["Mina"].done
    assert rows["Jun"].reached == 0 and rows["Jun"].best_scores == [None, None]
    with db.write() as s:
        closed = homework.close_assignment(s, code, classroom.host)
    assert closed.closes_at <= utcnow()
    with db.write() as s, pytest.raises(NotAllowed):
        submit_prompt(s, code, mina, "after the close")
    # Every secret has been shown: extending now would let anyone type it and score 100.
    with db.write() as s, pytest.raises(NotAllowed) as refused:
        homework.extend_assignment(s, code, classroom.host, 3)
    assert refused.value.key == "assignment_closed_no_extend"
    with db.write() as s, pytest.raises(NotAllowed):
        submit_prompt(s, code, mina, SECRETS[0])
    with db.read() as s:
        assert s.query(Submission).filter(Submission.prompt == SECRETS[0]).count() == 0
    # Extending before the close keeps it open where every student was.
    open_code = an_assignment(db, classroom.host, days=2)
    with db.write() as s:
        extended = homework.extend_assignment(s, open_code, classroom.host, 3)
    assert extended.closes_at > utcnow() + timedelta(days=4)
    other = Classroom(db, teacher="Mr Lee")
    for action in (
        lambda s: homework.close_assignment(s, code, other.host),
        lambda s: homework.extend_assignment(s, code, other.host, 1),
        lambda s: homework.homework_progress(s, code, other.host),
    ):
        with db.write() as s, pytest.raises(NotAllowed):
            action(s)


def test_an_assignment_stays_open_one_to_sixty_days(db: Database, classroom: Classroom) -> None:
    with db.write() as s:
        lesson = lessons.create_lesson(s, classroom.host, "L", "en")
        lessons.add_lesson_round(
            s, classroom.host, lesson.id, lessons.check_round("preset", preset_id="easy-red-circle")
        )
    for days in (0, 61):
        with db.write() as s, pytest.raises(InvalidInput) as refused:
            homework.assign_lesson(s, classroom.host, lesson.id, SETTINGS, days=days)
        assert refused.value.key == "assignment_days_range"
    with db.write() as s, pytest.raises(InvalidInput) as past:
        homework.assign_lesson(s, classroom.host, lesson.id, SETTINGS, closes_at=utcnow() - timedelta(hours=1))
    assert past.value.key == "assignment_end_past"


def test_the_worker_takes_a_live_rounds_attempts_before_homework(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    code = an_assignment(db, classroom.host, attempts=5)
    live_round = classroom.round(worker)  # a live game's round, open
    drain(worker)
    live_player = classroom.join("Live")
    with db.write() as s:
        tokens = [join_game(s, code, f"Home {i}").token for i in range(3)]
        for token in tokens:
            homework.open_round(s, code, token)
            submit_prompt(s, code, token, "a red circle")  # homework queued first
        live = submit_prompt(s, classroom.code, live_player, "a red circle")
        assert queue_position(s, live.id) == 1  # first in line, though it came last
    with db.write() as s:
        first = claim_jobs(s, "w", 8)
    assert [job.round_id for job in first] == [live_round]
    with db.write() as s:
        s.query(Submission).filter(Submission.id == first[0].id).update({"status": "done"})
        second = claim_jobs(s, "w", 8)
    assert len(second) == 3  # then the homework


def test_a_live_game_of_the_same_lesson_still_plays_as_before(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    """A homework game's rules never touch a live game's (shared code paths)."""
    with db.write() as s:
        create_round(s, classroom.code, classroom.host, source="prompt", secret_prompt=SECRETS[0], seed=1)
    drain(worker)
    with db.write() as s:
        token = join_game(s, classroom.code, "Mina").token
        (round_id,) = [r.id for r in host_rounds(s, classroom.code, classroom.host)]
        start_round(s, classroom.code, classroom.host, round_id)
        submit_prompt(s, classroom.code, token, SECRETS[0])
    drain(worker)
    assert state(db, classroom.code, token).homework is None

"""PostgreSQL with several worker processes: the school set-up (README, "Scaling out").

Every test gets its own empty database on the real server at 127.0.0.1:5432; without one they
fail in CI and skip elsewhere (see the `postgres_url` fixture).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers import Classroom, drain, schema_differences, status_counts, submit_from_threads, wait_until
from servers import start_worker, stop
from sqlalchemy import func, select, text

from config import Settings
from db.models import ImageBlob, Submission
from db.queue import claim_jobs
from db.session import Database, open_database
from game.ranking import round_leaderboard
from game.submissions import submit_prompt
from worker.runner import Worker


@pytest.fixture
def pg(postgres_url: str) -> Database:
    database = open_database(postgres_url)
    yield database
    database.dispose()


def test_migrations_make_the_models_schema_even_when_processes_start_together(postgres_url: str) -> None:
    databases = [Database(postgres_url) for _ in range(3)]
    threads = [threading.Thread(target=d.upgrade_schema) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert schema_differences(databases[0]) == []
    for database in databases:
        database.dispose()


def test_a_round_is_played_on_postgres(pg: Database, settings: Settings) -> None:
    worker = Worker(pg, settings.with_changes(database_url=pg.url))
    classroom = Classroom(pg)
    round_id = classroom.round(worker)
    tokens = [classroom.join(name) for name in ("Ana", "Ben")]
    for token, prompt in zip(tokens, ["a big red circle on a blue background", "a green square"], strict=True):
        with pg.write() as s:
            submit_prompt(s, classroom.code, token, prompt)
    drain(worker)
    with pg.read() as s:
        rows = round_leaderboard(s, round_id)
    assert [row.nickname for row in rows] == ["Ana", "Ben"]
    assert rows[0].best_score > rows[1].best_score


def test_three_worker_processes_score_500_submissions_exactly_once(pg: Database, tmp_path: Path) -> None:
    classroom = Classroom(pg, attempts=1, player_cap=500)
    classroom.round(start=False)
    workers = [start_worker(pg.url, tmp_path, "--batch", "8", engine="sketch", poll_interval="0.05") for _ in range(3)]
    try:
        wait_until(lambda: classroom.target_ready(), 60, "a worker to draw the target")
        classroom.start_all()
        submit_from_threads(pg, classroom.code, players=500, threads=20)
        wait_until(lambda: status_counts(pg) == {"done": 500}, 120, "500 scored submissions")
    finally:
        for process in workers:
            stop(process)
    with pg.read() as s:
        scored = s.execute(select(Submission.score, Submission.image_id, Submission.worker_id)).all()
        images = s.scalar(select(func.count()).select_from(ImageBlob))
    assert all(score is not None for score, _, _ in scored)
    # One image per submission and one for the target: nothing was stored twice.
    assert len({image_id for _, image_id, _ in scored}) == 500 and images == 501


def test_two_workers_claiming_at_once_take_different_jobs_without_waiting(pg: Database, settings: Settings) -> None:
    """What lets several workers share the queue, shown without relying on timing: while one
    worker's claim is still uncommitted (its rows locked), another claims other jobs at once."""
    classroom = Classroom(pg, attempts=1)
    classroom.round(Worker(pg, settings.with_changes(database_url=pg.url)))
    submit_from_threads(pg, classroom.code, players=10, threads=1)
    with pg.write() as first:
        taken_first = claim_jobs(first, "worker-a", 4)
        with pg.write() as second:
            second.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting on a lock fails the test
            taken_second = claim_jobs(second, "worker-b", 4)
    assert len(taken_first) == len(taken_second) == 4
    assert not {job.id for job in taken_first} & {job.id for job in taken_second}

"""Fault tolerance: a worker process killed with SIGKILL mid-batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Classroom, status_counts, submit_from_threads, wait_until
from servers import start_worker, stop
from sqlalchemy import func, select

from db.models import ImageBlob
from db.session import Database, open_database


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    sqlite_url = f"sqlite:///{tmp_path / 'game.db'}"
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    database = open_database(url)
    yield database
    database.dispose()


def test_a_worker_killed_mid_batch_loses_nothing(any_db: Database, tmp_path: Path) -> None:
    # The tiny real model at 768 px: a batch takes long enough on a CPU to be killed in it.
    classroom = Classroom(any_db, attempts=1, size=768)
    classroom.round(start=False)
    data_dir = Path(__file__).resolve().parent.parent / "data"
    settings = {"engine": "tiny", "poll_interval": "0.05", "data_dir": str(data_dir)}
    first = start_worker(any_db.url, tmp_path, "--batch", "4", "--lease", "2", **settings)
    try:
        wait_until(lambda: classroom.target_ready(), 120, "the first worker to draw the target")
        classroom.start_all()
        submit_from_threads(any_db, classroom.code, players=12, threads=4)
        wait_until(lambda: status_counts(any_db).get("running"), 60, "a batch to start")
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        stop(first)
    held = status_counts(any_db).get("running", 0)
    assert held, "the worker was killed while it held a batch"

    second = start_worker(any_db.url, tmp_path, "--batch", "4", "--lease", "2", **settings)
    try:
        wait_until(lambda: status_counts(any_db) == {"done": 12}, 180, "every submission scored after the restart")
    finally:
        stop(second)
    with any_db.read() as s:
        images = s.scalar(select(func.count()).select_from(ImageBlob))
    assert images == 12 + 1

"""Fault tolerance: a worker process killed with SIGKILL mid-batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
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


def kill_while_holding_a_batch(worker: subprocess.Popen[bytes], db: Database, timeout_s: float) -> int:
    """SIGKILL `worker` at a moment it holds a batch; returns how many attempts it held.

    A batch of the tiny model takes ~50 ms, so a batch seen running can be finished before a
    kill lands (a clean-clone run saw it). The worker is frozen (SIGSTOP) first, so what is
    read next is what it holds when it dies; if it was between batches, it goes on."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        wait_until(lambda: status_counts(db).get("running"), deadline - time.monotonic(), "a batch to start", 0.005)
        os.kill(worker.pid, signal.SIGSTOP)
        held = status_counts(db).get("running", 0)
        if held:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            return held
        os.kill(worker.pid, signal.SIGCONT)
    raise AssertionError(f"the worker never held a batch when frozen in {timeout_s:.0f} s")


def test_a_worker_killed_mid_batch_loses_nothing(any_db: Database, tmp_path: Path) -> None:
    classroom = Classroom(any_db, attempts=1, size=768)
    classroom.round(start=False)
    data_dir = Path(__file__).resolve().parent.parent / "data"
    settings = {"engine": "tiny", "poll_interval": "0.05", "data_dir": str(data_dir)}
    first = start_worker(any_db.url, tmp_path, "--batch", "4", "--lease", "2", **settings)
    try:
        wait_until(lambda: classroom.target_ready(), 120, "the first worker to draw the target")
        classroom.start_all()
        submit_from_threads(any_db, classroom.code, players=12, threads=4)
        held = kill_while_holding_a_batch(first, any_db, 60)
    finally:
        stop(first)
    # Nothing finishes the killed worker's batch: its attempts stay running until recovered.
    assert status_counts(any_db).get("running", 0) == held

    second = start_worker(any_db.url, tmp_path, "--batch", "4", "--lease", "2", **settings)
    try:
        wait_until(lambda: status_counts(any_db) == {"done": 12}, 180, "every submission scored after the restart")
    finally:
        stop(second)
    with any_db.read() as s:
        images = s.scalar(select(func.count()).select_from(ImageBlob))
    assert images == 12 + 1

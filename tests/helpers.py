"""Helpers for flat, readable tests: a classroom with a host, players and rounds."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from db.models import Base, Game, Submission
from db.session import Database
from game.accounts import session_for
from game.games import GameSettings, create_game, join_game
from game.rounds import create_round, host_rounds, start_round
from game.submissions import submit_prompt
from worker.runner import Worker


def drain(worker: Worker, limit: int = 100) -> int:
    """Run the worker until the queue is empty; returns the items processed."""
    total = 0
    for _ in range(limit):
        done = worker.run_once()
        if not done:
            return total
        total += done
    raise AssertionError("the worker did not drain the queue")


class Classroom:
    """A game with a host and helpers to add players and rounds, for flat readable tests."""

    def __init__(
        self,
        db: Database,
        engine: str = "sketch",
        attempts: int = 3,
        size: int = 256,
        player_cap: int | None = None,
        title: str = "Test class",
        teacher: str = "Ms Test",
    ) -> None:
        self.db = db
        with db.write() as s:
            # The host's credential is a signed-in teacher's session.
            self.host = session_for(s, teacher)
            created = create_game(
                s, self.host, title, GameSettings(engine=engine, attempts_per_round=attempts, image_size=size)
            )
            if player_cap is not None:  # a load test's crowd, beyond what a host may set
                s.get(Game, created.id).player_cap = player_cap
        self.code = created.code
        self.game_id = created.id

    def join(self, nickname: str) -> str:
        with self.db.write() as s:
            return join_game(s, self.code, nickname).token

    def target_ready(self) -> bool:
        with self.db.read() as s:
            return all(r.target_status == "ready" for r in host_rounds(s, self.code, self.host))

    def start_all(self) -> None:
        with self.db.write() as s:
            for r in host_rounds(s, self.code, self.host):
                if r.status == "draft":
                    start_round(s, self.code, self.host, r.id)

    def round(
        self,
        worker: Worker | None = None,
        *,
        prompt: str = "a big red circle on a blue background",
        seed: int = 7,
        start: bool = True,
    ) -> int:
        with self.db.write() as s:
            round_id = create_round(s, self.code, self.host, source="prompt", secret_prompt=prompt, seed=seed).id
        if worker is not None:
            drain(worker)
        if start:
            with self.db.write() as s:
                start_round(s, self.code, self.host, round_id)
        return round_id


def wait_until(condition: Callable[[], object], timeout_s: float, what: str, every_s: float = 0.05) -> object:
    """Poll `condition` until it returns something truthy; fail with `what` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def schema_differences(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def status_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(Submission.status, func.count()).group_by(Submission.status)).all())


def submit_from_threads(db: Database, code: str, players: int, threads: int) -> None:
    """`threads` threads, each joining its share of players, each player submitting once."""

    def one_thread(first: int) -> None:
        for number in range(first, players, threads):
            with db.write() as s:
                token = join_game(s, code, f"Student {number}").token
            with db.write() as s:
                submit_prompt(s, code, token, f"{number % 7} red circles on a blue background")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one_thread, range(threads)))

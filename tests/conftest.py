"""Shared fixtures: a real SQLite file per test, settings pointing at it, a worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Never reach for a model hub from the tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from config import Settings, load_settings  # noqa: E402
from db.session import Database, open_database  # noqa: E402
from engine.registry import EngineRegistry  # noqa: E402
from engine.worker import Worker  # noqa: E402
from game.games import GameSettings, create_game, join_game  # noqa: E402
from game.rounds import create_round, start_round  # noqa: E402

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "test-models"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "PROMPTMATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'game.db'}",
            "PROMPTMATCH_ENGINE": "sketch",
            "PROMPTMATCH_WORKER": "external",
            "PROMPTMATCH_DATA_DIR": str(tmp_path / "data"),
            "PROMPTMATCH_POLL_INTERVAL": "0.05",
        }
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def shared_registry_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data_dir keeps the tiny models for the whole test session."""
    return load_settings({"PROMPTMATCH_DATA_DIR": str(MODELS_DIR.parent), "PROMPTMATCH_ENGINE": "tiny"})


@pytest.fixture(scope="session")
def registry(shared_registry_settings: Settings) -> EngineRegistry:
    return EngineRegistry(shared_registry_settings)


@pytest.fixture
def worker(db: Database, settings: Settings, registry: EngineRegistry) -> Worker:
    # Engines are shared across tests (loading them is the slow part); settings are per test.
    registry.settings = registry.settings.with_changes(batch_size=settings.batch_size)
    return Worker(db, settings, registry=registry)


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

    def __init__(self, db: Database, engine: str = "sketch", attempts: int = 3, size: int = 256) -> None:
        self.db = db
        with db.write() as s:
            created = create_game(s, "Test class", GameSettings(engine=engine, attempts_per_round=attempts, image_size=size))
        self.code = created.game.code
        self.game_id = created.game.id
        self.host = created.host_token

    def join(self, nickname: str) -> str:
        with self.db.write() as s:
            return join_game(s, self.code, nickname).token

    def round(self, worker: Worker | None = None, *, prompt: str = "a big red circle on a blue background", seed: int = 7, start: bool = True) -> int:
        with self.db.write() as s:
            round_id = create_round(s, self.code, self.host, source="prompt", secret_prompt=prompt, seed=seed).id
        if worker is not None:
            drain(worker)
        if start:
            with self.db.write() as s:
                start_round(s, self.code, self.host, round_id)
        return round_id


@pytest.fixture
def classroom(db: Database) -> Classroom:
    return Classroom(db)

"""Shared fixtures: a real SQLite file per test, settings pointing at it, a worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

# Never reach for a model hub from the tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# A missing translation key or parameter fails the test (and the test servers' pages) instead
# of showing a child a raw "{count}".
os.environ["PROMPTMATCH_STRICT_TRANSLATIONS"] = "1"

from helpers import Classroom

from config import Settings, load_settings
from db.session import Database, open_database
from engine.registry import EngineRegistry
from worker.runner import Worker

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


@pytest.fixture
def classroom(db: Database) -> Classroom:
    return Classroom(db)


POSTGRES_ADMIN_URL = os.environ.get("PROMPTMATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards. Unreachable
    PostgreSQL fails the test in CI (CI=true) and skips it elsewhere."""
    from sqlalchemy.exc import OperationalError

    from bench.scratch import postgres_database

    with ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_database(POSTGRES_ADMIN_URL, "promptmatch_test"))
        except OperationalError as error:
            message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        yield url


@pytest.fixture
def app_environment(settings, monkeypatch) -> None:
    """The pages (tests/apptest.py) read their settings from the environment."""
    monkeypatch.setenv("PROMPTMATCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PROMPTMATCH_ENGINE", "sketch")
    monkeypatch.setenv("PROMPTMATCH_WORKER", "external")
    monkeypatch.setenv("PROMPTMATCH_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("PROMPTMATCH_TEACHER_PIN", raising=False)


@pytest.fixture
def pg_worker(postgres_url: str, settings: Settings, registry: EngineRegistry) -> Iterator[tuple[Database, Worker]]:
    database = open_database(postgres_url)
    yield database, Worker(database, settings.with_changes(database_url=postgres_url), registry=registry)
    database.dispose()

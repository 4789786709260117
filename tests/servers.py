"""Real processes for tests: `streamlit run` servers and `python -m worker` workers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.server import app_env, app_server, stop  # noqa: F401  (tests import stop from here)
from config import PROJECT_DIR

# Called when what used a server failed, before the server stops: the browser tests photograph
# their pages here, while the server still serves them (tests/e2e/conftest.py).
before_a_failed_server_stops: list[Callable[[], None]] = []


@contextmanager
def streamlit_server(home: Path, *, options: dict[str, str] | None = None, **settings: str) -> Iterator[str]:
    """The app as `make run` starts it (bench/server.py); yields its base URL."""
    with app_server(home, options=options, **settings) as (url, _process):
        try:
            yield url
        except BaseException:
            for look in before_a_failed_server_stops:
                look()
            raise


def start_worker(database_url: str, home: Path, *args: str, **settings: str) -> subprocess.Popen[bytes]:
    """`python -m worker --database-url URL …`, logging to home/worker-<n>.log."""
    log_path = home / f"worker-{time.monotonic_ns()}.log"
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "worker", "--database-url", database_url, *args],
            cwd=PROJECT_DIR,
            env=app_env(home, **settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

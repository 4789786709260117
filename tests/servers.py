"""Real processes for tests: `streamlit run` servers and `python -m worker` workers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.server import app_env, app_server, stop  # noqa: F401  (tests import stop from here)
from config import PROJECT_DIR


@contextmanager
def streamlit_server(home: Path, **settings: str) -> Iterator[str]:
    """The app as `make run` starts it (bench/server.py); yields its base URL."""
    with app_server(home, **settings) as (url, _process):
        yield url


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

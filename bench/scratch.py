"""Throw-away databases for benchmarks and tests: a temporary SQLite file, or a new database
on a PostgreSQL server, created empty and dropped afterwards."""

from __future__ import annotations

import os
import platform
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import torch
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def postgres_database(server_url: str, prefix: str = "promptmatch_scratch") -> Iterator[str]:
    """Create an empty database next to the one `server_url` names; yields its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str]:
    """A fresh database on the given PostgreSQL server, or a temporary SQLite file."""
    if server_url and not server_url.startswith("sqlite"):
        with postgres_database(server_url, "promptmatch_bench") as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="promptmatch-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def machine() -> str:
    """One line for bench/RESULTS.md: where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = f", GPU {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ", no GPU"
    return f"{date.today()} · {platform.system()} · {cpu} · {os.cpu_count()} cores{gpu} · torch {torch.__version__}"

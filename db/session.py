"""Database engine and sessions.

SQLite is the embedded default. It allows one writer at a time, so every write transaction
starts with `BEGIN IMMEDIATE` (it takes the write lock up front instead of failing half way
with "database is locked"), reads use plain deferred transactions, and WAL lets readers run
beside the writer. PostgreSQL needs none of this.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from db import files
from db.changes import track_changes
from db.migrate import upgrade_to_head

T = TypeVar("T")

_IMMEDIATE = "promptmatch_begin_immediate"


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred only).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # A deleted row's bytes are overwritten, not left in free pages: an erased student's
        # prompt must not stay readable in the file (SQLite's default depends on the build).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Owns the SQLAlchemy engine; hands out read and write sessions."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.file: Path | None = None
        self._in_use: int | None = None
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                self.file = Path(parsed.database)
                if not self.file.parent.exists():
                    files.make_private_folder(self.file.parent)
                self._in_use = files.hold_shared(self.file)  # a restore waits for us to stop
            self.engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            _prepare_sqlite(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.engine.execution_options(**{_IMMEDIATE: True}), expire_on_commit=False)
        track_changes(self._writes)

    def upgrade_schema(self) -> None:
        """Create or upgrade the tables with the Alembic migrations (db/migrations)."""
        with self.engine.execution_options(**{_IMMEDIATE: True}).begin() as connection:
            upgrade_to_head(connection)
        if self.file is not None:
            files.make_private(self.file)

    def checkpoint(self) -> None:
        """Copy the WAL into the database and empty it (SQLite): after an erase, the erased
        rows' old pages must not linger in the -wal file. Nothing to do on PostgreSQL."""
        if self.is_sqlite:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that commits on success and rolls back on any exception, except
        `KeepChanges`: a refusal whose record must stay (a wrong let-back-in code counts)."""
        with self._writes() as session:
            session.begin()
            try:
                yield session
            except KeepChanges:
                session.commit()
                raise
            except BaseException:
                session.rollback()
                raise
            session.commit()

    def transaction(self, action: Callable[[Session], T], attempts: int = 3) -> T:
        """`action` in one write transaction, run again (up to `attempts` times) when the
        database broke a deadlock by aborting it: PostgreSQL picks one of two transactions
        that lock the same rows in opposite orders, and that one is safe to repeat whole."""
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as session:
                    return action(session)
            except DBAPIError as error:
                if attempt == attempts or not is_deadlock(error):
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
        if self._in_use is not None:
            files.release(self._in_use)
            self._in_use = None


M = TypeVar("M")


def required(session: Session, model: type[M], key: object, **options: Any) -> M:
    """`session.get` for a row the caller knows exists (a job it holds, a row it just read):
    a missing one is a bug to report, not a None to carry on with."""
    row = session.get(model, key, **options)
    if row is None:
        raise LookupError(f"no {model.__name__} {key!r}")
    return row


class KeepChanges(Exception):
    """Mixed into an error raised inside `Database.write` whose transaction must commit anyway."""


def is_deadlock(error: DBAPIError) -> bool:
    """PostgreSQL's deadlock_detected (40P01) or serialization_failure (40001)."""
    return getattr(error.orig, "sqlstate", None) in ("40P01", "40001")


def open_database(url: str) -> Database:
    database = Database(url)
    database.upgrade_schema()
    return database


_shared: dict[str, Database] = {}
_shared_lock = threading.Lock()


def shared_database(url: str) -> Database:
    """One Database per URL for the whole process: the pages, the HTTP routes and the embedded
    worker share its connection pool, whatever Streamlit's caches do."""
    with _shared_lock:
        if url not in _shared:
            _shared[url] = open_database(url)
        return _shared[url]

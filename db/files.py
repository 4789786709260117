"""The SQLite database's files on disk: who may read them, and who is using them.

- **Private.** The database holds password hashes and children's prompts and pictures: the
  database file (and with it the WAL and shared-memory files, which SQLite creates with the
  database's permissions) and every backup are readable by the server's account alone (0600),
  and the data folder is 0700.
- **In use.** Every process that opens the database (web server, worker, admin command) holds
  a shared lock on `<database>.lock` for as long as it has it open. A restore takes the lock
  exclusively, so it refuses while any of them runs: a server that kept its connections to the
  replaced file would go on showing and writing the old data, and lose it all at its next
  restart. The operating system drops a dead process's lock, so a crash never blocks a restore.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


class DatabaseInUse(RuntimeError):
    """A server or worker has the database open."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def make_private(database: Path) -> None:
    """The database, its journal files and its lock readable by this account alone."""
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm", ".lock"))):
        with contextlib.suppress(FileNotFoundError):
            path.chmod(PRIVATE_FILE)


def make_private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    folder.chmod(PRIVATE_FOLDER)


def _open_lock(database: Path) -> int:
    descriptor = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    return descriptor


def hold_shared(database: Path) -> int:
    """Mark the database as in use by this process until `release` (or the process ends)."""
    descriptor = _open_lock(database)
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    return descriptor


def release(descriptor: int) -> None:
    with contextlib.suppress(OSError):
        os.close(descriptor)  # closing the descriptor drops its lock


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold the database alone, or raise DatabaseInUse at once (never wait for a server)."""
    descriptor = _open_lock(database)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(str(database)) from None
        yield
    finally:
        release(descriptor)

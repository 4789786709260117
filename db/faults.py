"""What went wrong with storage, in words a teacher can act on.

The pages show a student "the game can't save right now" and the host what is wrong and what
to do (ui/faults.py); this module only tells the kinds apart, from the database driver's
errors as SQLite and PostgreSQL word them.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

# Errors that mean the storage, not the game's rules, failed.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, OSError)

_KINDS = (
    ("disk_full", ("database or disk is full", "no space left on device", "disk full", "could not extend file")),
    ("read_only", ("readonly database", "read-only", "read only", "permission denied", "unable to open database")),
    ("corrupt", ("file is not a database", "malformed", "disk image is malformed")),
    ("unreachable", ("connection refused", "could not connect", "server closed the connection", "terminating")),
)


def storage_fault(error: BaseException) -> str:
    """disk_full, read_only, corrupt, unreachable or other."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "disk_full"
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "unreachable"
    text = str(getattr(error, "orig", None) or error).lower()
    return next((kind for kind, phrases in _KINDS if any(p in text for p in phrases)), "other")

"""What a failed job tells its reader: message keys for our own failures (translated where
they are read: ui/widgets.reason, the exports), an engine's own words for its own."""

from __future__ import annotations

from db.faults import STORAGE_ERRORS, storage_fault
from engine.base import EngineUnavailable

# Shown to the student whose attempt could not be saved twice (a full disk, most likely).
STORE_FAILED = "the result could not be saved"


def readable(error: BaseException) -> str:
    """The reason the host reads: the engine's own words, a storage failure's kind as a
    message key (details go to the log, never a driver's message with its SQL), else the
    error's first line."""
    if isinstance(error, STORAGE_ERRORS):
        return STORAGE_REASONS.get(storage_fault(error), STORAGE_REASONS["other"])
    text = str(error).strip() or type(error).__name__
    return text if isinstance(error, EngineUnavailable) else f"{type(error).__name__}: {text.splitlines()[0]}"[:500]


# Stored as message keys, translated where they are read (ui/widgets.reason, the exports'
# label): a Korean host reads a Korean reason.
STORAGE_REASONS = {
    "disk_full": "reason_disk_full",
    "read_only": "reason_read_only",
    "corrupt": "reason_corrupt",
    "unreachable": "reason_unreachable",
    "other": "reason_busy",
}

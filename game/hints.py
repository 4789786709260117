"""The host's hints switch: whether students see a hint under each scored attempt.

The hints themselves are computed by the worker (engine/hints.py) and stored with every
score; this switch only decides whether the student's page shows them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from game.games import require_host


def set_hints(session: Session, code: str, credential: str | None, enabled: bool) -> bool:
    game = require_host(session, code, credential)
    game.hints_enabled = bool(enabled)
    return game.hints_enabled


def hints_enabled(session: Session, code: str, credential: str | None) -> bool:
    return require_host(session, code, credential).hints_enabled

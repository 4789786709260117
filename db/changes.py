"""Version counters that tell open pages, cheaply, that something they show has changed.

Every write transaction that changes a game's rows moves that game's `version` once, at commit;
one that changes what every player sees (a round, the game's settings) also moves
`shared_version`; one that changes a player's attempts or name moves that player's `version`.
A page remembers the versions it was drawn at and reruns only when one moved (ui/live.py),
so an idle class costs the server nothing but one cached lookup per page and second.

ORM changes are found by the session itself (`after_flush`); bulk UPDATEs, which the ORM does
not see (the job queue's claims and results), call `note_changes` with the rows they touched.

Who waits for a change hears of it without asking the database over and over: after a commit,
this process's listeners (`listen_for_commits`) get the ids of the games that moved, and on
PostgreSQL the transaction also sends `NOTIFY promptmatch_changes` with them, so the other
processes (web servers, workers) hear of it too (server/live_feed.py listens).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from db.models import Game, Player, PlayerRound, Round, Submission

_KEY = "promptmatch_changes"
_MOVED = "promptmatch_moved_games"
NOTIFY_CHANNEL = "promptmatch_changes"
log = logging.getLogger(__name__)

CommitListener = Callable[[frozenset[int]], None]
_listeners: list[CommitListener] = []
_listeners_lock = threading.Lock()


def listen_for_commits(listener: CommitListener) -> Callable[[], None]:
    """Call `listener(game_ids)` after every commit in this process that moved those games'
    counters (in the committing thread: it must be quick). Returns what stops it."""
    with _listeners_lock:
        _listeners.append(listener)

    def stop() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return stop


@dataclass
class PendingChanges:
    game_ids: set[int] = field(default_factory=set)
    shared_game_ids: set[int] = field(default_factory=set)
    round_ids: set[int] = field(default_factory=set)
    shared_round_ids: set[int] = field(default_factory=set)
    player_ids: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.game_ids or self.shared_game_ids or self.round_ids or self.shared_round_ids or self.player_ids)


def _pending(session: Session) -> PendingChanges:
    return session.info.setdefault(_KEY, PendingChanges())


def note_changes(
    session: Session,
    *,
    game_ids: Iterable[int] = (),
    round_ids: Iterable[int] = (),
    player_ids: Iterable[int] = (),
    shared: bool = False,
) -> None:
    """Record rows a bulk UPDATE changed; their versions move when the transaction commits."""
    pending = _pending(session)
    (pending.shared_game_ids if shared else pending.game_ids).update(game_ids)
    (pending.shared_round_ids if shared else pending.round_ids).update(round_ids)
    pending.player_ids.update(player_ids)


def _collect(session: Session, _context: Any) -> None:
    pending = _pending(session)
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Game):
            pending.shared_game_ids.add(obj.id)
        elif isinstance(obj, Round):
            pending.shared_game_ids.add(obj.game_id)
        elif isinstance(obj, Player):
            pending.game_ids.add(obj.game_id)
            pending.player_ids.add(obj.id)
        elif isinstance(obj, Submission | PlayerRound):  # an attempt; a homework round opened or done
            pending.round_ids.add(obj.round_id)
            pending.player_ids.add(obj.player_id)


def _bump(session: Session) -> None:
    # before_commit runs before the commit's own final flush: flush here so that what is
    # still pending is collected too.
    session.flush()
    pending: PendingChanges | None = session.info.pop(_KEY, None)
    if not pending:
        return
    shared = set(pending.shared_game_ids)
    if pending.shared_round_ids:
        shared.update(session.scalars(select(Round.game_id).where(Round.id.in_(pending.shared_round_ids))))
    games = set(pending.game_ids) | shared
    if pending.round_ids:
        games.update(session.scalars(select(Round.game_id).where(Round.id.in_(pending.round_ids))))
    unshared = games - shared
    if shared:
        session.execute(
            update(Game)
            .where(Game.id.in_(shared))
            .values(version=Game.version + 1, shared_version=Game.shared_version + 1)
            .execution_options(synchronize_session=False)
        )
    if unshared:
        session.execute(
            update(Game)
            .where(Game.id.in_(unshared))
            .values(version=Game.version + 1)
            .execution_options(synchronize_session=False)
        )
    if pending.player_ids:
        session.execute(
            update(Player)
            .where(Player.id.in_(pending.player_ids))
            .values(version=Player.version + 1)
            .execution_options(synchronize_session=False)
        )
    if games:
        session.info[_MOVED] = frozenset(games)
        if session.get_bind().dialect.name == "postgresql":
            # Delivered to every listening connection when (and only if) this commits.
            ids = ",".join(str(game_id) for game_id in sorted(games))
            session.execute(text("SELECT pg_notify(:channel, :ids)"), {"channel": NOTIFY_CHANNEL, "ids": ids})


def _tell(session: Session) -> None:
    moved: frozenset[int] | None = session.info.pop(_MOVED, None)
    if not moved:
        return
    with _listeners_lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(moved)
        except Exception:  # a listener's fault must not look like a failed commit
            log.exception("a commit listener failed")


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_KEY, None)
    session.info.pop(_MOVED, None)


def track_changes(factory: sessionmaker[Session]) -> None:
    """Make every session of this factory move the versions of what it changed, at commit."""
    event.listen(factory, "after_flush", _collect)
    event.listen(factory, "before_commit", _bump)
    event.listen(factory, "after_commit", _tell)
    event.listen(factory, "after_rollback", _forget)

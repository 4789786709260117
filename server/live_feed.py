"""Open pages wait for a change instead of asking for one (`GET /api/live/{code}/wait`).

One `LiveFeed` per web server process, on its event loop, knows the counters of every game a
page is waiting on and reads them again only when it hears that something moved:
- this process's own commits (db.changes.listen_for_commits): a teacher's click, a student's
  submit, the embedded worker thread's results — at once;
- on PostgreSQL, the other processes' commits (other web servers, external workers) through
  one `LISTEN promptmatch_changes` connection for the whole process, in one thread;
- on SQLite, the other processes' commits (an external worker) through the file's
  `PRAGMA data_version`, looked at every `SQLITE_PROBE_S` on one connection.
Whatever it hears, it reads all the games that moved in two queries. A waiting page is an
asyncio future, not a thread nor a query: 310 idle pages cost their renewals (one request per
page every `WAIT_S`) and nothing else. A slow full re-read (`SAFETY_S`) covers a notification
lost while the PostgreSQL connection was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field

import psycopg
from sqlalchemy.engine import make_url

from db.changes import NOTIFY_CHANNEL, listen_for_commits
from db.session import Database
from game.live import GameVersions, watched_versions
from game.tokens import normalize_join_code

log = logging.getLogger(__name__)

WAIT_S = 25.0  # a waiting page's request returns after this long even if nothing moved
SQLITE_PROBE_S = 0.5
SAFETY_S = 15.0
FORGET_AFTER_S = 120.0  # a game nobody has waited on for this long is no longer read
COALESCE_S = 0.02  # commits that land together are read together


@dataclass(frozen=True)
class Seen:
    """The counters a page was drawn at, of those it watches (None: not watched)."""

    game: int | None = None
    shared: int | None = None
    player_id: int | None = None
    player: int | None = None

    def moved(self, versions: GameVersions | None) -> bool:
        if versions is None:
            # Gone: a page drawn with the game must say so at once; a request that never saw
            # it (a stranger guessing codes) waits like a quiet game's (server/strangers.py).
            return any(value for value in (self.game, self.shared, self.player))
        return (
            (self.game is not None and versions.version != self.game)
            or (self.shared is not None and versions.shared != self.shared)
            or (
                self.player_id is not None
                and self.player is not None
                and versions.players.get(self.player_id, -1) != self.player
            )
        )


@dataclass
class _Watched:
    versions: GameVersions | None
    game_id: int | None
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0
    last_wanted: float = field(default_factory=time.monotonic)


class LiveFeed:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.loop = asyncio.get_running_loop()
        self._games: dict[str, _Watched] = {}
        self._codes_by_id: dict[int, str] = {}
        self._dirty: set[str] = set()
        self._everything = False  # re-read every watched game (a probe saw a change)
        self._wake = asyncio.Event()
        self._stop = threading.Event()
        self._closing = False  # the server is stopping: every waiting page is answered now
        self._stop_listening = listen_for_commits(self._heard_commit)
        self.reads = 0  # for tests and benchmarks: how many times the feed read the database
        self._task = self.loop.create_task(self._refresh_forever())
        probe = self._listen_postgres if not database.is_sqlite else self._probe_sqlite
        threading.Thread(target=probe, name="live-feed", daemon=True).start()

    # -- what a page's request does ----------------------------------------------------------
    async def current(self, code: str) -> GameVersions | None:
        watched = await self._watch(normalize_join_code(code))
        return watched.versions

    async def wait(self, code: str, seen: Seen, timeout_s: float) -> GameVersions | None:
        """The game's counters as soon as one `seen` watches differs, or after `timeout_s`."""
        watched = await self._watch(normalize_join_code(code))
        deadline = self.loop.time() + timeout_s
        watched.waiting += 1
        try:
            while not self._closing and not seen.moved(watched.versions):
                left = deadline - self.loop.time()
                if left <= 0:
                    break
                event = watched.changed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(left):
                        await event.wait()
        finally:
            watched.waiting -= 1
            watched.last_wanted = time.monotonic()
        return watched.versions

    async def _watch(self, code: str) -> _Watched:
        watched = self._games.get(code)
        if watched is None:
            found = await asyncio.to_thread(self._read, {code})
            watched = self._games.get(code)  # another request may have added it meanwhile
            if watched is None:
                game_id, versions = found.get(code, (None, None))
                watched = _Watched(versions=versions, game_id=game_id)
                self._games[code] = watched
                if game_id is not None:
                    self._codes_by_id[game_id] = code
        watched.last_wanted = time.monotonic()
        return watched

    # -- hearing of changes ------------------------------------------------------------------
    def _heard_commit(self, game_ids: frozenset[int]) -> None:
        """In the committing thread: hand the news to the loop."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
            self.loop.call_soon_threadsafe(self._moved, game_ids)

    def _moved(self, game_ids: frozenset[int] | None) -> None:
        if game_ids is None:
            self._everything = True
        else:
            self._dirty.update(code for game_id in game_ids if (code := self._codes_by_id.get(game_id)))
        if self._dirty or self._everything:
            self._wake.set()

    def _probe_sqlite(self) -> None:
        """Another process's commit changes the file's data_version as this connection sees it."""
        path = make_url(self.database.url).database
        if not path or path == ":memory:":
            return
        while not self._stop.is_set():
            try:
                with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as probe:
                    last = probe.execute("PRAGMA data_version").fetchone()[0]
                    self._heard_everything()  # what committed before this first look
                    while not self._stop.wait(SQLITE_PROBE_S):
                        version = probe.execute("PRAGMA data_version").fetchone()[0]
                        if version != last:
                            self._heard_everything()
                        last = version
            except sqlite3.Error:
                self._stop.wait(SQLITE_PROBE_S)

    def _listen_postgres(self) -> None:
        """One LISTEN connection for the process: every other process's commit, by game id."""
        conninfo = make_url(self.database.url).set(drivername="postgresql").render_as_string(hide_password=False)
        backoff = 1.0
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    backoff = 1.0
                    self._heard_everything()  # what moved while it was not listening
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=5.0):
                            ids = frozenset(int(part) for part in notice.payload.split(",") if part.isdigit())
                            self._heard_commit(ids)
            except psycopg.Error as error:
                log.warning("live feed: PostgreSQL listener lost (%s); again in %.0f s", error, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def _heard_everything(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._moved, None)

    # -- reading -----------------------------------------------------------------------------
    def _read(self, codes: set[str]) -> dict[str, tuple[int, GameVersions]]:
        self.reads += 1
        with self.database.read() as session:
            return watched_versions(session, codes)

    async def _refresh_forever(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancel that
            # lands as the wake comes, and this loop would then outlive its event loop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SAFETY_S):
                    await self._wake.wait()
            await asyncio.sleep(COALESCE_S)
            self._wake.clear()
            everything = self._everything or not self._dirty
            codes = set(self._games) if everything else self._dirty & set(self._games)
            self._dirty.clear()
            self._everything = False
            self._forget_unwatched()
            if not codes:
                continue
            try:
                found = await asyncio.to_thread(self._read, codes)
            except Exception:  # the database is busy or gone: the waiting pages ask again
                log.exception("live feed: reading the counters failed")
                await asyncio.sleep(1.0)
                continue
            for code in codes:
                watched = self._games.get(code)
                if watched is None:
                    continue
                game_id, versions = found.get(code, (None, None))
                if versions != watched.versions:
                    watched.versions, watched.game_id = versions, game_id
                    if game_id is not None:
                        self._codes_by_id[game_id] = code
                    watched.changed.set()  # wakes every page waiting on this game
                    watched.changed = asyncio.Event()

    def _forget_unwatched(self) -> None:
        now = time.monotonic()
        for code, watched in list(self._games.items()):
            if watched.waiting == 0 and now - watched.last_wanted > FORGET_AFTER_S:
                del self._games[code]
                if watched.game_id is not None:
                    self._codes_by_id.pop(watched.game_id, None)

    def answer_everyone(self) -> None:
        """The server is stopping: answer every waiting page now (on the feed's loop), so no
        connection holds the shutdown for up to WAIT_S; the pages then say the server is gone."""
        self._closing = True
        for watched in self._games.values():
            watched.changed.set()

    def close(self) -> None:
        self._stop.set()
        self._stop_listening()
        self._task.cancel()


_feeds: dict[int, LiveFeed] = {}


def answer_waiting_pages() -> None:
    """From any thread (a signal handler): every feed answers its waiting pages now."""
    for feed in list(_feeds.values()):
        if not feed.loop.is_closed():
            feed.loop.call_soon_threadsafe(feed.answer_everyone)


def live_feed(database: Database) -> LiveFeed:
    """This event loop's feed for this database (one per web server process in practice)."""
    loop = asyncio.get_running_loop()
    key = id(database)
    feed = _feeds.get(key)
    if feed is None or feed.loop is not loop or feed.loop.is_closed():
        if feed is not None:
            feed.close()
        feed = _feeds[key] = LiveFeed(database)
    return feed

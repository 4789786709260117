"""A waiting page hears of a change as soon as the server does (server/live_feed.py): from this
process's own commits at once, from another process's through PostgreSQL's NOTIFY or SQLite's
data_version, and many waiting pages of one game cost one read, not one each."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time

from helpers import Classroom

from config import PROJECT_DIR
from db.models import Player
from db.session import Database, open_database
from game.games import find_player
from game.live import game_versions
from server.live_feed import LiveFeed, Seen


def drawn_at(db: Database, code: str) -> Seen:
    """The counters a board drawn now watches."""
    with db.read() as s:
        versions = game_versions(s, code)
    assert versions is not None
    return Seen(game=versions.version)


def join_from_another_process(url: str, code: str, nickname: str) -> None:
    script = textwrap.dedent(
        f"""
        from db.session import open_database
        from game.games import join_game
        db = open_database({url!r})
        with db.write() as s:
            join_game(s, {code!r}, {nickname!r})
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, check=True, timeout=60)


async def wait_for_a_join(db: Database, classroom: Classroom, join: object, timeout_s: float) -> float:
    """Seconds from the join's commit until a waiting board heard of it."""
    feed = LiveFeed(db)
    try:
        seen = drawn_at(db, classroom.code)
        await feed.current(classroom.code)  # the page's first request: the feed now watches the game
        waiting = asyncio.create_task(feed.wait(classroom.code, seen, timeout_s=30))
        await asyncio.sleep(0.2)
        assert not waiting.done(), "the page came back with nothing changed"
        await asyncio.to_thread(join)  # type: ignore[arg-type]
        joined = time.monotonic()
        versions = await waiting
        assert versions is not None and versions.version != seen.game
        return time.monotonic() - joined
    finally:
        feed.close()


def test_a_waiting_board_hears_a_join_in_this_process_at_once(db: Database, classroom: Classroom) -> None:
    delay = asyncio.run(wait_for_a_join(db, classroom, lambda: classroom.join("Mina"), 30))
    assert delay < 0.5


def test_a_waiting_board_hears_a_join_in_another_process_on_sqlite(db: Database, classroom: Classroom) -> None:
    # The other process is a second writer of the same file (an external worker, a script).
    delay = asyncio.run(
        wait_for_a_join(db, classroom, lambda: join_from_another_process(db.url, classroom.code, "Joon"), 30)
    )
    assert delay < 2.0


def test_a_waiting_board_hears_a_join_on_another_web_server_through_postgresql(postgres_url: str) -> None:
    db = open_database(postgres_url)
    try:
        classroom = Classroom(db)
        delay = asyncio.run(
            wait_for_a_join(db, classroom, lambda: join_from_another_process(postgres_url, classroom.code, "Ana"), 30)
        )
        assert delay < 1.0  # NOTIFY is delivered at commit: no polling interval to wait for
    finally:
        db.dispose()


def test_an_unchanged_wait_comes_back_after_its_time(db: Database, classroom: Classroom) -> None:
    async def unchanged() -> float:
        feed = LiveFeed(db)
        try:
            started = time.monotonic()
            versions = await feed.wait(classroom.code, drawn_at(db, classroom.code), timeout_s=0.5)
            assert versions is not None and versions.version == drawn_at(db, classroom.code).game
            return time.monotonic() - started
        finally:
            feed.close()

    assert 0.45 <= asyncio.run(unchanged()) < 2.0


def test_three_hundred_waiting_pages_cost_one_read_per_change(db: Database, classroom: Classroom) -> None:
    async def crowd() -> tuple[int, int]:
        feed = LiveFeed(db)
        try:
            seen = drawn_at(db, classroom.code)
            await feed.current(classroom.code)
            pages = [asyncio.create_task(feed.wait(classroom.code, seen, timeout_s=30)) for _ in range(300)]
            await asyncio.sleep(0.3)
            reads_before = feed.reads
            await asyncio.to_thread(classroom.join, "Latecomer")
            answers = await asyncio.wait_for(asyncio.gather(*pages), 10)
            assert all(a is not None and a.version != seen.game for a in answers)
            return feed.reads - reads_before, len(answers)
        finally:
            feed.close()

    reads, answered = asyncio.run(crowd())
    assert answered == 300
    assert reads <= 3  # the commit's own read (and, at most, the file probe's)


def test_a_student_is_woken_by_their_own_result_not_by_another_students(db: Database, classroom: Classroom) -> None:
    mina, joon = classroom.join("Mina"), classroom.join("Joon")

    with db.read() as s:
        mina_id = find_player(s, classroom.code, mina).id
        joon_id = find_player(s, classroom.code, joon).id
        versions = game_versions(s, classroom.code)
    assert versions is not None
    seen = Seen(shared=versions.shared, player_id=mina_id, player=versions.players[mina_id])

    async def student() -> bool:
        feed = LiveFeed(db)
        try:
            await feed.current(classroom.code)
            waiting = asyncio.create_task(feed.wait(classroom.code, seen, timeout_s=1.5))
            await asyncio.sleep(0.2)
            with db.write() as s:  # Joon renames himself: the board moves, Mina's page does not
                s.get(Player, joon_id).nickname = "Joonie"
            await asyncio.sleep(0.5)
            return waiting.done()
        finally:
            feed.close()

    assert asyncio.run(student()) is False


def test_a_page_of_a_game_that_is_gone_is_told_at_once(db: Database) -> None:
    async def gone() -> object:
        feed = LiveFeed(db)
        try:
            return await asyncio.wait_for(feed.wait("ZZZZZZ", Seen(game=1), timeout_s=30), 2)
        finally:
            feed.close()

    assert asyncio.run(gone()) is None


def test_a_commit_in_a_thread_with_no_feed_listening_is_harmless(db: Database, classroom: Classroom) -> None:
    # The feed's loop has closed (the server stopping): commits must still succeed.
    asyncio.run(asyncio.sleep(0))  # a loop that has come and gone
    feed_holder: list[LiveFeed] = []

    async def make() -> None:
        feed_holder.append(LiveFeed(db))

    asyncio.run(make())
    done = threading.Event()

    def join() -> None:
        classroom.join("After")
        done.set()

    threading.Thread(target=join).start()
    assert done.wait(10)
    feed_holder[0].close()

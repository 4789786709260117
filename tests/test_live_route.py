"""The live route over HTTP, in process (Starlette's app under httpx.ASGITransport): a code
that does not exist is answered like a quiet game, and guessing codes is refused after a few
tries (issue 34, finding 10)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from helpers import Classroom
from starlette.applications import Starlette

from db.session import Database
from game.games import join_game
from game.moderation import delete_game
from server import strangers as stranger_module
from server.routes import routes
from server.strangers import UNKNOWN_PER_MINUTE, StrangerLimit


@pytest.fixture
def client(db: Database, monkeypatch) -> httpx.AsyncClient:
    monkeypatch.setenv("PROMPTMATCH_DATABASE_URL", db.url)
    monkeypatch.setattr(stranger_module.strangers, "_misses", {})
    transport = httpx.ASGITransport(app=Starlette(routes=routes()), client=("203.0.113.7", 4711))
    return httpx.AsyncClient(transport=transport, base_url="http://school.test")


def test_a_code_that_does_not_exist_is_answered_like_a_quiet_game(
    db: Database, classroom: Classroom, client: httpx.AsyncClient
) -> None:
    with db.write() as s:
        join_game(s, classroom.code, "Mina")

    async def ask() -> tuple[dict, dict, dict, float, float]:
        async with client:
            real = (await client.get(f"/api/live/{classroom.code}")).json()
            fake = (await client.get("/api/live/ZZZZZZ")).json()
            started = time.perf_counter()
            waited = (await client.get(f"/api/live/{classroom.code}/wait?timeout=0.5")).json()
            real_wait = time.perf_counter() - started
            started = time.perf_counter()
            await client.get("/api/live/ZZZZZZ/wait?timeout=0.5")
            return real, fake, waited, real_wait, time.perf_counter() - started

    real, fake, waited, real_wait, fake_wait = asyncio.run(ask())
    assert set(fake) == set(real) == {"game", "shared"} and "gone" not in fake
    assert fake == {"game": 0, "shared": 0}
    assert waited == real
    assert abs(real_wait - fake_wait) < 0.3  # a stranger's wait is held as long as a page's


def test_a_page_of_a_deleted_game_is_told_at_once(db: Database, classroom: Classroom, client) -> None:
    async def ask() -> tuple[dict, dict, float]:
        async with client:
            drawn = (await client.get(f"/api/live/{classroom.code}")).json()
            with db.write() as s:
                delete_game(s, classroom.code, classroom.host)
            started = time.perf_counter()
            after = (await client.get(f"/api/live/{classroom.code}/wait?game={drawn['game']}&timeout=5")).json()
            return drawn, after, time.perf_counter() - started

    drawn, after, seconds = asyncio.run(ask())
    assert drawn["game"] > 0 and after["game"] != drawn["game"] and seconds < 2


def test_guessing_codes_is_refused_after_a_few_but_a_class_behind_one_address_is_not(
    db: Database, classroom: Classroom, client
) -> None:
    async def ask() -> tuple[list[int], list[int]]:
        async with client:
            own = [(await client.get(f"/api/live/{classroom.code}")).status_code for _ in range(200)]
            guesses = [(await client.get(f"/api/live/AAAA{n:02d}")).status_code for n in range(UNKNOWN_PER_MINUTE + 5)]
            return own, [*guesses, (await client.get(f"/api/live/{classroom.code}")).status_code]

    own, guesses = asyncio.run(ask())
    assert set(own) == {200}  # 200 asks about a real game: a class's pages are never slowed
    assert guesses[:UNKNOWN_PER_MINUTE] == [200] * UNKNOWN_PER_MINUTE
    assert set(guesses[UNKNOWN_PER_MINUTE:]) == {429}  # then every code, real or not, for a minute


def test_the_limit_forgets_after_its_minute() -> None:
    limit = StrangerLimit(per_window=2, window_s=60)
    for moment in (0.0, 1.0):
        limit.missed("a", now=moment)
    assert limit.refused("a", now=2.0) and not limit.refused("b", now=2.0)
    assert not limit.refused("a", now=61.5)

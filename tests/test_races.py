"""Two web servers acting at once on one PostgreSQL database (issue 12's races): each case
runs 20 times with two real connections released together by a barrier."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator

import pytest
from helpers import Classroom, drain
from sqlalchemy import select

from config import Settings
from db.models import Game, Round, Submission
from db.session import Database, open_database
from game.errors import GameError
from game.games import join_game
from game.moderation import kick_player
from game.rounds import create_round, start_round
from game.submissions import player_state, submit_prompt
from worker.runner import Worker

TRIES = 20


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    database = open_database(postgres_url)
    yield database
    database.dispose()


def at_once(db: Database, *actions: Callable) -> list[object]:
    """Run each action in its own write transaction (its own connection), all released at
    the same moment; returns what each returned, or the GameError it raised. Any other
    exception (an IntegrityError, say) fails the test."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable) -> None:
        barrier.wait()
        try:
            with db.write() as session:
                results[index] = action(session)
        except GameError as error:
            results[index] = error
        except BaseException as error:
            results[index] = ("unexpected", error)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    unexpected = [r for r in results if isinstance(r, tuple) and r and r[0] == "unexpected"]
    assert not unexpected, unexpected
    return results


def test_two_rounds_started_at_once_leave_one_open(pg: Database, settings: Settings) -> None:
    worker = Worker(pg, settings.with_changes(database_url=pg.url))
    for _ in range(TRIES):
        classroom = Classroom(pg)
        first, second = (classroom.round(worker, start=False) for _ in range(2))
        start = functools.partial(start_round, code=classroom.code, credential=classroom.host)
        results = at_once(pg, functools.partial(start, round_id=first), functools.partial(start, round_id=second))
        with pg.read() as s:
            open_rounds = s.scalars(select(Round.id).where(Round.game_id == classroom.game_id, Round.status == "open"))
            assert len(list(open_rounds)) == 1
        assert sorted(type(r).__name__ for r in results) == ["NotAllowed", "RoundView"]


def test_two_rounds_created_at_once_get_two_numbers(pg: Database) -> None:
    for _ in range(TRIES):
        classroom = Classroom(pg)
        make = functools.partial(
            create_round, code=classroom.code, credential=classroom.host, source="prompt", secret_prompt="a red circle"
        )
        results = at_once(pg, make, make)
        assert sorted(r.number for r in results) == [1, 2]


def test_two_students_joining_with_one_nickname_get_the_rules_message(pg: Database) -> None:
    for attempt in range(TRIES):
        classroom = Classroom(pg)
        join = functools.partial(join_game, code=classroom.code, nickname=f"Mina {attempt}")
        results = at_once(pg, join, join)
        errors = [r for r in results if isinstance(r, GameError)]
        assert len(errors) == 1 and errors[0].key == "nickname_taken"


def test_a_player_removed_while_submitting_never_gets_a_picture(pg: Database, settings: Settings) -> None:
    worker = Worker(pg, settings.with_changes(database_url=pg.url))
    classroom = Classroom(pg, attempts=1)
    classroom.round(worker)
    for attempt in range(TRIES):
        token = classroom.join(f"Troll {attempt}")
        with pg.read() as s:
            player_id = player_state(s, classroom.code, token).player.id
        at_once(
            pg,
            functools.partial(submit_prompt, code=classroom.code, player_token=token, prompt="a red circle"),
            functools.partial(kick_player, code=classroom.code, credential=classroom.host, player_id=player_id),
        )
        drain(worker)
        with pg.read() as s:
            statuses = list(s.scalars(select(Submission.status).where(Submission.player_id == player_id)))
        assert statuses in ([], ["failed"]), statuses


def test_a_transaction_aborted_to_break_a_deadlock_is_run_again(pg: Database) -> None:
    """Two transactions lock two games in opposite orders: PostgreSQL aborts one, and
    Database.transaction runs it again, so both end done (as a page's action or the AI's
    attempt would)."""
    games = [Classroom(pg).game_id for _ in range(2)]
    barrier = threading.Barrier(2)
    tries: list[int] = []

    def lock_both(first: int, second: int) -> str:
        def action(session) -> str:
            tries.append(first)
            session.get(Game, first, with_for_update=True)
            if len(tries) <= 2:  # the first attempts meet in the middle; a retry goes through
                barrier.wait(timeout=10)
            session.get(Game, second, with_for_update=True)
            return "done"

        return pg.transaction(action)

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda a=a, b=b: results.append(lock_both(a, b))) for a, b in (games, games[::-1])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["done", "done"]
    assert len(tries) == 3  # one of the two ran twice

"""Pages learn cheaply that something changed: the counters an open page watches move with
exactly the changes that page shows (db/changes.py, game/live.py)."""

from __future__ import annotations

from helpers import Classroom, drain

from db.session import Database
from game.games import find_player, join_game
from game.live import GameVersions, game_versions
from game.moderation import kick_player
from game.rounds import close_round, reveal_round
from game.submissions import submit_prompt
from worker.runner import Worker


def versions(db: Database, code: str) -> GameVersions:
    with db.read() as s:
        found = game_versions(s, code)
    assert found is not None
    return found


def player_id(db: Database, code: str, token: str) -> int:
    with db.read() as s:
        return find_player(s, code, token).id


def test_a_join_moves_the_board_but_not_the_students_pages(db: Database, classroom: Classroom) -> None:
    mina = classroom.join("Mina")
    before = versions(db, classroom.code)
    classroom.join("Joon")
    after = versions(db, classroom.code)
    assert after.version > before.version  # the board lists Joon
    assert after.shared == before.shared  # Mina's page shows nothing of Joon
    mina_id = player_id(db, classroom.code, mina)
    assert after.players[mina_id] == before.players[mina_id]


def test_a_stored_result_moves_its_players_page_and_the_board_only(
    db: Database, classroom: Classroom, worker: Worker
) -> None:
    mina, joon = classroom.join("Mina"), classroom.join("Joon")
    classroom.round(worker)
    with db.write() as s:
        submit_prompt(s, classroom.code, mina, "a red circle")
    queued = versions(db, classroom.code)
    drain(worker)
    scored = versions(db, classroom.code)
    mina_id, joon_id = player_id(db, classroom.code, mina), player_id(db, classroom.code, joon)
    assert scored.version > queued.version
    assert scored.players[mina_id] > queued.players[mina_id]
    assert scored.players[joon_id] == queued.players[joon_id]
    assert scored.shared == queued.shared


def test_every_round_change_moves_what_every_player_watches(db: Database, classroom: Classroom, worker: Worker) -> None:
    classroom.join("Mina")
    round_id = classroom.round(worker, start=False)
    seen = [versions(db, classroom.code).shared]
    classroom.start_all()
    seen.append(versions(db, classroom.code).shared)
    with db.write() as s:
        close_round(s, classroom.code, classroom.host, round_id)
    seen.append(versions(db, classroom.code).shared)
    with db.write() as s:
        reveal_round(s, classroom.code, classroom.host, round_id)
    seen.append(versions(db, classroom.code).shared)
    assert seen == sorted(set(seen)), f"each step must move the shared counter: {seen}"


def test_a_removed_player_sees_it_at_once(db: Database, classroom: Classroom) -> None:
    token = classroom.join("Mina")
    mina_id = player_id(db, classroom.code, token)
    before = versions(db, classroom.code).players[mina_id]
    with db.write() as s:
        kick_player(s, classroom.code, classroom.host, mina_id)
    assert versions(db, classroom.code).players[mina_id] > before


def test_a_failed_write_moves_nothing(db: Database, classroom: Classroom) -> None:
    classroom.join("Mina")
    before = versions(db, classroom.code)
    try:
        with db.write() as s:
            join_game(s, classroom.code, "Joon")
            raise RuntimeError("the disk is full")
    except RuntimeError:
        pass
    assert versions(db, classroom.code) == before


def test_reads_do_not_move_anything(db: Database, classroom: Classroom, worker: Worker) -> None:
    token = classroom.join("Mina")
    classroom.round(worker)
    before = versions(db, classroom.code)
    with db.read() as s:
        find_player(s, classroom.code, token)
    worker.run_once()  # nothing queued: an idle worker's poll
    worker.beat()
    assert versions(db, classroom.code) == before


def test_an_unknown_code_has_no_versions(db: Database) -> None:
    with db.read() as s:
        assert game_versions(s, "ZZZZZZ") is None

"""The schema is made and upgraded by Alembic; a database from before migrations upgrades in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import drain, schema_differences
from sqlalchemy import inspect

from db.migrate import current_revision, head_revision
from db.session import Database, open_database
from game.accounts import claim_game, session_for
from game.errors import NotAllowed
from game.games import find_player, require_host
from game.ranking import game_leaderboard, reveal_gallery
from game.rounds import create_round, host_rounds, start_round
from game.submissions import player_state, submit_prompt
from worker.runner import Worker

V1_DUMP = Path(__file__).parent / "data" / "promptmatch-v1.sql"
# Made by the version before migrations (commit b36c680) with tests/data/promptmatch-v1.sql;
# the database keeps only hashes of these tokens.
V1_CODE = "M74A8N"
V1_HOST_TOKEN = "xtgsmXQ5Z9IeaIZEohim4Cr_tXnEl2w-"
V1_MINA_TOKEN = "ToYaBll_f3nmCaPP8Sq-urvulHnNbwMt"


def test_a_new_database_gets_exactly_the_models_schema(db: Database) -> None:
    assert schema_differences(db) == []
    with db.engine.connect() as connection:
        assert current_revision(connection) == head_revision()


def test_opening_an_upgraded_database_again_changes_nothing(db: Database, settings) -> None:
    again = open_database(settings.database_url)
    with again.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    again.dispose()


def test_a_database_from_before_migrations_upgrades_in_place(tmp_path: Path, settings) -> None:
    path = tmp_path / "promptmatch.db"
    with sqlite3.connect(path) as old:
        old.executescript(V1_DUMP.read_text())
    database = open_database(f"sqlite:///{path}")

    assert schema_differences(database) == []
    assert "alembic_version" in inspect(database.engine).get_table_names()
    with database.write() as s:
        # The host key no longer opens the console: a signed-in teacher claims the game with it, once.
        teacher = session_for(s, "Ms Kim")
        with pytest.raises(NotAllowed, match="not_signed_in"):
            require_host(s, V1_CODE, V1_HOST_TOKEN)
        with pytest.raises(NotAllowed, match="game_unclaimed"):
            require_host(s, V1_CODE, teacher)
        assert claim_game(s, V1_CODE, V1_HOST_TOKEN, teacher)
        other = session_for(s, "Mr Lee")
        assert not claim_game(s, V1_CODE, V1_HOST_TOKEN, other)  # claimed once
    with database.read() as s:
        # The students keep their links; the finished round keeps its scores.
        game = require_host(s, V1_CODE, teacher)
        with pytest.raises(NotAllowed, match="not_your_game"):
            require_host(s, V1_CODE, other)
        assert find_player(s, V1_CODE, V1_MINA_TOKEN).nickname == "Mina"
        (round_,) = host_rounds(s, V1_CODE, teacher)
        assert round_.status == "revealed" and round_.secret_prompt == "a yellow sun over green hills"
        assert [(row.nickname, row.total_score) for row in game_leaderboard(s, game.id)] == [
            ("Joon", 44.94),
            ("Mina", 42.59),
        ]
        assert len(reveal_gallery(s, V1_CODE, round_.id)) == 2

    # …and the game goes on in the upgraded database.
    worker = Worker(database, settings.with_changes(database_url=f"sqlite:///{path}"))
    with database.write() as s:
        second = create_round(s, V1_CODE, teacher, source="prompt", secret_prompt="a blue moon", seed=3).id
    drain(worker)
    with database.write() as s:
        start_round(s, V1_CODE, teacher, second)
        submit_prompt(s, V1_CODE, V1_MINA_TOKEN, "a blue moon at night")
    drain(worker)
    with database.read() as s:
        (attempt,) = player_state(s, V1_CODE, V1_MINA_TOKEN).submissions
        assert attempt.status == "done" and attempt.score is not None
    database.dispose()


def test_migration_0006_computes_nickname_keys_with_its_own_frozen_copy_of_the_rule() -> None:
    """It imported game.text.fold_key, so replaying it after a change of the rules would write
    other keys; its copy gives today's keys for the names the rule was made for."""
    import importlib

    from game.text import fold_key

    frozen = importlib.import_module("db.migrations.versions.0006_room_control").fold_key
    for name in ("Mina", "Мina", "Mіna", "MINA", "Ｍina", "Mina\u3164", "Mina\u2800", "ᴀɪ", "자살", "Éva"):
        assert frozen(name) == fold_key(name), name

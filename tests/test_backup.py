"""Backups and the way back: a consistent copy while attempts are being stored, restored to a
working database; the last seven kept; a damaged file refused; and a damaged database at
start is one plain message and a non-zero exit, not a traceback."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import Classroom, drain
from servers import app_env
from sqlalchemy import func, select, text

from config import PROJECT_DIR
from db import backup as backups
from db.models import Submission
from db.session import Database, open_database
from game.games import join_game
from game.submissions import submit_prompt
from worker.runner import Worker

SERVER = [sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "app.py"), "--server.headless", "true"]
SERVER += ["--server.port", "0"]


def start_on(database: Path, home: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """`command` (the server, or `python -m worker`) started on that database file: it is
    expected to stop by itself, saying why."""
    return subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=app_env(home, database_url=f"sqlite:///{database}", worker="external", engine="sketch"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def database_file(db: Database) -> Path:
    path = backups.sqlite_path(db.url)
    assert path is not None
    return path


def test_a_backup_taken_while_attempts_are_stored_restores_to_a_working_database(
    db: Database, worker: Worker, classroom: Classroom, tmp_path: Path
) -> None:
    classroom.round(worker)
    tokens = [classroom.join(f"Student {i}") for i in range(12)]
    stop = threading.Event()

    def class_at_work() -> None:
        for i, token in enumerate(tokens):
            with db.write() as s:
                submit_prompt(s, classroom.code, token, f"{i} red circles")
            drain(worker)
        stop.set()

    busy = threading.Thread(target=class_at_work)
    busy.start()
    copies = [
        backups.backup(database_file(db), tmp_path / "backups", now=datetime.now(UTC) + timedelta(seconds=i))
        for i in range(3)
    ]
    busy.join()
    assert stop.is_set()
    for copy in copies:
        assert backups.check(copy) is None
    restored_at = tmp_path / "restored" / "game.db"
    restored_at.parent.mkdir()
    assert backups.restore(copies[-1], restored_at) is None
    restored = open_database(f"sqlite:///{restored_at}")
    try:
        with restored.write() as s:  # a working database: read and written
            stored = s.scalar(select(func.count()).select_from(Submission))
            newcomer = join_game(s, classroom.code, "After the restore").token  # a copy caught mid-batch
            submit_prompt(s, classroom.code, newcomer, "after the restore")
        assert stored is not None
    finally:
        restored.dispose()


def test_the_last_seven_are_kept_and_a_day_passes_between_daily_backups(db: Database, tmp_path: Path) -> None:
    database = database_file(db)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for day in range(9):
        backups.backup(database, now=start + timedelta(days=day))
    kept = sorted(backups.backups_dir(database).glob("*.db"))
    assert len(kept) == backups.KEEP and kept[0].name.endswith("20261203-000000.db")
    assert backups.daily_backup(database, now=datetime.now(UTC)) is None
    assert backups.daily_backup(database, now=datetime.now(UTC) + timedelta(days=1, minutes=1)) is not None


def test_restore_refuses_a_damaged_backup_and_keeps_the_file_it_replaces(db: Database, tmp_path: Path) -> None:
    database = database_file(db)
    good = backups.backup(database, tmp_path / "b")
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ValueError, match="cannot be restored"):
        backups.restore(damaged, database)
    db.dispose()
    aside = backups.restore(good, database)
    assert aside is not None and aside.exists() and database.exists()
    assert backups.check(database) is None


def test_a_damaged_database_at_start_is_one_plain_message_and_a_non_zero_exit(tmp_path: Path) -> None:
    damaged = tmp_path / "promptmatch.db"
    damaged.write_bytes(b"this is not a database" * 100)
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "promptmatch-20261201-000000.db").write_bytes(b"")
    started = start_on(damaged, tmp_path, SERVER)
    said = started.stdout + started.stderr
    assert started.returncode != 0
    assert f"the database file {damaged} cannot be used" in said
    assert "db.backup --restore" in said and "promptmatch-20261201-000000.db" in said
    assert "Traceback" not in said


def test_postgresql_is_told_to_use_pg_dump(capsys) -> None:
    assert backups.main(["--database-url", "postgresql+psycopg://postgres@127.0.0.1:5432/test"]) == 0
    assert "pg_dump" in capsys.readouterr().out


def test_restore_refuses_while_a_server_has_the_database_open_and_changes_nothing(
    db: Database, tmp_path: Path, capsys
) -> None:
    """Finding 2: a restore under a running server was silently lost at its next restart."""
    database = database_file(db)
    good = backups.backup(database, tmp_path / "b")
    with db.write() as s:
        join_game(s, Classroom(db, teacher="Ms Kim").code, "Written after the backup")
    db.dispose()
    server = subprocess.Popen(  # another process with the database open, as `make run` has it
        [
            sys.executable,
            "-c",
            f"from db.session import open_database; open_database('{db.url}'); print('open', flush=True); input()",
        ],
        cwd=PROJECT_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "open"
        before = database.read_bytes()
        assert backups.main(["--restore", str(good), "--database-url", db.url]) == 3
        said = capsys.readouterr().err
        assert "in use" in said and "Stop every server" in said and "Nothing was changed" in said
        assert database.read_bytes() == before
        assert not list(database.parent.glob("*.replaced-*"))
    finally:
        server.communicate("\n", timeout=30)
    assert backups.main(["--restore", str(good), "--database-url", db.url]) == 0  # stopped: it goes


def test_the_database_and_its_backups_are_readable_by_the_servers_account_alone(tmp_path: Path) -> None:
    """Finding 8: the database, its WAL and the backups were created 0644."""
    folder = tmp_path / "data"
    database = open_database(f"sqlite:///{folder / 'promptmatch.db'}")
    try:
        with database.write() as s:
            join_game(s, Classroom(database, teacher="Ms Kim").code, "Mina")
        copy = backups.backup(folder / "promptmatch.db")
        assert backups.check(copy) is None
        assert folder.stat().st_mode & 0o777 == 0o700
        assert copy.parent.stat().st_mode & 0o777 == 0o700
        for path in [copy, *folder.glob("promptmatch.db*")]:
            assert path.stat().st_mode & 0o777 == 0o600, path
        # Reading a backup leaves nothing beside it.
        assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]
    finally:
        database.dispose()


def test_a_database_of_a_newer_version_at_start_is_one_plain_message_and_exit_2(tmp_path: Path) -> None:
    """Finding 9: Alembic's raw traceback ("Can't locate revision") stopped the server."""
    newer = tmp_path / "promptmatch.db"
    database = open_database(f"sqlite:///{newer}")
    with database.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    database.dispose()
    before = newer.read_bytes()
    for command in (SERVER, [sys.executable, "-m", "worker"]):
        started = start_on(newer, tmp_path, command)
        said = started.stdout + started.stderr
        assert started.returncode == 2, said
        assert f"the database file {newer} was last used by a newer version" in said
        assert "0099_from_the_future" in said and "Traceback" not in said
    assert newer.read_bytes() == before

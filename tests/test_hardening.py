"""What a determined student and a full disk do to a game (issue 12), on real SQLite files.
The PostgreSQL races are in tests/test_races.py."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from apptest import generate_button, page, prompt_box
from helpers import Classroom, drain
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from config import PROJECT_DIR
from db.models import Submission
from db.queue import claim_jobs, heartbeat
from db.session import Database
from engine.imaging import MAX_UPLOAD_BYTES
from game.blocklist import load_blocklist
from game.errors import InvalidInput, NotAllowed
from game.games import join_game, set_room
from game.moderation import kick_player
from game.submissions import player_state, submit_prompt
from worker.runner import STORE_FAILED, Worker

# -- text that pretends to be something else ------------------------------------------------

LOOKALIKES_OF_MINA = {
    "Cyrillic М": "\u041cina",
    "Cyrillic і": "M\u0456na",
    "Hangul filler after": "Mina\u3164",
    "blank Braille after": "Mina\u2800",
    "combining grapheme joiner inside": "Mi\u034fna",
    "zero-width space inside": "Mi\u200bna",
    "capitals": "MINA",
    "fullwidth": "\uff2dina",
}


@pytest.mark.parametrize("lookalike", LOOKALIKES_OF_MINA.values(), ids=LOOKALIKES_OF_MINA.keys())
def test_a_lookalike_of_a_nickname_cannot_join_beside_it(classroom: Classroom, lookalike: str) -> None:
    classroom.join("Mina")
    with pytest.raises(InvalidInput) as refused, classroom.db.write() as s:
        join_game(s, classroom.code, lookalike)
    assert refused.value.key == "nickname_taken"


@pytest.mark.parametrize("invisible", ["\u3164", "\u2800\u2800", "\u115f\u1160", "\u3164\u200b\u2800", "___"])
def test_a_name_with_no_visible_letter_is_refused(classroom: Classroom, invisible: str) -> None:
    with pytest.raises(InvalidInput) as refused, classroom.db.write() as s:
        join_game(s, classroom.code, invisible)
    assert refused.value.key in ("nickname_no_letter", "nickname_empty")


@pytest.mark.parametrize("fake_ai", ["\u0410I", "\u1d00\u026a", "\uff21\uff29", "A\u3164I"])
def test_lookalikes_of_the_ai_name_are_kept_for_the_ai(classroom: Classroom, fake_ai: str) -> None:
    with pytest.raises(InvalidInput) as refused, classroom.db.write() as s:
        join_game(s, classroom.code, fake_ai)
    assert refused.value.key == "nickname_reserved"


def test_different_names_in_other_scripts_still_join(classroom: Classroom) -> None:
    for name in ("Mina", "민아", "Мила", "Ana", "Anna", "Joon", "J00n"):
        classroom.join(name)


# The README's evasion table lists these: each must be caught.
EVASIONS = {
    "plain": "nude",
    "Cyrillic е": "nud\u0435",
    "Greek ν": "\u03bdude",
    "Hangul filler between letters": "nu\u3164de",
    "zero-width space between letters": "nu\u200bde",
    "small capitals": "\u0274\u1d1c\u1d05\u1d07",
    "fullwidth": "\uff4e\uff55\uff44\uff45",
    "accents": "n\u00fcd\u00e9",
    "symbols for letters": "n|_|de",
    "digits for letters": "nud3",
    "spelled out": "n.u.d.e",
    "Korean as separate jamo": "\u3148\u314f\u3145\u314f\u3139",
    "Latin letter inside Korean": "\uc790a\uc0b4",
    "Korean spaced": "\uc790 \uc0b4",
    "Korean with a particle": "\uc790\uc0b4\uc744",
}
# ... and these ordinary prompts must not be.
NEAR_MISSES = ["a nice class photo", "the glass is blue", "사자 살아 있다", "나는 사랑해", "an analysis of Sussex"]


@pytest.mark.parametrize("evasion", EVASIONS.values(), ids=EVASIONS.keys())
def test_the_word_filter_catches_each_evasion(evasion: str) -> None:
    assert load_blocklist().first_match(f"a {evasion} statue") is not None


@pytest.mark.parametrize("prompt", NEAR_MISSES)
def test_the_word_filter_lets_ordinary_prompts_through(prompt: str) -> None:
    assert load_blocklist().first_match(prompt) is None


# -- faults -----------------------------------------------------------------------------------


BALLAST = {
    # table: an INSERT of `size` bytes that touches nothing a test looks at
    "images": "INSERT INTO images (data, mime, width, height) VALUES (randomblob({size}), 'ballast', 0, 0)",
    "submissions": (
        "INSERT INTO submissions (round_id, player_id, attempt_no, prompt, status, hidden, created_at) "
        "SELECT round_id, player_id, 1000 + (SELECT count(*) FROM submissions), hex(randomblob({size})), "
        "'ballast', 0, created_at FROM submissions LIMIT 1"
    ),
}


@contextmanager
def full_disk(db: Database, tables: tuple[str, ...] = ("images",)) -> Iterator[None]:
    """SQLite's page limit at the file's current size, and `tables` filled to the byte: every
    write to them fails with "database or disk is full", as on a full disk."""

    def limit(connection, _record) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(db.engine, "connect", limit)
    db.engine.dispose()
    for table in tables:
        for size in (1000, 100, 10, 1):
            while True:
                try:
                    with db.write() as s:
                        s.execute(text(BALLAST[table].format(size=size)))
                except OperationalError:
                    break
    try:
        yield
    finally:
        event.remove(db.engine, "connect", limit)
        db.engine.dispose()
        with db.write() as s:
            s.execute(text("DELETE FROM images WHERE mime = 'ballast'"))
            s.execute(text("DELETE FROM submissions WHERE status = 'ballast'"))


def statuses(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Submission.status).order_by(Submission.id)))


def test_a_batch_that_cannot_be_stored_goes_back_to_the_queue_then_fails_with_a_reason(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    classroom.round(worker)
    tokens = [classroom.join(name) for name in ("Ana", "Ben")]
    for token in tokens:
        with db.write() as s:
            submit_prompt(s, classroom.code, token, "a red circle on a blue background")
    with full_disk(db):
        worker.run_once()
        assert statuses(db) == ["queued", "queued"]  # not "running" for ever
        worker.run_once()
        assert statuses(db) == ["failed", "failed"]  # the second time, with a reason
    with db.read() as s:
        assert {e for e in s.scalars(select(Submission.error))} == {STORE_FAILED}
    # The students can try again once the disk has room: failed attempts do not count.
    with db.write() as s:
        submit_prompt(s, classroom.code, tokens[0], "a red circle on a blue background")
    drain(worker)
    assert statuses(db)[-1] == "done"


def test_a_worker_queues_again_its_own_jobs_left_running(db: Database, worker: Worker, classroom: Classroom) -> None:
    classroom.round(worker)
    with db.write() as s:
        submit_prompt(s, classroom.code, classroom.join("Ana"), "a red circle")
        claim_jobs(s, worker.worker_id, 8)  # ... and storing them failed, giving back failed too
    worker.beat()
    assert statuses(db) == ["queued"]


def test_a_starting_worker_leaves_the_jobs_of_a_live_one_alone(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    classroom.round(worker)
    with db.write() as s:
        submit_prompt(s, classroom.code, classroom.join("Ana"), "a red circle")
        heartbeat(s, "live-worker", None)
        claim_jobs(s, "live-worker", 8)
    newcomer = Worker(db, worker.settings, registry=worker.registry)
    assert newcomer.recover() == 0
    newcomer.beat()
    assert statuses(db) == ["running"]


def test_clearing_streamlits_caches_never_starts_a_second_worker(settings, monkeypatch) -> None:
    import streamlit as st

    from ui import services
    from worker import embedded

    monkeypatch.setenv("PROMPTMATCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PROMPTMATCH_WORKER", "thread")
    monkeypatch.setattr(embedded, "_embedded", None)
    started = []
    monkeypatch.setattr(Worker, "start_thread", lambda self: started.append(self))
    services.database()
    for _ in range(5):  # what a browser's "Clear caches" does, five times
        st.cache_data.clear()
        st.cache_resource.clear()
        services.database()
    assert len(started) == 1


@pytest.mark.usefixtures("app_environment")
@pytest.mark.parametrize("page_name", ["play", "board", "host", "results"])
def test_a_damaged_database_shows_a_kind_message_not_a_traceback(settings, page_name: str) -> None:
    settings.database_url.removeprefix("sqlite:///")
    path = settings.database_url.removeprefix("sqlite:///")
    with open(path, "wb") as damaged:
        damaged.write(b"this is not a database" * 100)
    teacher = "a-teachers-session" if page_name in ("host", "results") else None
    app = page(page_name, teacher=teacher, code="ABCDEF")
    shown = [e.value for e in app.error]
    if page_name in ("host", "results"):
        assert any("database file is damaged" in message for message in shown), shown
    else:
        assert any("can't save right now" in message for message in shown), shown
    assert not any("Error" in message or "/" in message for message in shown)  # no trace, no path


@pytest.mark.usefixtures("app_environment")
def test_a_full_disk_keeps_the_students_prompt_and_says_so(db: Database, worker: Worker, classroom: Classroom) -> None:
    classroom.round(worker)
    token = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, classroom.join("Ana"), "a red circle")  # a row to copy
    app = page("play", code=classroom.code, token=token)
    from db.session import shared_database

    shared = shared_database(db.url)
    with full_disk(shared, tables=("images", "submissions")):
        prompt_box(app).input("a red circle on blue " * 10)
        generate_button(app).click().run()
        assert not app.exception
        assert any("can't save right now" in e.value for e in app.error), [e.value for e in app.error]
        assert prompt_box(app).value.startswith("a red circle on blue")  # nothing typed is lost


def test_the_server_accepts_uploads_only_as_large_as_the_game_does() -> None:
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES
    assert config["client"]["showErrorDetails"] == "none"


# -- room control -------------------------------------------------------------------------------


def test_a_locked_game_turns_late_joiners_away(classroom: Classroom) -> None:
    classroom.join("Early")
    with classroom.db.write() as s:
        set_room(s, classroom.code, classroom.host, joining_locked=True, player_cap=60)
    with pytest.raises(NotAllowed) as refused, classroom.db.write() as s:
        join_game(s, classroom.code, "Late")
    assert refused.value.key == "joining_locked"


def test_the_player_cap_counts_students_still_in_the_game(classroom: Classroom) -> None:
    with classroom.db.write() as s:
        set_room(s, classroom.code, classroom.host, joining_locked=False, player_cap=2)
    classroom.join("Ana")
    troll = classroom.join("Troll")
    with pytest.raises(NotAllowed) as refused, classroom.db.write() as s:
        join_game(s, classroom.code, "Ben")
    assert refused.value.key == "game_full"
    with classroom.db.write() as s:
        state = player_state(s, classroom.code, troll)
        kick_player(s, classroom.code, classroom.host, state.player.id)
    classroom.join("Ben")  # a removed player frees a seat


def test_a_removed_player_cannot_come_back_from_the_same_browser(classroom: Classroom) -> None:
    with classroom.db.write() as s:
        troll = join_game(s, classroom.code, "Troll", browser="browser-1")
        kick_player(s, classroom.code, classroom.host, troll.player.id)
    with pytest.raises(NotAllowed) as refused, classroom.db.write() as s:
        join_game(s, classroom.code, "Nice Kid", browser="browser-1")
    assert refused.value.key == "removed_cannot_rejoin"
    with classroom.db.write() as s:
        join_game(s, classroom.code, "Nice Kid", browser="browser-2")  # another student's laptop


def test_one_browser_cannot_flood_the_game_with_players(classroom: Classroom) -> None:
    with classroom.db.write() as s:
        for number in range(3):
            join_game(s, classroom.code, f"Name {number}", browser="flooder")
    with pytest.raises(NotAllowed) as refused, classroom.db.write() as s:
        join_game(s, classroom.code, "Name 3", browser="flooder")
    assert refused.value.key == "too_many_joins"


def test_the_queue_is_fair_per_player(db: Database, worker: Worker, classroom: Classroom) -> None:
    """A player on their third attempt waits behind a classmate's first, even if they
    submitted earlier: the real student is not 301st behind a flood."""
    classroom.round(worker)
    eager, late = classroom.join("Eager"), classroom.join("Late")
    for _ in range(2):
        with db.write() as s:
            submit_prompt(s, classroom.code, eager, "a red circle")
        drain(worker)
    with db.write() as s:
        submit_prompt(s, classroom.code, eager, "a blue circle")  # third attempt, first in line
        submit_prompt(s, classroom.code, late, "a green square")  # first attempt
        late_view = player_state(s, classroom.code, late).submissions[-1]
    assert late_view.queue_position == 1
    with db.write() as s:
        (first,) = claim_jobs(s, "w", 1)
    assert first.prompt == "a green square"


def test_catalog_has_the_room_and_storage_words() -> None:
    strings = json.loads((PROJECT_DIR / "ui" / "locales" / "ko.json").read_text(encoding="utf-8"))
    assert {"joining_locked", "game_full", "storage_unavailable", "storage_disk_full"} <= set(strings)


def test_a_teacher_is_told_what_to_do_about_a_full_disk_and_a_student_only_that_it_waits() -> None:
    """The host's detailed message follows the teacher's session cookie (no host key is in
    the address since accounts), a student's page says only that the game cannot save."""
    from apptest import COOKIES
    from streamlit.testing.v1 import AppTest

    from game.accounts import SESSION_COOKIE
    from ui.i18n import catalogs

    def full_disk_page() -> None:
        import errno

        from ui.faults import show_storage_fault

        show_storage_fault(OSError(errno.ENOSPC, "No space left on device"))

    strings = catalogs()["en"]
    for cookie, expected in ((None, "storage_unavailable"), ("a-teachers-session", "storage_disk_full")):
        COOKIES.clear()
        if cookie:
            COOKIES[SESSION_COOKIE] = cookie
        app = AppTest.from_function(full_disk_page).run()
        assert [e.value for e in app.error] == [strings[expected]]
    COOKIES.clear()

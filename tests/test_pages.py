"""Every page through Streamlit's AppTest, against a real SQLite file."""

from __future__ import annotations

import pytest
from apptest import generate_button, page, prompt_box, table_rows, texts
from helpers import Classroom, drain
from streamlit.testing.v1 import AppTest

from config import PROJECT_DIR
from game.accounts import session_for
from game.rounds import reveal_round
from game.submissions import submit_prompt

pytestmark = pytest.mark.usefixtures("app_environment")


def test_the_first_page_is_home_with_its_title_and_a_way_to_host_and_to_join() -> None:
    app = AppTest.from_file(str(PROJECT_DIR / "streamlit_app.py"), default_timeout=30).run()
    assert not app.exception
    assert [t.value for t in app.title] == ["🎯 Prompt Match"]
    assert app.text_input(key="join_code").label == "Game code (6 letters)"
    assert app.button(key="join").label == "Join"
    links = {e.proto.label: e.proto.page for e in app.get("page_link")}
    assert "signin" in links["Host a new game"]


def test_a_signed_in_teacher_creates_a_game_and_only_they_open_its_console(db) -> None:
    with db.write() as s:
        kim, lee = session_for(s, "Ms Kim"), session_for(s, "Mr Lee")
    app = page("host", teacher=kim)
    app.text_input(key="game_title").input("Art class")
    app.button(key="create_game").click().run()
    assert not app.exception
    code = app.query_params["code"]
    assert len(code) == 6 and set(app.query_params) <= {"code", "lang"}  # no key in the address
    # The same teacher, on another computer, opens it by its code alone.
    again = page("host", teacher=kim, code=code)
    assert "Art class" in [t.value for t in again.title]
    assert again.button(key="create_round").label
    # Another teacher does not get its console, and nobody signed out does.
    stranger = page("host", code=code, teacher=lee)
    assert [e.value for e in stranger.error] == ["This game belongs to another teacher."]
    assert not [b for b in stranger.button if b.key == "create_round"]
    signed_out = page("host", code=code)
    assert "Please sign in" in "\n".join(i.value for i in signed_out.info)
    assert not [b for b in signed_out.button if b.key == "create_round"]


def test_host_sees_a_clear_message_for_an_empty_title(db) -> None:
    with db.write() as s:
        kim = session_for(s, "Ms Kim")
    app = page("host", teacher=kim)
    app.button(key="create_game").click().run()
    assert "give the game a title" in "\n".join(e.value for e in app.error)


def test_host_creates_and_starts_a_round(db, worker) -> None:
    classroom = Classroom(db)
    app = page("host", code=classroom.code, teacher=classroom.host)
    app.text_area(key="target_prompt_0").input("a yellow star on a black background")
    app.button(key="create_round").click().run()
    assert not app.exception
    assert app.text_area(key="target_prompt_1").value == ""  # the secret does not stay on screen
    drain(worker)
    app.run()
    start = next(b for b in app.button if str(b.key).startswith("start_round_"))
    assert start.label == "Start round 1"
    start.click().run()
    assert not app.exception
    assert "Round 1 — open" in [h.value for h in app.subheader]
    assert not app.button(key="close_round").disabled


def test_student_joins_and_submits(db, worker) -> None:
    classroom = Classroom(db)
    classroom.round(worker)
    app = page("play", code=classroom.code)
    app.text_input(key="nickname").input("Mina")
    app.button(key="join").click().run()
    token = app.query_params["token"]
    assert token
    app = page("play", code=classroom.code, token=token)
    assert any("You are playing as Mina" in c.value for c in app.caption)
    prompt_box(app).input("a red circle on blue")
    generate_button(app).click().run()
    assert not app.exception
    assert prompt_box(app).value == ""  # a fresh box for the next attempt
    drain(worker)
    app = page("play", code=classroom.code, token=token)
    assert "a red circle on blue" in texts(app)
    assert any(m.label == "Score" for m in app.metric)


def test_duplicate_nickname_shows_a_message(db, worker) -> None:
    classroom = Classroom(db)
    classroom.join("Mina")
    app = page("play", code=classroom.code)
    app.text_input(key="nickname").input("MINA")
    app.button(key="join").click().run()
    assert "taken" in "\n".join(e.value for e in app.error)


def test_wrong_code_shows_a_message() -> None:
    app = page("play", code="ZZZZZZ")
    assert "No game has the code ZZZZZZ" in "\n".join(e.value for e in app.error)


def test_board_shows_scores_but_no_prompts_before_the_reveal(db, worker) -> None:
    classroom = Classroom(db)
    round_id = classroom.round(worker, prompt="a big red circle on a blue background")
    token = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, token, "my secret words")
    drain(worker)
    app = page("board", code=classroom.code)
    assert not app.exception
    assert ["1", "Mina"] in [row[:2] for row in table_rows(app)]
    shown = texts(app)
    assert "my secret words" not in shown and "big red circle" not in shown
    with db.write() as s:
        reveal_round(s, classroom.code, classroom.host, round_id)
    app = page("board", code=classroom.code)
    shown = texts(app)
    assert "a big red circle on a blue background" in shown
    assert "my secret words" in shown


def test_results_page_is_host_only_and_offers_downloads(db, worker) -> None:
    classroom = Classroom(db)
    classroom.round(worker)
    assert "Please sign in" in "\n".join(i.value for i in page("results", code=classroom.code).info)
    app = page("results", code=classroom.code, teacher=classroom.host)
    assert not app.exception
    links = {e.proto.label: e.proto.url for e in app.get("link_button")}
    assert len(links) == 5
    # Each download is built by the server only when its link is opened.
    assert all(f"/api/games/{classroom.code}/download/" in url for url in links.values())
    assert all(classroom.host not in url and "host=" not in url for url in links.values())  # the cookie says who


def test_the_host_removes_a_player_whose_page_then_says_so(db, classroom) -> None:
    token = classroom.join("Troll")
    host = page("host", code=classroom.code, teacher=classroom.host)
    kick = next(b for b in host.button if b.key.startswith("kick_"))
    kick.click().run()
    assert not host.exception
    student = page("play", code=classroom.code, token=token)
    assert any("removed you" in e.value for e in student.error), [e.value for e in student.error] + [texts(student)]
    assert not [b for b in student.button if b.key == "submit"]


def test_the_host_sees_a_refused_prompt_and_the_student_a_kind_message(db, worker, classroom) -> None:
    classroom.round(worker)
    token = classroom.join("Mina")
    student = page("play", code=classroom.code, token=token)
    prompt_box(student).input("a n u d e statue")
    generate_button(student).click().run()
    assert any("not allowed in class" in w.value for w in student.warning)
    host = page("host", code=classroom.code, teacher=classroom.host)
    assert "a n u d e statue" in texts(host)
    assert "refused by the filter" in texts(host)


def test_deleting_a_game_needs_the_confirmation_box(db, worker, classroom) -> None:
    classroom.round(worker)
    host = page("host", code=classroom.code, teacher=classroom.host)
    assert host.button(key="delete_game").disabled
    host.checkbox(key="delete_confirm").check().run()
    host.button(key="delete_game").click().run()
    assert not host.exception
    assert any("deleted" in s.value for s in host.success)
    board = page("board", code=classroom.code)
    assert any(classroom.code in e.value for e in board.error)


def test_the_host_locks_joining_and_a_late_student_is_told_the_game_is_closed(db, classroom) -> None:
    host = page("host", code=classroom.code, teacher=classroom.host)
    host.toggle(key="joining_locked").set_value(True)
    host.button(key="FormSubmitter:room-Save room settings").click().run()
    assert any("Room settings saved" in s.value for s in host.success)
    late = page("play", code=classroom.code)
    late.text_input(key="nickname").input("Late Larry")
    late.button(key="join").click().run()
    assert [e.value for e in late.error] == ["This game is closed to new players. Ask your teacher."]
    assert "token" not in late.query_params

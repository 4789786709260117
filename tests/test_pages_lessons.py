"""The Lessons and Classes pages and the roster join form, through AppTest, in English and
Korean. (The file download and upload in a real browser: tests/e2e/test_lessons_and_classes.py.)"""

from __future__ import annotations

import pytest
from apptest import page, texts
from helpers import Classroom, drain

from game import lessons
from game.classes import save_class
from game.games import GameSettings, join_game, my_games
from game.rounds import create_round, host_rounds, reveal_round, start_round

pytestmark = pytest.mark.usefixtures("app_environment")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_lessons_page_lists_the_starters_and_a_lesson_starts_a_game_for_a_class(db, language: str) -> None:
    classroom = Classroom(db)
    with db.write() as s:
        save_class(s, classroom.host, "5-1", "Mina\nJun")
    app = page("lessons", teacher=classroom.host, lang=language)
    shown = texts(app)
    assert "shapes and colours" in shown and "Five easy rounds" in shown
    starter = next(b for b in app.button if (b.key or "").startswith("start_lesson_"))
    lesson_id = starter.key.removeprefix("start_lesson_")
    app.selectbox(key=f"lesson_class_{lesson_id}").select_index(1).run()  # the class 5-1
    app.button(key=f"start_lesson_{lesson_id}").click().run()
    assert not app.exception and not app.error
    with db.read() as s:
        (game,) = [g for g in my_games(s, classroom.host) if g.code != classroom.code]
        rounds = host_rounds(s, game.code, classroom.host)
    assert game.title.endswith("5-1") and len(rounds) == 5 and all(r.status == "draft" for r in rounds)


def test_a_teacher_makes_a_lesson_in_the_editor(db) -> None:
    classroom = Classroom(db)
    app = page("lessons", teacher=classroom.host)
    app.text_input(key="new_lesson_title").input("Colours")
    app.button(key="create_lesson").click().run()
    assert not app.exception and "Editing “Colours”" in texts(app)
    app.text_area(key="lesson_round_prompt_0").input("a green triangle")
    app.number_input(key="round_seed_new_0").set_value(77)
    app.text_input(key="round_question_new_0").input("Which colour was hardest?")
    app.button(key="add_lesson_round").click().run()
    assert not app.error, [e.value for e in app.error]
    app.text_area(key="lesson_round_prompt_1").input("a naked man")
    app.button(key="add_lesson_round").click().run()
    assert [e.value for e in app.error] == ["The secret prompt contains a word this server does not allow (“naked”)."]
    with db.read() as s:
        (mine,) = [lesson for lesson in lessons.my_lessons(s, classroom.host) if lesson.mine]
    assert [(r.secret_prompt, r.seed, r.question) for r in mine.rounds] == [
        ("a green triangle", 77, "Which colour was hardest?")
    ]


def test_another_teachers_shared_lesson_has_no_edit_button_only_a_copy(db) -> None:
    owner = Classroom(db, teacher="Ms Kim")
    other = Classroom(db, teacher="Mr Lee")
    with db.write() as s:
        made = lessons.create_lesson(s, owner.host, "Kim's lesson", "en")
        lessons.add_lesson_round(s, owner.host, made.id, lessons.check_round("preset", preset_id="easy-red-circle"))
        lessons.share_lesson(s, owner.host, made.id, True)
    app = page("lessons", teacher=other.host)
    keys = {b.key for b in app.button}
    assert f"start_lesson_{made.id}" in keys and f"duplicate_lesson_{made.id}" in keys
    assert f"edit_lesson_{made.id}" not in keys and f"share_lesson_{made.id}" not in {t.key for t in app.toggle}
    assert "shared by Ms Kim" in texts(app)


def test_save_as_lesson_on_the_console(db, worker) -> None:
    classroom = Classroom(db)
    with db.write() as s:
        create_round(s, classroom.code, classroom.host, source="prompt", secret_prompt="a red circle", seed=5)
    drain(worker)
    app = page("host", teacher=classroom.host, code=classroom.code)
    app.button(key="save_as_lesson").click().run()
    assert not app.exception and "Saved as a lesson" in " ".join(s.value for s in app.success)
    with db.read() as s:
        (saved,) = [lesson for lesson in lessons.my_lessons(s, classroom.host) if lesson.mine]
    assert [(r.secret_prompt, r.seed) for r in saved.rounds] == [("a red circle", 5)]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_roster_games_join_form_is_a_list_of_names(db, language: str) -> None:
    classroom = Classroom(db)
    with db.write() as s:
        class_ = save_class(s, classroom.host, "5-1", "Mina\nJun")
        lesson = lessons.create_lesson(s, classroom.host, "L", "en")
        lessons.add_lesson_round(
            s, classroom.host, lesson.id, lessons.check_round("preset", preset_id="easy-red-circle")
        )
        game = lessons.start_lesson(
            s, classroom.host, lesson.id, GameSettings(engine="sketch", image_size=256), class_id=class_.id
        )
    app = page("play", code=game.code, lang=language)
    assert not [t for t in app.text_input if t.key == "nickname"]
    names = app.selectbox(key="roster_name")
    assert names.options == ["Mina", "Jun"]
    app.button(key="join").click().run()
    assert len(app.error) == 1  # no name picked: said, in the page's language
    app.selectbox(key="roster_name").select_index(1).run()
    app.button(key="join").click().run()
    assert not app.error, [e.value for e in app.error]
    assert app.query_params.get("token")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_classes_page_makes_a_class_and_shows_its_records(db, worker, language: str) -> None:
    classroom = Classroom(db)
    app = page("classes", teacher=classroom.host, lang=language)
    app.text_input(key="class_name").input("5-1")
    app.text_area(key="class_roster").input("Mina\nJun\nmina")
    app.button(key="save_class").click().run()
    assert len(app.error) == 1  # "Mina" twice
    app.text_area(key="class_roster").input("Mina\nJun")
    app.button(key="save_class").click().run()
    assert not app.error, [e.value for e in app.error]
    assert "5\\-1" in texts(app)  # the heading, its markdown escaped
    assert app.text_input(key="class_name").value == ""  # empty again for the next class


def test_the_lessons_question_is_shown_after_the_reveal_on_the_console_board_and_student_page(db, worker) -> None:
    classroom = Classroom(db)
    with db.write() as s:
        lesson = lessons.create_lesson(s, classroom.host, "Talk", "en")
        lessons.add_lesson_round(
            s,
            classroom.host,
            lesson.id,
            lessons.check_round("preset", preset_id="easy-red-circle", question="Which word mattered most?"),
        )
        game = lessons.start_lesson(s, classroom.host, lesson.id, GameSettings(engine="sketch", image_size=256))
    drain(worker)
    with db.write() as s:
        (round_,) = host_rounds(s, game.code, classroom.host)
        start_round(s, game.code, classroom.host, round_.id)
        token = join_game(s, game.code, "Mina").token
    student = page("play", code=game.code, token=token)
    assert "Which word mattered most?" not in texts(student)  # not before the reveal
    with db.write() as s:
        reveal_round(s, game.code, classroom.host, round_.id)
    for app in (
        page("host", teacher=classroom.host, code=game.code),
        page("board", code=game.code),
        page("play", code=game.code, token=token),
    ):
        assert "Which word mattered most?" in texts(app)

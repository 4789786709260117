"""Homework through AppTest: assigning a lesson, the student's page at their own pace, and the
assignment's console, in English and Korean."""

from __future__ import annotations

import pytest
from apptest import generate_button, page, prompt_box, texts
from helpers import Classroom, drain

from game import homework, lessons
from game.games import GameSettings, my_games

pytestmark = pytest.mark.usefixtures("app_environment")
SECRETS = ("a big red circle on a blue background", "a yellow star on a black background")


def a_lesson(db, host: str) -> int:
    with db.write() as s:
        lesson = lessons.create_lesson(s, host, "Shapes at home", "en")
        for secret in SECRETS:
            lessons.add_lesson_round(s, host, lesson.id, lessons.check_round("prompt", secret_prompt=secret))
        return lesson.id


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_lesson_is_assigned_from_the_lessons_page(db, language: str) -> None:
    classroom = Classroom(db)
    lesson_id = a_lesson(db, classroom.host)
    app = page("lessons", teacher=classroom.host, lang=language)
    app.button(key=f"assign_lesson_{lesson_id}").click().run()
    app.number_input(key="assignment_days").set_value(3).run()
    app.button(key="create_assignment").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    with db.read() as s:
        (made,) = [g for g in my_games(s, classroom.host) if g.code != classroom.code]
    assert made.state == "homework"
    console = page("host", teacher=classroom.host, code=made.code, lang=language)
    assert made.code in texts(console)
    assert not [b for b in console.button if b.key == "close_round"]  # no live controls


def test_a_student_plays_the_homework_alone_and_the_teacher_follows(db, worker) -> None:
    classroom = Classroom(db)
    lesson_id = a_lesson(db, classroom.host)
    with db.write() as s:
        code = homework.assign_lesson(
            s, classroom.host, lesson_id, GameSettings(engine="sketch", image_size=256), days=7
        ).code
    drain(worker)
    student = page("play", code=code)
    student.text_input(key="nickname").input("Mina")
    student.button(key="join").click().run()
    assert "round 1 of 2" in texts(student)  # round 1 at once, no teacher needed
    prompt_box(student).input("a red circle")
    generate_button(student).click().run()
    drain(worker)
    student.run()
    assert "/ 100" in " ".join(m.value for m in student.metric) or "100" in texts(student)
    student.button(key="finish_round").click().run()
    assert SECRETS[0] in texts(student)  # the secret, for Mina now that she is done
    student.button(key="next_round").click().run()
    assert "round 2 of 2" in texts(student) and SECRETS[1] not in texts(student)
    console = page("host", teacher=classroom.host, code=code)
    progress = console.dataframe[0].value
    assert list(progress.iloc[0])[:2] == ["Mina", "2 of 2"]
    assert "cannot be extended" in " ".join(c.value for c in console.caption)  # said before the close
    console.button(key="close_assignment").click().run()
    assert not console.error
    # Closed: every secret has been shown, so the console offers no way to open it again.
    assert "extend_assignment" not in [b.key for b in console.button]
    assert "cannot be opened again" in " ".join(c.value for c in console.caption)
    closed = page("play", code=code, token=student.query_params["token"])
    shown = texts(closed)
    assert SECRETS[0] in shown and SECRETS[1] in shown  # every round revealed once it closed

"""The teachers' pages through AppTest: the first run, signing in, My games, Teachers, and a
student coming back. (The cookie itself is set by a route: tests/e2e/test_accounts.py.)"""

from __future__ import annotations

import pytest
from apptest import page, texts
from helpers import Classroom
from sqlalchemy import select

from db.models import Teacher, TeacherSession
from game.accounts import create_first_teacher, session_for

pytestmark = pytest.mark.usefixtures("app_environment")
PASSWORD = "a long password"


def test_the_first_visitor_creates_the_administrator_and_gets_a_ticket_not_an_address(db) -> None:
    app = page("signin")
    assert "This server has no teacher yet" in texts(app)
    app.text_input(key="teacher_name").input("Ms Kim")
    app.text_input(key="teacher_password").input(PASSWORD)
    app.text_input(key="teacher_password_repeat").input("another password")
    app.button(key="create_teacher").click().run()
    assert [e.value for e in app.error] == ["The two passwords are not the same. Type them again."]
    app.text_input(key="teacher_password_repeat").input(PASSWORD)
    app.button(key="create_teacher").click().run()
    assert not app.exception and not app.error
    with db.read() as s:
        assert [(t.name, t.is_admin) for t in s.scalars(select(Teacher))] == [("Ms Kim", True)]
        assert [row.kind for row in s.scalars(select(TeacherSession))] == ["ticket"]  # for the browser to exchange
    assert set(app.query_params) <= {"lang"}


def test_a_wrong_password_is_refused_kindly_and_the_sign_in_form_stays(db) -> None:
    with db.write() as s:
        create_first_teacher(s, "Ms Kim", PASSWORD, PASSWORD)
    app = page("signin", lang="ko")
    app.text_input(key="teacher_name").input("Ms Kim")
    app.text_input(key="teacher_password").input("not it")
    app.button(key="sign_in").click().run()
    assert [e.value for e in app.error] == ["이름과 비밀번호가 맞지 않습니다. 확인하고 다시 시도하세요."]
    assert app.text_input(key="teacher_name").value == "Ms Kim"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_my_games_and_teachers_pages_for_the_administrator(db, worker, language: str) -> None:
    classroom = Classroom(db, teacher="Ms Kim", title="Art class")
    classroom.join("Mina")
    with db.write() as s:
        s.scalar(select(Teacher).where(Teacher.name == "Ms Kim")).is_admin = True
    games = page("games", teacher=classroom.host, lang=language)
    assert "Art class" in texts(games) and classroom.code in texts(games)
    teachers = page("teachers", teacher=classroom.host, lang=language)
    teachers.text_input(key="new_teacher_name").input("Mr Lee")
    teachers.text_input(key="new_teacher_password").input(PASSWORD)
    teachers.button(key="add_teacher").click().run()
    assert not teachers.exception
    assert "Mr Lee" in texts(teachers)


def test_a_teacher_who_is_not_the_administrator_cannot_manage_teachers(db) -> None:
    with db.write() as s:
        create_first_teacher(s, "Ms Kim", PASSWORD, PASSWORD)
        lee = session_for(s, "Mr Lee")
    app = page("teachers", teacher=lee)
    assert [w.value for w in app.warning] == ["Only the server's administrator can do that."]
    assert not [t for t in app.text_input if t.key == "new_teacher_name"]


def test_the_console_shows_a_let_back_in_code_and_the_student_uses_it(db, worker) -> None:
    classroom = Classroom(db)
    classroom.round(worker)
    classroom.join("Jun")
    host = page("host", code=classroom.code, teacher=classroom.host)
    next(b for b in host.button if b.key.startswith("let_back_")).click().run()
    assert not host.exception
    shown = [m.value for m in host.markdown if m.value.startswith("## `")]
    code = shown[0].strip("#` ")
    student = page("play", code=classroom.code)
    student.text_input(key="nickname").input("Jun")
    student.text_input(key="rejoin_code").input(code)
    student.button(key="join").click().run()
    assert "token" in student.query_params
    assert any("You are playing as Jun" in c.value for c in student.caption)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_privacy_notice_says_the_servers_retention_and_contact(db, language: str) -> None:
    from game.privacy import set_contact
    from game.retention import set_retention

    with db.write() as s:
        admin = session_for(s, "Ms Kim", admin=True)
        set_retention(s, admin, 14, 90)
        set_contact(s, admin, "office@school.example")
    app = page("privacy", lang=language)  # no sign-in: families read it
    shown = texts(app)
    assert ("14 days" if language == "en" else "14일") in shown
    assert "office@school.example" in shown
    # What the code does (issue 34, finding 11): the board is open to anyone with the code,
    # a roster is kept until the class is deleted, and erasing covers every game of a class.
    said = {
        "en": ("anyone who has the game's six-letter code can open its board", "Erase a student everywhere"),
        "ko": ("여섯 글자 코드를 아는 사람은 누구나 보드를 열 수 있고", "학생을 모든 곳에서 지우기"),
    }[language]
    assert all(sentence in shown for sentence in said)
    with db.write() as s:
        from game.classes import save_class

        save_class(s, admin, "5-1", "Mina")
    roster = "class's list of names is kept until" if language == "en" else "반 명단은 선생님이 반을 삭제하거나"
    assert roster in texts(page("privacy", lang=language))
    home = page("home", lang=language)
    assert any("privacy" in (link.proto.page or "") for link in home.get("page_link"))

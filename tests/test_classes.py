"""Classes: rosters pasted or from a CSV, roster games where each student picks their own
name, and the class's records over the term."""

from __future__ import annotations

import pytest
from helpers import Classroom, drain

from db.session import Database
from game import lessons
from game.accounts import session_for
from game.classes import class_record, class_record_csv, delete_class, my_classes, parse_roster, save_class
from game.errors import InvalidInput, NotFound
from game.games import GameSettings, join_game, new_rejoin_code, roster_names
from game.rounds import host_rounds, reveal_round, start_round
from game.submissions import submit_prompt
from worker.runner import Worker

SETTINGS = GameSettings(engine="sketch", image_size=256)


def test_a_roster_is_names_one_per_line_or_a_csv() -> None:
    assert parse_roster("Mina\n\n  Jun  \nSeo-yeon\n") == ["Mina", "Jun", "Seo-yeon"]
    assert parse_roster("name,number\nMina,1\nJun,2\n") == ["Mina", "Jun"]
    assert parse_roster('"Kim, Mina",1\n') == ["Kim, Mina"]
    with pytest.raises(InvalidInput) as twice:
        parse_roster("Mina\nmina\n")
    assert twice.value.key == "roster_name_twice"
    with pytest.raises(InvalidInput) as long_name:
        parse_roster("A" * 25)
    assert long_name.value.key == "roster_name_too_long"
    with pytest.raises(InvalidInput) as too_many:
        parse_roster("\n".join(f"Student {i}" for i in range(61)))
    assert too_many.value.key == "roster_too_long"


def test_a_class_is_its_teachers_own(db: Database, classroom: Classroom) -> None:
    with db.write() as s:
        class_ = save_class(s, classroom.host, "5-1", "Mina\nJun")
        other = session_for(s, "Mr Lee")
    assert [st.name for st in class_.students] == ["Mina", "Jun"]
    with db.read() as s:
        assert my_classes(s, other) == []
    for action in (
        lambda s: class_record(s, other, class_.id),
        lambda s: save_class(s, other, "mine", "", class_.id),
        lambda s: delete_class(s, other, class_.id),
        lambda s: lessons.start_lesson(s, other, starter(s, other), SETTINGS, class_id=class_.id),
    ):
        with db.write() as s, pytest.raises(NotFound):
            action(s)


def starter(session, credential: str) -> int:
    return next(lesson.id for lesson in lessons.my_lessons(session, credential) if lesson.owner_name is None)


def roster_game(db: Database, host: str, class_id: int) -> str:
    with db.write() as s:
        lesson = lessons.create_lesson(s, host, "Circles", "en")
        lessons.add_lesson_round(
            s, host, lesson.id, lessons.check_round("prompt", secret_prompt="a red circle", seed=1)
        )
        lessons.add_lesson_round(
            s, host, lesson.id, lessons.check_round("prompt", secret_prompt="a blue circle", seed=2)
        )
        return lessons.start_lesson(s, host, lesson.id, SETTINGS, class_id=class_id).code


def test_in_a_roster_game_students_pick_their_name_and_a_taken_name_needs_the_teachers_code(
    db: Database, classroom: Classroom
) -> None:
    with db.write() as s:
        class_ = save_class(s, classroom.host, "5-1", "Mina\nJun")
        other_class = save_class(s, classroom.host, "5-2", "Hana")
    code = roster_game(db, classroom.host, class_.id)
    with db.read() as s:
        names = roster_names(s, code)
    assert [name for _id, name in names] == ["Mina", "Jun"]
    mina, jun = (student_id for student_id, _name in names)
    with db.write() as s:
        joined = join_game(s, code, "", student_id=mina)
    assert joined.player.nickname == "Mina"
    refusals = [
        ({"nickname": "Made Up"}, "roster_pick_name"),  # no typed nickname in a roster game
        ({"nickname": "", "student_id": other_class.students[0].id}, "roster_pick_name"),  # another class's name
        ({"nickname": "", "student_id": mina}, "roster_name_taken"),
    ]
    for join, key in refusals:
        with db.write() as s, pytest.raises(InvalidInput) as refused:
            join_game(s, code, join.pop("nickname"), **join)
        assert refused.value.key == key
    with db.write() as s:
        rejoin = new_rejoin_code(s, code, classroom.host, joined.player.id)
    with db.write() as s:
        again = join_game(s, code, "", student_id=mina, rejoin_code=rejoin)
        assert again.player.id == joined.player.id
        assert join_game(s, code, "", student_id=jun).player.nickname == "Jun"


def play_round(db: Database, worker: Worker, code: str, host: str, number: int, attempts: dict[str, list[str]]) -> None:
    with db.write() as s:
        round_id = next(r.id for r in host_rounds(s, code, host) if r.number == number)
        start_round(s, code, host, round_id)
    for token, prompts in attempts.items():
        for prompt in prompts:
            with db.write() as s:
                submit_prompt(s, code, token, prompt)
            drain(worker)
    with db.write() as s:
        reveal_round(s, code, host, round_id)


def test_the_class_page_has_every_students_first_and_best_score_over_two_games(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    host = classroom.host
    with db.write() as s:
        class_ = save_class(s, host, "5-1", "Mina\nJun\nHana")
    ids = {student.name: student.id for student in class_.students}
    first_game = roster_game(db, host, class_.id)
    second_game = roster_game(db, host, class_.id)
    drain(worker)
    tokens = {}
    for code in (first_game, second_game):
        with db.write() as s:
            tokens[code] = {name: join_game(s, code, "", student_id=ids[name]).token for name in ("Mina", "Jun")}
    play_round(db, worker, first_game, host, 1, {tokens[first_game]["Mina"]: ["a cat", "a red circle"]})
    play_round(db, worker, second_game, host, 1, {tokens[second_game]["Jun"]: ["a blue circle"]})
    with db.read() as s:
        record = class_record(s, host, class_.id)
    assert [game.code for game in record.games] == [second_game, first_game]  # newest first
    by_name = {student.name: student.rounds for student in record.students}
    assert list(by_name) == ["Mina", "Jun", "Hana"]
    mina_first = by_name["Mina"][0]
    assert (mina_first.game_code, mina_first.round_number) == (first_game, 1)
    assert mina_first.best_score == 100 and mina_first.first_score is not None and mina_first.first_score < 100
    assert by_name["Mina"][1].best_score is None  # did not play the second game's round
    assert by_name["Jun"][1].first_score == by_name["Jun"][1].best_score is not None
    assert all(r.best_score is None for r in by_name["Hana"])  # absent both times
    csv_text = class_record_csv(record, {k: k for k in ("student", "game", "round", "first", "best")})
    assert csv_text.splitlines()[0] == "student,game,round,first,best"
    assert f"Mina,{first_game},1," in csv_text and ",100.00" in csv_text


def test_taking_a_name_off_the_roster_keeps_their_records_and_putting_it_back_is_the_same_student(
    db: Database, classroom: Classroom
) -> None:
    with db.write() as s:
        class_ = save_class(s, classroom.host, "5-1", "Mina\nJun")
        mina = class_.students[0].id
        shorter = save_class(s, classroom.host, "5-1", "Jun", class_.id)
        back = save_class(s, classroom.host, "5-1 (spring)", "Jun\nMina", class_.id)
    assert [st.name for st in shorter.students] == ["Jun"]
    assert back.name == "5-1 (spring)" and [(st.name, st.id) for st in back.students][1] == ("Mina", mina)


def test_a_deleted_class_keeps_its_games(db: Database, classroom: Classroom) -> None:
    with db.write() as s:
        class_ = save_class(s, classroom.host, "5-1", "Mina")
    code = roster_game(db, classroom.host, class_.id)
    with db.write() as s:
        delete_class(s, classroom.host, class_.id)
    with db.write() as s:
        assert len(host_rounds(s, code, classroom.host)) == 2
        assert join_game(s, code, "Anyone").player.nickname == "Anyone"  # no roster any more


def test_erase_a_student_everywhere_removes_them_from_the_roster_and_every_game(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    """Issue 34, finding 11: erasing in one game left the student in the class's other games."""
    from sqlalchemy import func, select

    from db.models import ClassStudent, Player, Submission
    from game.classes import erase_student_everywhere

    host = classroom.host
    with db.write() as s:
        class_ = save_class(s, host, "5-1", "Mina\nJun")
    ids = {student.name: student.id for student in class_.students}
    games = [roster_game(db, host, class_.id), roster_game(db, host, class_.id)]
    drain(worker)
    for code in games:
        with db.write() as s:
            tokens = {name: join_game(s, code, "", student_id=ids[name]).token for name in ("Mina", "Jun")}
        play_round(db, worker, code, host, 1, {tokens["Mina"]: ["a red circle by mina"], tokens["Jun"]: ["a cat"]})
    other = Classroom(db, teacher="Mr Lee")
    with db.write() as s, pytest.raises(NotFound):
        erase_student_everywhere(s, other.host, class_.id, ids["Mina"])
    with db.write() as s:
        assert erase_student_everywhere(s, host, class_.id, ids["Mina"]) == "Mina"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Player).where(Player.nickname == "Mina")) == 0
        assert s.scalar(select(func.count()).select_from(Submission).where(Submission.prompt.contains("mina"))) == 0
        assert [st.name for st in s.scalars(select(ClassStudent).where(ClassStudent.class_id == class_.id))] == ["Jun"]
        record = class_record(s, host, class_.id)
    assert [student.name for student in record.students] == ["Jun"]
    assert "Mina" not in class_record_csv(record, {k: k for k in ("student", "game", "round", "first", "best")})

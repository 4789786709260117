"""Classes and their rosters: a teacher's class (5-1, period 3), the names of its students,
and what the class played over the term (every game started for it, each student's first
and best match score in every round).

A roster's names are the teacher's: a roster game's join form lists them instead of asking
for a nickname, so a name is never made up and the same student is the same row in every
game of the class (`players.student_id`).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import ClassStudent, Game, Player, Round, SchoolClass, Submission
from db.statuses import COUNTED_ATTEMPTS, RoundStatus
from db.types import utcnow
from game.accounts import require_teacher
from game.errors import InvalidInput, NotFound
from game.exports import safe_cell
from game.moderation import erase_player_rows
from game.text import clean_text, fold_key
from game.views import ClassGame, ClassRecord, ClassStudentView, ClassView, StudentRecord, StudentRound

CLASS_NAME_MAX = 60
ROSTER_MAX = 60  # a game's most players (game.games.PLAYER_CAP_MAX is larger: AI, guests)
STUDENT_NAME_MAX = 24  # a nickname's length (game.games.NICKNAME_MAX)


def parse_roster(text: str) -> list[str]:
    """Names pasted one per line, or a CSV (the first column; a header row named "name" is
    skipped). Blank lines go; the same name twice (folded like nicknames) is refused."""
    names: list[str] = []
    seen: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        if not row:
            continue
        name = clean_text(row[0])
        if not name or (not names and fold_key(name) in ("name", "names", "이름", "student")):
            continue
        if len(name) > STUDENT_NAME_MAX:
            raise InvalidInput("roster_name_too_long", name=name, maximum=STUDENT_NAME_MAX)
        key = fold_key(name)
        if key in seen:
            raise InvalidInput("roster_name_twice", name=name, other=seen[key])
        seen[key] = name
        names.append(name)
    if len(names) > ROSTER_MAX:
        raise InvalidInput("roster_too_long", count=len(names), maximum=ROSTER_MAX)
    return names


def _class_view(session: Session, class_: SchoolClass) -> ClassView:
    students = session.scalars(
        select(ClassStudent)
        .where(ClassStudent.class_id == class_.id, ClassStudent.active.is_(True))
        .order_by(ClassStudent.position, ClassStudent.id)
    )
    return ClassView(class_.id, class_.name, [ClassStudentView(s.id, s.name) for s in students])


def require_class(session: Session, credential: str | None, class_id: int) -> SchoolClass:
    """The class, if it is the signed-in teacher's (another teacher's is not found)."""
    teacher = require_teacher(session, credential)
    class_ = session.get(SchoolClass, class_id)
    if class_ is None or class_.owner_id != teacher.id:
        raise NotFound("class_not_found")
    return class_


def my_classes(session: Session, credential: str | None) -> list[ClassView]:
    teacher = require_teacher(session, credential)
    classes = session.scalars(
        select(SchoolClass).where(SchoolClass.owner_id == teacher.id).order_by(SchoolClass.name, SchoolClass.id)
    )
    return [_class_view(session, c) for c in classes]


def _clean_class_name(raw: str) -> str:
    name = clean_text(raw)
    if not name:
        raise InvalidInput("class_name_empty")
    if len(name) > CLASS_NAME_MAX:
        raise InvalidInput("class_name_too_long", maximum=CLASS_NAME_MAX)
    return name


def save_class(
    session: Session,
    credential: str | None,
    name: str,
    roster: str,
    class_id: int | None = None,
    now: datetime | None = None,
) -> ClassView:
    """Create a class, or change one's name and roster. A name taken off the roster keeps its
    records (its row stays, inactive); a name put back is the same student again."""
    teacher = require_teacher(session, credential)
    clean_name = _clean_class_name(name)
    names = parse_roster(roster)
    if class_id is None:
        class_ = SchoolClass(owner_id=teacher.id, name=clean_name, created_at=now or utcnow())
        session.add(class_)
        session.flush()
    else:
        class_ = require_class(session, credential, class_id)
        class_.name = clean_name
    existing = {s.name_key: s for s in session.scalars(select(ClassStudent).where(ClassStudent.class_id == class_.id))}
    session.execute(update(ClassStudent).where(ClassStudent.class_id == class_.id).values(active=False))
    for position, student_name in enumerate(names, start=1):
        key = fold_key(student_name)
        student = existing.get(key)
        if student is None:
            session.add(ClassStudent(class_id=class_.id, name=student_name, name_key=key, position=position))
        else:
            student.name, student.position, student.active = student_name, position, True
    session.flush()
    session.expire_all()  # the bulk UPDATE above is not in the loaded rows
    return _class_view(session, class_)


def delete_class(session: Session, credential: str | None, class_id: int) -> None:
    """The class and its roster go; its games stay (they are the teacher's), without a class."""
    class_ = require_class(session, credential, class_id)
    students = select(ClassStudent.id).where(ClassStudent.class_id == class_.id)
    session.execute(update(Player).where(Player.student_id.in_(students)).values(student_id=None))
    session.execute(update(Game).where(Game.class_id == class_.id).values(class_id=None))
    session.delete(class_)


def erase_student_everywhere(session: Session, credential: str | None, class_id: int, student_id: int) -> str:
    """A family's request, for the whole class: the student leaves the roster and every game
    of the class (live and homework) with their attempts and pictures, so no board, record,
    class page or download holds them any more. Returns their name, for the confirmation."""
    class_ = require_class(session, credential, class_id)
    student = session.get(ClassStudent, student_id)
    if student is None or student.class_id != class_.id:
        raise NotFound("student_not_found")
    name = student.name
    for player in session.scalars(select(Player).where(Player.student_id == student.id)):
        erase_player_rows(session, player)
    session.delete(student)
    return name


def class_view(session: Session, credential: str | None, class_id: int) -> ClassView:
    return _class_view(session, require_class(session, credential, class_id))


def roster_of_game(session: Session, game: Game) -> list[ClassStudentView]:
    """The names a roster game's join form lists (empty: students type a nickname)."""
    if game.class_id is None:
        return []
    class_ = session.get(SchoolClass, game.class_id)
    return _class_view(session, class_).students if class_ is not None else []


def class_record(session: Session, credential: str | None, class_id: int) -> ClassRecord:
    """The games the class played and, per roster student, their first and best match score
    in every round that was started, over the term (oldest game first)."""
    class_ = require_class(session, credential, class_id)
    view = _class_view(session, class_)
    games = list(session.scalars(select(Game).where(Game.class_id == class_.id).order_by(Game.created_at, Game.id)))
    rounds = list(
        session.execute(
            select(Round.id, Round.game_id, Round.number)
            .where(Round.game_id.in_([g.id for g in games]), Round.status != RoundStatus.DRAFT)
            .order_by(Round.game_id, Round.number)
        )
    )
    played = {g.id: sum(1 for r in rounds if r.game_id == g.id) for g in games}
    code_of = {g.id: g.code for g in games}
    best = func.max(Submission.score)
    scored = Submission.status.in_(COUNTED_ATTEMPTS) & Submission.score.is_not(None)
    per_round = session.execute(
        select(Player.student_id, Submission.round_id, best.label("best"))
        .join(Player, Player.id == Submission.player_id)
        .where(Player.student_id.is_not(None), Submission.round_id.in_([r.id for r in rounds]), scored)
        .group_by(Player.student_id, Submission.round_id)
    ).all()
    first_scores = dict(
        ((row.student_id, row.round_id), row.score)
        for row in session.execute(
            select(Player.student_id, Submission.round_id, Submission.score, Submission.attempt_no)
            .join(Player, Player.id == Submission.player_id)
            .where(Player.student_id.is_not(None), Submission.round_id.in_([r.id for r in rounds]), scored)
            .order_by(Submission.attempt_no.desc())  # the last written wins: the first attempt
        )
    )
    best_scores = {(row.student_id, row.round_id): row.best for row in per_round}
    students = [
        StudentRecord(
            student.name,
            [
                StudentRound(
                    code_of[r.game_id],
                    r.number,
                    first_scores.get((student.id, r.id)),
                    best_scores.get((student.id, r.id)),
                )
                for r in rounds
            ],
        )
        for student in view.students
    ]
    return ClassRecord(
        view, [ClassGame(g.code, g.title, g.created_at, played[g.id]) for g in reversed(games)], students
    )


def class_record_csv(record: ClassRecord, header: dict[str, str]) -> str:
    """One row per student and round: the class's term as a spreadsheet. `header`: the
    column names in the teacher's language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header[k] for k in ("student", "game", "round", "first", "best")])
    for student in record.students:
        for r in student.rounds:
            writer.writerow(
                [
                    safe_cell(student.name),  # a name is never a spreadsheet formula
                    r.game_code,
                    r.round_number,
                    "" if r.first_score is None else f"{r.first_score:.2f}",
                    "" if r.best_score is None else f"{r.best_score:.2f}",
                ]
            )
    return out.getvalue()

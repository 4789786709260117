"""Lessons: a teacher's rounds kept as data (a secret prompt, a preset or a picture, each with
its seed), to start again as a game with every class, share with the server's teachers, and
move to another server as a file (game/lesson_file.py).

Who may do what, checked here for every action: a lesson is seen, started and copied by its
owner, and by every teacher when it is shared (the starter lessons have no owner and are
shared); only its owner changes, shares or deletes it. Another teacher's lesson that is not
shared is "not found", so its existence is not told either.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime

from PIL import Image
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import Game, ImageBlob, Lesson, LessonRound, Round, Teacher
from db.session import required
from db.types import utcnow
from engine.imaging import encode_png
from game.accounts import require_teacher
from game.blocklist import server_blocklist
from game.classes import require_class
from game.errors import InvalidInput, NotAllowed, NotFound
from game.games import GameSettings, create_game, require_host
from game.presets import PRESETS, preset_by_id
from game.rounds import TARGET_SOURCES, RoundExtras, checked_upload, clean_prompt, create_round
from game.text import clean_text
from game.views import GameView, LessonRoundView, LessonView

TITLE_MAX = 120
NOTE_MAX = 2000
QUESTION_MAX = 300
ROUNDS_MAX = 30
LANGUAGES = ("en", "ko")
SEED_LIMIT = 2**31
ATTEMPTS_RANGE = (1, 20)  # as a game's (game.games.GameSettings)
SECONDS_RANGE = (15, 3600)
# A lesson keeps its pictures at the largest image size a game can have: a game draws them
# down to its own size when it starts (game.rounds.checked_upload).
PICTURE_SIZE = 768


@dataclass(frozen=True)
class RoundData:
    """One round of a lesson as checked values, before it is stored: from the editor, a
    game's rounds (Save as lesson) or a lesson file."""

    source: str
    secret_prompt: str | None = None
    preset_id: str | None = None
    picture: bytes | None = None  # PNG, squared, for an uploaded picture
    seed: int = 0
    attempts: int | None = None
    seconds: int | None = None
    question: str | None = None


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def picture_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the file's header (nothing decoded); None if it has none."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            return probe.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def lesson_picture(data: bytes) -> bytes:
    """An uploaded picture through the upload rules, squared at its own size (at most
    PICTURE_SIZE): a picture saved from a game, exported and imported, comes back pixel for
    pixel, and a game of the same image size plays exactly that picture."""
    size = picture_size(data)
    side = max(64, min(PICTURE_SIZE, *size)) if size else PICTURE_SIZE  # else the rules say what is wrong
    return encode_png(checked_upload(data, side))


def check_round(
    source: str,
    *,
    secret_prompt: str | None = None,
    preset_id: str | None = None,
    upload: bytes | None = None,
    seed: int | None = None,
    attempts: int | None = None,
    seconds: int | None = None,
    question: str | None = None,
) -> RoundData:
    """The rules of a lesson's round, whatever it comes from. A secret prompt goes through the
    server's word filter: a lesson may be shared, exported and played by other classes."""
    if source not in TARGET_SOURCES:
        raise InvalidInput("bad_target_source", source=source)
    picture = None
    if source == "prompt":
        secret_prompt = clean_prompt(secret_prompt or "", "target_prompt_empty")
        if (blocked := server_blocklist().first_match(secret_prompt)) is not None:
            raise InvalidInput("lesson_prompt_blocked", word=blocked)
        preset_id = None
    elif source == "preset":
        preset = preset_by_id(preset_id or "")
        if preset is None:
            raise InvalidInput("preset_unknown", preset=preset_id or "")
        secret_prompt = preset.prompt
    else:
        picture = lesson_picture(upload or b"")
        secret_prompt, preset_id = None, None
    seed, question = check_round_settings(seed, attempts, seconds, question)
    return RoundData(source, secret_prompt, preset_id, picture, seed, attempts, seconds, question)


def check_round_settings(
    seed: int | None, attempts: int | None, seconds: int | None, question: str | None
) -> tuple[int, str | None]:
    """A round's seed (a new one when None), own attempts and time, and question; returns the
    seed and the cleaned question (None when blank)."""
    if seed is None:
        seed = new_seed()
    if not 0 <= seed < SEED_LIMIT:
        raise InvalidInput("seed_out_of_range", maximum=SEED_LIMIT - 1)
    if attempts is not None and not ATTEMPTS_RANGE[0] <= attempts <= ATTEMPTS_RANGE[1]:
        raise InvalidInput("bad_attempts", minimum=ATTEMPTS_RANGE[0], maximum=ATTEMPTS_RANGE[1])
    if seconds is not None and not SECONDS_RANGE[0] <= seconds <= SECONDS_RANGE[1]:
        raise InvalidInput("bad_round_length", minimum=SECONDS_RANGE[0], maximum=SECONDS_RANGE[1])
    question = clean_text(question or "") or None
    if question is not None and len(question) > QUESTION_MAX:
        raise InvalidInput("question_too_long", maximum=QUESTION_MAX)
    return seed, filtered(question)


def filtered(text: str | None) -> str | None:
    """A lesson's own words (title, note, question) through the word filter, like a secret
    prompt: students read the question, and a lesson file may come from anyone."""
    if text and (blocked := server_blocklist().first_match(text)) is not None:
        raise InvalidInput("lesson_text_blocked", word=blocked)
    return text


def _clean_title(raw: str) -> str:
    title = clean_text(raw)
    if not title:
        raise InvalidInput("lesson_title_empty")
    if len(title) > TITLE_MAX:
        raise InvalidInput("title_too_long", maximum=TITLE_MAX)
    filtered(title)
    return title


def _clean_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput("lesson_language_unknown", given=language, languages=", ".join(LANGUAGES))
    return language


def _clean_note(raw: str) -> str:
    note = (raw or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("lesson_note_too_long", maximum=NOTE_MAX)
    filtered(note)
    return note


# -- who may do what ---------------------------------------------------------------------------
def _visible(lesson: Lesson, teacher: Teacher) -> bool:
    return lesson.owner_id == teacher.id or lesson.shared


def visible_lesson(session: Session, credential: str | None, lesson_id: int, *, change: bool = False) -> Lesson:
    """The lesson if the signed-in teacher may see it; with `change`, if they own it."""
    teacher = require_teacher(session, credential)
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or not _visible(lesson, teacher):
        raise NotFound("lesson_not_found")
    if change and lesson.owner_id != teacher.id:
        raise NotAllowed("lesson_not_yours")
    return lesson


def lesson_rounds(session: Session, lesson_id: int) -> list[LessonRound]:
    return list(
        session.scalars(
            select(LessonRound).where(LessonRound.lesson_id == lesson_id).order_by(LessonRound.position, LessonRound.id)
        )
    )


def _round_view(row: LessonRound, position: int) -> LessonRoundView:
    prompt = row.secret_prompt
    if row.source == "preset" and (preset := preset_by_id(row.preset_id or "")) is not None:
        prompt = preset.prompt
    return LessonRoundView(
        row.id,
        position,
        row.source,
        prompt,
        row.preset_id,
        row.image_id,
        row.seed,
        row.attempts,
        row.seconds,
        row.question,
    )


def lesson_view_of(session: Session, lesson: Lesson, teacher: Teacher) -> LessonView:
    owner = session.get(Teacher, lesson.owner_id) if lesson.owner_id is not None else None
    rounds = [_round_view(row, i) for i, row in enumerate(lesson_rounds(session, lesson.id), start=1)]
    return LessonView(
        lesson.id,
        lesson.title,
        lesson.language,
        lesson.note,
        lesson.shared,
        owner.name if owner else None,
        lesson.owner_id == teacher.id,
        rounds,
    )


def lesson_view(session: Session, credential: str | None, lesson_id: int) -> LessonView:
    lesson = visible_lesson(session, credential, lesson_id)
    return lesson_view_of(session, lesson, require_teacher(session, credential))


def my_lessons(session: Session, credential: str | None) -> list[LessonView]:
    """The teacher's own lessons (newest first), then those shared by others, then the starters."""
    teacher = require_teacher(session, credential)
    lessons = session.scalars(
        select(Lesson)
        .where(or_(Lesson.owner_id == teacher.id, Lesson.shared.is_(True)))
        .order_by(
            (Lesson.owner_id == teacher.id).desc(), Lesson.owner_id.is_(None), Lesson.updated_at.desc(), Lesson.id
        )
    )
    return [lesson_view_of(session, lesson, teacher) for lesson in lessons]


# -- making and changing -----------------------------------------------------------------------
def _store_round(session: Session, lesson: Lesson, data: RoundData, position: int) -> LessonRound:
    image_id = None
    if data.picture is not None:
        width, height = picture_size(data.picture) or (PICTURE_SIZE, PICTURE_SIZE)
        blob = ImageBlob(data=data.picture, width=width, height=height)
        session.add(blob)
        session.flush()
        image_id = blob.id
    row = LessonRound(
        lesson_id=lesson.id,
        position=position,
        source=data.source,
        secret_prompt=data.secret_prompt if data.source == "prompt" else None,
        preset_id=data.preset_id,
        image_id=image_id,
        seed=data.seed,
        attempts=data.attempts,
        seconds=data.seconds,
        question=data.question,
    )
    session.add(row)
    return row


def store_lesson(
    session: Session,
    teacher: Teacher,
    title: str,
    language: str,
    note: str,
    rounds: list[RoundData],
    now: datetime | None = None,
) -> Lesson:
    """A new lesson of `teacher`'s with these (already checked) rounds."""
    if len(rounds) > ROUNDS_MAX:
        raise InvalidInput("lesson_too_many_rounds", count=len(rounds), maximum=ROUNDS_MAX)
    now = now or utcnow()
    lesson = Lesson(
        owner_id=teacher.id,
        title=_clean_title(title),
        language=_clean_language(language),
        note=_clean_note(note),
        shared=False,
        created_at=now,
        updated_at=now,
    )
    session.add(lesson)
    session.flush()
    for position, data in enumerate(rounds, start=1):
        _store_round(session, lesson, data, position)
    session.flush()
    return lesson


def create_lesson(
    session: Session, credential: str | None, title: str, language: str, note: str = "", now: datetime | None = None
) -> LessonView:
    teacher = require_teacher(session, credential)
    return lesson_view_of(session, store_lesson(session, teacher, title, language, note, [], now), teacher)


def update_lesson(
    session: Session, credential: str | None, lesson_id: int, *, title: str, language: str, note: str
) -> LessonView:
    lesson = visible_lesson(session, credential, lesson_id, change=True)
    lesson.title, lesson.language, lesson.note = _clean_title(title), _clean_language(language), _clean_note(note)
    lesson.updated_at = utcnow()
    return lesson_view_of(session, lesson, require_teacher(session, credential))


def add_lesson_round(session: Session, credential: str | None, lesson_id: int, data: RoundData) -> LessonView:
    """Append a checked round (check_round) to the teacher's lesson."""
    lesson = visible_lesson(session, credential, lesson_id, change=True)
    count = len(lesson_rounds(session, lesson.id))
    if count >= ROUNDS_MAX:
        raise InvalidInput("lesson_too_many_rounds", count=count + 1, maximum=ROUNDS_MAX)
    _store_round(session, lesson, data, count + 1)
    lesson.updated_at = utcnow()
    session.flush()
    return lesson_view_of(session, lesson, require_teacher(session, credential))


def _owned_round(session: Session, credential: str | None, round_id: int) -> tuple[Lesson, LessonRound]:
    row = session.get(LessonRound, round_id)
    if row is None:
        raise NotFound("lesson_round_not_found")
    return visible_lesson(session, credential, row.lesson_id, change=True), row


def update_lesson_round(
    session: Session,
    credential: str | None,
    round_id: int,
    *,
    seed: int,
    attempts: int | None,
    seconds: int | None,
    question: str | None,
) -> LessonView:
    """A round's seed, own attempts and minutes, and question (its target stays: delete the
    round and add another to change the picture)."""
    lesson, row = _owned_round(session, credential, round_id)
    row.seed, row.question = check_round_settings(seed, attempts, seconds, question)
    row.attempts, row.seconds = attempts, seconds
    lesson.updated_at = utcnow()
    return lesson_view_of(session, lesson, require_teacher(session, credential))


def move_lesson_round(session: Session, credential: str | None, round_id: int, offset: int) -> LessonView:
    """Move a round up (-1) or down (+1) in its lesson's order."""
    lesson, row = _owned_round(session, credential, round_id)
    rows = lesson_rounds(session, lesson.id)
    at = next(i for i, r in enumerate(rows) if r.id == row.id)
    to = at + (1 if offset > 0 else -1)
    if 0 <= to < len(rows):
        rows[at], rows[to] = rows[to], rows[at]
    for position, r in enumerate(rows, start=1):
        r.position = position
    lesson.updated_at = utcnow()
    return lesson_view_of(session, lesson, require_teacher(session, credential))


def delete_lesson_round(session: Session, credential: str | None, round_id: int) -> LessonView:
    lesson, row = _owned_round(session, credential, round_id)
    image_id = row.image_id
    session.delete(row)
    session.flush()
    if image_id is not None:
        session.delete(required(session, ImageBlob, image_id))
    for position, r in enumerate(lesson_rounds(session, lesson.id), start=1):
        r.position = position
    lesson.updated_at = utcnow()
    return lesson_view_of(session, lesson, require_teacher(session, credential))


def share_lesson(session: Session, credential: str | None, lesson_id: int, shared: bool) -> LessonView:
    lesson = visible_lesson(session, credential, lesson_id, change=True)
    lesson.shared = bool(shared)
    return lesson_view_of(session, lesson, require_teacher(session, credential))


def delete_lesson(session: Session, credential: str | None, lesson_id: int) -> None:
    """The lesson, its rounds and its own pictures; the games started from it stay."""
    lesson = visible_lesson(session, credential, lesson_id, change=True)
    image_ids = [r.image_id for r in lesson_rounds(session, lesson.id) if r.image_id is not None]
    session.delete(lesson)
    session.flush()
    for image_id in image_ids:
        session.delete(required(session, ImageBlob, image_id))


def round_data(session: Session, row: LessonRound) -> RoundData:
    """A stored round as values again (a copy, a start, an export): the picture's bytes too."""
    picture = required(session, ImageBlob, row.image_id).data if row.image_id is not None else None
    return RoundData(
        row.source, row.secret_prompt, row.preset_id, picture, row.seed, row.attempts, row.seconds, row.question
    )


def duplicate_lesson(session: Session, credential: str | None, lesson_id: int) -> LessonView:
    """A copy the teacher owns, to change: of their own lesson, or of one shared with them."""
    teacher = require_teacher(session, credential)
    lesson = visible_lesson(session, credential, lesson_id)
    rounds = [round_data(session, row) for row in lesson_rounds(session, lesson.id)]
    title = f"{lesson.title} (copy)"[:TITLE_MAX] if lesson.owner_id == teacher.id else lesson.title
    return lesson_view_of(session, store_lesson(session, teacher, title, lesson.language, lesson.note, rounds), teacher)


def save_as_lesson(
    session: Session, code: str, credential: str | None, *, title: str | None = None, language: str = "en"
) -> LessonView:
    """The game's rounds (in their order, each with its seed) as a new lesson of its teacher's.
    An uploaded picture keeps the seed the worker chose for it, so the same round comes back."""
    game = require_host(session, code, credential)
    teacher = require_teacher(session, credential)
    rows = list(session.scalars(select(Round).where(Round.game_id == game.id).order_by(Round.number)))
    if not rows:
        raise InvalidInput("lesson_no_rounds")
    by_prompt = {preset.prompt: preset.id for preset in PRESETS}
    rounds = []
    for row in rows:
        preset_id = by_prompt.get(row.secret_prompt or "") if row.target_source == "preset" else None
        source = row.target_source if row.target_source != "preset" or preset_id else "prompt"
        picture = None
        if source == "upload":
            picture = required(session, ImageBlob, row.target_image_id).data
        rounds.append(
            RoundData(source, row.secret_prompt, preset_id, picture, row.seed, row.attempts, row.seconds, row.question)
        )
    return lesson_view_of(session, store_lesson(session, teacher, title or game.title, language, "", rounds), teacher)


def start_lesson(
    session: Session,
    credential: str | None,
    lesson_id: int,
    settings: GameSettings,
    *,
    class_id: int | None = None,
    now: datetime | None = None,
) -> GameView:
    """A new game with every round of the lesson prepared (drafts, in order, each with the
    lesson's seed): the worker draws their targets ahead, and the teacher only starts them."""
    lesson = visible_lesson(session, credential, lesson_id)
    rows = lesson_rounds(session, lesson.id)
    if not rows:
        raise InvalidInput("lesson_empty")
    class_name = require_class(session, credential, class_id).name if class_id is not None else None
    title = lesson.title if class_name is None else f"{lesson.title} — {class_name}"
    game_view = create_game(session, credential, title[:TITLE_MAX], settings, now)
    game = required(session, Game, game_view.id)
    game.class_id, game.lesson_id = class_id, lesson.id
    for row in rows:
        data = round_data(session, row)
        create_round(
            session,
            game.code,
            credential,
            source=data.source,
            secret_prompt=data.secret_prompt,
            preset_id=data.preset_id,
            upload=data.picture,
            seed=data.seed,
            extras=RoundExtras(data.attempts, data.seconds, data.question, seed_kept=True),
            now=now,
        )
    return game_view

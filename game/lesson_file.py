"""A lesson as one file, to keep, give a colleague or move to another server: a ZIP holding
`lesson.json` (the schema below, version 1) and the pictures of its uploaded rounds under
`pictures/`.

Import checks everything before it writes anything: the file (size, a ZIP, a lesson of a
known version), the schema (pydantic), every picture (the upload rules) and every secret
prompt (the server's word filter). The first problem is the message, saying which; the
lesson is written only when all is well, in the one transaction of the import.

lesson.json, version 1:

    {"format": "promptmatch-lesson", "version": 1,
     "title": "Colours and shapes", "language": "en", "note": "for the teacher",
     "rounds": [
       {"source": "prompt", "secret_prompt": "a red circle", "seed": 1234,
        "attempts": null, "seconds": null, "question": "Which word mattered?"},
       {"source": "preset", "preset_id": "easy-yellow-star", "seed": 99},
       {"source": "upload", "picture": "pictures/round-3.png", "seed": 5}]}

A preset's round also carries its `secret_prompt`, so a server without that preset plays it
as a prompt round.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from typing import Final, Literal

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.orm import Session

from engine.imaging import MAX_UPLOAD_BYTES
from game.accounts import require_teacher
from game.errors import GameError, InvalidInput
from game.lessons import (
    NOTE_MAX,
    QUESTION_MAX,
    ROUNDS_MAX,
    SEED_LIMIT,
    TITLE_MAX,
    RoundData,
    check_round,
    check_round_settings,
    filtered,
    lesson_rounds,
    lesson_view_of,
    round_data,
    store_lesson,
    visible_lesson,
)
from game.presets import preset_by_id
from game.rounds import PROMPT_MAX
from game.views import LessonView

FORMAT: Final = "promptmatch-lesson"
VERSION: Final = 1
KNOWN_VERSIONS = (1,)
# What the server takes in one upload (.streamlit/config.toml, server.maxUploadSize): about 30
# pictures of 512 pixels, which a lesson stores as PNG (game/lessons.py, lesson_picture).
FILE_MAX = MAX_UPLOAD_BYTES
UNPACKED_MAX = ROUNDS_MAX * MAX_UPLOAD_BYTES  # what its entries may unpack to, together
LESSON_JSON = "lesson.json"
LESSON_JSON_MAX = 1024 * 1024
# A ZIP says how large each entry unpacks to, but a crafted one lies: every entry is read with
# a bounded read (never more than its limit + 1 bytes inflated), the whole file shares one
# budget, and an entry that inflates more than RATIO_MAX times its packed size is refused
# (pictures are PNG, already compressed; a lesson.json inflates about 5 times).
RATIO_MAX = 100
# Pixels of all the distinct pictures of a lesson together (30 photos of about 2 megapixels):
# one 40-megapixel picture used by 30 rounds is decoded once, and a lesson of many huge
# pictures is refused before any is decoded.
LESSON_PIXELS_MAX = 60_000_000


class RoundFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Literal["prompt", "preset", "upload"]
    secret_prompt: str | None = Field(default=None, max_length=PROMPT_MAX)
    preset_id: str | None = Field(default=None, max_length=60)
    picture: str | None = Field(default=None, max_length=200)
    seed: int = Field(ge=0, lt=SEED_LIMIT)
    attempts: int | None = Field(default=None, ge=1, le=20)
    seconds: int | None = Field(default=None, ge=15, le=3600)
    question: str | None = Field(default=None, max_length=QUESTION_MAX)

    @model_validator(mode="after")
    def has_its_target(self) -> RoundFile:
        if self.source == "prompt" and not self.secret_prompt:
            raise ValueError("a prompt round needs its secret_prompt")
        if self.source == "preset" and not (self.preset_id or self.secret_prompt):
            raise ValueError("a preset round needs its preset_id")
        if self.source == "upload" and not self.picture:
            raise ValueError("an upload round needs its picture")
        return self


class LessonFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["promptmatch-lesson"]
    version: Literal[1]
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    language: Literal["en", "ko"]
    note: str = Field(default="", max_length=NOTE_MAX)
    rounds: list[RoundFile] = Field(min_length=1, max_length=ROUNDS_MAX)


def file_name(title: str) -> str:
    """A download name from the title: letters (any script), digits and dashes."""
    stem = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-")[:60] or "lesson"
    return f"{stem}.promptmatch-lesson.zip"


def export_lesson(session: Session, credential: str | None, lesson_id: int) -> tuple[str, bytes]:
    """The lesson as a file: its owner's, or one shared with the teacher. (name, bytes)."""
    lesson = visible_lesson(session, credential, lesson_id)
    rounds = []
    pictures: dict[str, bytes] = {}
    for position, row in enumerate(lesson_rounds(session, lesson.id), start=1):
        data = round_data(session, row)
        picture = f"pictures/round-{position}.png" if data.picture is not None else None
        if picture is not None and data.picture is not None:
            pictures[picture] = data.picture
        prompt = data.secret_prompt
        if data.source == "preset" and (preset := preset_by_id(data.preset_id or "")) is not None:
            prompt = preset.prompt  # a server without the preset plays its prompt
        entry = RoundFile(
            source=data.source,  # type: ignore[arg-type]
            secret_prompt=prompt if data.source != "upload" else None,
            preset_id=data.preset_id,
            picture=picture,
            seed=data.seed,
            attempts=data.attempts,
            seconds=data.seconds,
            question=data.question,
        )
        rounds.append(entry)
    document = LessonFile(
        format=FORMAT,
        version=VERSION,
        title=lesson.title,
        language=lesson.language,  # type: ignore[arg-type]
        note=lesson.note,
        rounds=rounds,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(LESSON_JSON, document.model_dump_json(indent=2, exclude_none=True))
        for name, data_ in pictures.items():
            archive.writestr(zipfile.ZipInfo(name), data_, compress_type=zipfile.ZIP_STORED)  # PNG: compressed
    return file_name(lesson.title), out.getvalue()


class _Reader:
    """The entries of a lesson file, each read at most once and within its limits."""

    def __init__(self, data: bytes) -> None:
        if len(data) > FILE_MAX:
            raise InvalidInput("lesson_file_too_large", maximum_mb=FILE_MAX // (1024 * 1024))
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            entries = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            if data.startswith(b"PK\x03\x04"):  # a ZIP cut short or broken: damaged, not something else
                raise InvalidInput("lesson_file_broken") from None
            raise InvalidInput("lesson_file_not_lesson") from None
        names = [entry.filename for entry in entries]
        if len(names) != len(set(names)):  # two lesson.json: which one would be the lesson?
            raise InvalidInput("lesson_file_duplicate", name=next(n for n in names if names.count(n) > 1))
        if len(entries) > ROUNDS_MAX + 1:
            raise InvalidInput("lesson_file_too_large", maximum_mb=FILE_MAX // (1024 * 1024))
        self.budget = UNPACKED_MAX
        self.pixels = LESSON_PIXELS_MAX
        self.seen: dict[str, bytes] = {}

    def read(self, name: str, limit: int) -> bytes | None:
        if name in self.seen:
            return self.seen[name]
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            return None
        too_large = (
            InvalidInput("lesson_file_too_large", maximum_mb=FILE_MAX // (1024 * 1024))
            if name == LESSON_JSON
            else InvalidInput("lesson_file_picture_too_large", name=name, maximum_mb=max(1, limit // (1024 * 1024)))
        )
        if info.file_size > limit:
            raise too_large
        allowed = min(limit, self.budget, max(info.compress_size, 1) * RATIO_MAX)
        try:
            with self.archive.open(info) as entry:
                data = entry.read(allowed + 1)  # bounded: what the header says is not trusted
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            raise InvalidInput("lesson_file_damaged", name=name) from None
        if len(data) > allowed:
            raise too_large if len(data) > limit else InvalidInput("lesson_file_damaged", name=name)
        if len(data) != info.file_size:
            raise InvalidInput("lesson_file_damaged", name=name)
        self.budget -= len(data)
        self.seen[name] = data
        return data

    def count_pixels(self, name: str, picture: bytes) -> None:
        """Charge a picture's pixels to the lesson's budget from its header, before decoding."""
        try:
            with Image.open(io.BytesIO(picture)) as header:
                width, height = header.size
        except Exception:  # the upload rules say what is wrong with it
            return
        self.pixels -= width * height
        if self.pixels < 0:
            raise InvalidInput("lesson_file_too_many_pixels", maximum=LESSON_PIXELS_MAX // 1_000_000)


def read_lesson_file(data: bytes) -> tuple[LessonFile, list[RoundData]]:
    """The lesson in the file and its rounds, every one checked; raises the first problem."""
    reader = _Reader(data)
    raw = reader.read(LESSON_JSON, LESSON_JSON_MAX)
    if raw is None:
        raise InvalidInput("lesson_file_not_lesson")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        # Not JSON, or hostile JSON (nested a million deep, a 5000-digit number): the same kind
        # refusal, never the generic error page.
        raise InvalidInput("lesson_file_not_lesson") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput("lesson_file_not_lesson")
    if document.get("version") not in KNOWN_VERSIONS:
        raise InvalidInput(
            "lesson_file_version", version=str(document.get("version"))[:20], known=", ".join(map(str, KNOWN_VERSIONS))
        )
    if isinstance(document.get("rounds"), list) and len(document["rounds"]) > ROUNDS_MAX:
        raise InvalidInput("lesson_too_many_rounds", count=len(document["rounds"]), maximum=ROUNDS_MAX)
    try:
        lesson = LessonFile.model_validate(document)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "lesson.json"
        raise InvalidInput("lesson_file_invalid", field=where[:80], problem=str(first["msg"])[:200]) from None
    filtered(lesson.title)
    filtered(lesson.note)
    rounds = []
    checked: dict[str, RoundData] = {}  # a picture used by several rounds is decoded once
    for number, entry in enumerate(lesson.rounds, start=1):
        rounds.append(_checked_round(reader, number, entry, checked))
    return lesson, rounds


def _checked_round(reader: _Reader, number: int, entry: RoundFile, checked: dict[str, RoundData]) -> RoundData:
    source, preset_id, prompt = entry.source, entry.preset_id, entry.secret_prompt
    if source == "preset" and preset_by_id(preset_id or "") is None:
        # A preset this server does not have: its prompt, as a prompt round.
        source, preset_id = "prompt", None
    picture = None
    try:
        if source == "upload":
            name = entry.picture or ""
            if name in checked:  # the same picture again: its checked copy, with this round's settings
                seed, question = check_round_settings(entry.seed, entry.attempts, entry.seconds, entry.question)
                return dataclasses.replace(
                    checked[name], seed=seed, attempts=entry.attempts, seconds=entry.seconds, question=question
                )
            picture = reader.read(name, MAX_UPLOAD_BYTES)
            if picture is None:
                raise InvalidInput("lesson_file_picture_missing", round=number, name=name)
            reader.count_pixels(name, picture)
        data = check_round(
            source,
            secret_prompt=prompt,
            preset_id=preset_id,
            upload=picture,
            seed=entry.seed,
            attempts=entry.attempts,
            seconds=entry.seconds,
            question=entry.question,
        )
    except InvalidInput as refused:
        if refused.key.startswith("lesson_file_"):
            raise
        # Which round, and why, in the rule's own words.
        raise InvalidInput("lesson_file_round", round=number, reason_key=refused.key, **refused.params) from None
    except GameError as refused:
        raise InvalidInput("lesson_file_round", round=number, reason_key=refused.key, **refused.params) from None
    if source == "upload":
        checked[entry.picture or ""] = data
    return data


def import_lesson(session: Session, credential: str | None, data: bytes) -> LessonView:
    """A lesson file as a new lesson of the teacher's (not shared): all of it, or nothing."""
    teacher = require_teacher(session, credential)
    lesson, rounds = read_lesson_file(data)
    stored = store_lesson(session, teacher, lesson.title, lesson.language, lesson.note, rounds)
    return lesson_view_of(session, stored, teacher)

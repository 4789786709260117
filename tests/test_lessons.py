"""Lessons: saved from a game with every seed, started again as a game whose rounds come back
the same, shared and copied by the rules of ownership, and moved between servers as a file
that is imported whole or not at all."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from helpers import Classroom, drain
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from db.models import ImageBlob, Lesson, LessonRound, Round
from db.session import Database, open_database
from engine.imaging import decode_image
from game import lesson_file, lessons
from game.accounts import session_for
from game.errors import InvalidInput, NotAllowed, NotFound
from game.games import GameSettings, join_game
from game.lesson_file import export_lesson, import_lesson, read_lesson_file
from game.rounds import create_round, host_rounds, start_round
from game.submissions import player_state, submit_prompt
from worker.runner import Worker

SIZE = 256
SETTINGS = GameSettings(engine="sketch", image_size=SIZE)


def photo(size: int = 300, colour: str = "orange") -> bytes:
    image = Image.new("RGB", (size, size), "navy")
    ImageDraw.Draw(image).ellipse((size // 4, size // 4, 3 * size // 4, 3 * size // 4), fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def three_round_game(classroom: Classroom, worker: Worker) -> None:
    """Two secret prompts and an uploaded picture, the way a teacher builds a lesson live."""
    with classroom.db.write() as s:
        create_round(s, classroom.code, classroom.host, source="prompt", secret_prompt="a red circle", seed=11)
        create_round(s, classroom.code, classroom.host, source="prompt", secret_prompt="a blue square", seed=22)
        create_round(s, classroom.code, classroom.host, source="upload", upload=photo())
    drain(worker)


def rounds_of(db: Database, code: str, host: str) -> list:
    with db.read() as s:
        return host_rounds(s, code, host)


def picture_pixels(db: Database, image_id: int) -> bytes:
    with db.read() as s:
        return decode_image(s.get(ImageBlob, image_id).data).tobytes()


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Lesson)),
            s.scalar(select(func.count()).select_from(LessonRound)),
            s.scalar(select(func.count()).select_from(ImageBlob)),
        )


def test_a_game_saved_as_a_lesson_starts_again_with_the_same_rounds_and_the_secret_scores_100(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    three_round_game(classroom, worker)
    played = rounds_of(db, classroom.code, classroom.host)
    with db.write() as s:
        lesson = lessons.save_as_lesson(s, classroom.code, classroom.host, title="Shapes", language="en")
    assert [r.source for r in lesson.rounds] == ["prompt", "prompt", "upload"]
    # The uploaded picture keeps the seed the worker chose for it.
    assert [r.seed for r in lesson.rounds] == [r.seed for r in played]

    with db.write() as s:
        game = lessons.start_lesson(s, classroom.host, lesson.id, SETTINGS)
    drain(worker)  # the worker draws every target ahead
    again = rounds_of(db, game.code, classroom.host)
    assert [(r.number, r.status, r.target_status) for r in again] == [
        (1, "draft", "ready"),
        (2, "draft", "ready"),
        (3, "draft", "ready"),
    ]
    assert [r.seed for r in again] == [r.seed for r in played]
    assert [r.secret_prompt for r in again] == ["a red circle", "a blue square", None]
    # The same target drawn again, pixel for pixel, and the same uploaded picture.
    for before, after in zip(played, again, strict=True):
        assert picture_pixels(db, before.target_image_id) == picture_pixels(db, after.target_image_id)
    # The secret prompt scores 100 in the new game.
    with db.write() as s:
        start_round(s, game.code, classroom.host, again[0].id)
        token = join_game(s, game.code, "Mina").token
        submit_prompt(s, game.code, token, "a red circle")
    drain(worker)
    with db.read() as s:
        (attempt,) = player_state(s, game.code, token).submissions
    assert attempt.status == "done" and attempt.score == 100


def test_a_lessons_own_attempts_minutes_and_question_reach_its_round(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    with db.write() as s:
        teacher = classroom.host
        made = lessons.create_lesson(s, teacher, "Quick", "en")
        data = lessons.check_round(
            "preset", preset_id="easy-red-circle", seed=5, attempts=1, seconds=60, question="What helped?"
        )
        lessons.add_lesson_round(s, teacher, made.id, data)
        game = lessons.start_lesson(s, teacher, made.id, SETTINGS)
    drain(worker)
    (round_,) = rounds_of(db, game.code, teacher)
    with db.write() as s:
        started = start_round(s, game.code, teacher, round_.id)
        token = join_game(s, game.code, "Ana").token
        submit_prompt(s, game.code, token, "a red circle")
    assert (started.ends_at - started.started_at).total_seconds() == 60
    drain(worker)
    with db.write() as s, pytest.raises(NotAllowed) as refused:
        submit_prompt(s, game.code, token, "a big red circle")
    assert refused.value.key == "no_attempts_left" and refused.value.params == {"count": 1}
    with db.read() as s:
        assert player_state(s, game.code, token).attempts_allowed == 1


def test_the_starter_lessons_are_there_for_every_teacher_and_nobody_changes_them(db: Database) -> None:
    with db.write() as s:
        teacher = session_for(s, "Ms Kim")
        starters = [lesson for lesson in lessons.my_lessons(s, teacher) if lesson.owner_name is None]
    assert len(starters) == 3 and all(len(lesson.rounds) >= 3 for lesson in starters)
    assert all(r.question for lesson in starters for r in lesson.rounds)
    with db.write() as s, pytest.raises(NotAllowed):
        lessons.update_lesson(s, teacher, starters[0].id, title="Mine now", language="en", note="")
    with db.write() as s:
        game = lessons.start_lesson(s, teacher, starters[0].id, SETTINGS)
        assert len(host_rounds(s, game.code, teacher)) == len(starters[0].rounds)


def test_a_lesson_is_seen_by_other_teachers_only_when_shared_and_changed_only_by_its_owner(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    three_round_game(classroom, worker)
    with db.write() as s:
        mine = lessons.save_as_lesson(s, classroom.code, classroom.host)
        other = session_for(s, "Mr Lee")
    # Not shared: another teacher cannot find it, start it, copy it or download it.
    for action in (
        lambda s: lessons.lesson_view(s, other, mine.id),
        lambda s: lessons.start_lesson(s, other, mine.id, SETTINGS),
        lambda s: lessons.duplicate_lesson(s, other, mine.id),
        lambda s: export_lesson(s, other, mine.id),
    ):
        with db.write() as s, pytest.raises(NotFound):
            action(s)
    with db.read() as s:
        assert mine.id not in [lesson.id for lesson in lessons.my_lessons(s, other)]
    with db.write() as s, pytest.raises(NotFound):
        lessons.share_lesson(s, other, mine.id, True)  # nor share it for its owner
    with db.write() as s:
        lessons.share_lesson(s, classroom.host, mine.id, True)
    with db.read() as s:
        seen = next(lesson for lesson in lessons.my_lessons(s, other) if lesson.id == mine.id)
    assert seen.owner_name == "Ms Test" and not seen.mine
    with db.write() as s:
        started = lessons.start_lesson(s, other, mine.id, SETTINGS)
        assert len(host_rounds(s, started.code, other)) == 3  # the other teacher's own game
        export_lesson(s, other, mine.id)
    first_round = seen.rounds[0].id
    for change in (
        lambda s: lessons.update_lesson(s, other, mine.id, title="Taken", language="en", note=""),
        lambda s: lessons.share_lesson(s, other, mine.id, False),
        lambda s: lessons.delete_lesson(s, other, mine.id),
        lambda s: lessons.add_lesson_round(
            s, other, mine.id, lessons.check_round("preset", preset_id="easy-red-circle")
        ),
        lambda s: lessons.update_lesson_round(
            s, other, first_round, seed=1, attempts=None, seconds=None, question=None
        ),
        lambda s: lessons.move_lesson_round(s, other, first_round, +1),
        lambda s: lessons.delete_lesson_round(s, other, first_round),
    ):
        with db.write() as s, pytest.raises(NotAllowed) as refused:
            change(s)
        assert refused.value.key == "lesson_not_yours"
    with db.write() as s:
        copy = lessons.duplicate_lesson(s, other, mine.id)
        changed = lessons.update_lesson(s, other, copy.id, title="Lee's shapes", language="ko", note="")
    assert changed.mine and changed.title == "Lee's shapes" and not changed.shared
    assert [r.seed for r in copy.rounds] == [r.seed for r in seen.rounds]
    with db.read() as s:
        assert lessons.lesson_view(s, classroom.host, mine.id).title == mine.title  # the original is unchanged


def test_the_editor_reorders_and_removes_rounds(db: Database, classroom: Classroom) -> None:
    host = classroom.host
    with db.write() as s:
        made = lessons.create_lesson(s, host, "Order", "en")
        for preset in ("easy-red-circle", "easy-yellow-star", "easy-pink-heart"):
            made = lessons.add_lesson_round(s, host, made.id, lessons.check_round("preset", preset_id=preset))
        made = lessons.move_lesson_round(s, host, made.rounds[2].id, -1)
        assert [r.preset_id for r in made.rounds] == ["easy-red-circle", "easy-pink-heart", "easy-yellow-star"]
        made = lessons.delete_lesson_round(s, host, made.rounds[0].id)
        assert [(r.position, r.preset_id) for r in made.rounds] == [(1, "easy-pink-heart"), (2, "easy-yellow-star")]
        with pytest.raises(InvalidInput) as refused:
            lessons.check_round("prompt", secret_prompt="a naked man")
        assert refused.value.key == "lesson_prompt_blocked"
        with pytest.raises(InvalidInput):
            lessons.check_round("preset", preset_id="easy-red-circle", seed=2**31)


# -- the lesson file -----------------------------------------------------------------------------
def test_a_lesson_moves_to_another_server_with_its_picture_and_seeds(
    db: Database, worker: Worker, classroom: Classroom, tmp_path
) -> None:
    three_round_game(classroom, worker)
    with db.write() as s:
        saved = lessons.save_as_lesson(s, classroom.code, classroom.host, title="Shapes 5-1")
        name, data = export_lesson(s, classroom.host, saved.id)
    assert name == "Shapes-5-1.promptmatch-lesson.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read("lesson.json"))
        assert sorted(archive.namelist()) == ["lesson.json", "pictures/round-3.png"]
    assert document["format"] == "promptmatch-lesson" and document["version"] == 1
    assert [r["seed"] for r in document["rounds"]] == [r.seed for r in saved.rounds]

    other_server = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with other_server.write() as s:
            teacher = session_for(s, "Ms Park")
            imported = import_lesson(s, teacher, data)
        assert [(r.source, r.secret_prompt, r.seed) for r in imported.rounds] == [
            (r.source, r.secret_prompt, r.seed) for r in saved.rounds
        ]
        assert imported.mine and not imported.shared
        original = picture_pixels(db, saved.rounds[2].image_id)
        assert picture_pixels(other_server, imported.rounds[2].image_id) == original
    finally:
        other_server.dispose()


def lesson_zip(document: object, pictures: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("lesson.json", document if isinstance(document, str) else json.dumps(document))
        for name, data in (pictures or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def a_lesson(**changes: object) -> dict:
    document = {
        "format": "promptmatch-lesson",
        "version": 1,
        "title": "Imported",
        "language": "en",
        "rounds": [{"source": "prompt", "secret_prompt": "a red circle", "seed": 3}],
    }
    document.update(changes)
    return document


def huge_picture() -> bytes:
    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, "PNG")  # 49 million pixels, a few kilobytes
    return out.getvalue()


def refused_files() -> list[tuple[str, bytes, str]]:
    no_json = io.BytesIO()
    with zipfile.ZipFile(no_json, "w") as archive:
        archive.writestr("notes.txt", "hello")
    truncated = photo()[:400]
    return [
        ("not a zip", b"PK but not really a zip file", "lesson_file_not_lesson"),
        ("a lesson file cut short", lesson_zip(a_lesson())[:80], "lesson_file_broken"),
        ("a zip without lesson.json", no_json.getvalue(), "lesson_file_not_lesson"),
        ("lesson.json that is not JSON", lesson_zip("{not json"), "lesson_file_not_lesson"),
        ("another program's JSON", lesson_zip({"format": "kahoot", "version": 1}), "lesson_file_not_lesson"),
        ("an unknown version", lesson_zip(a_lesson(version=7)), "lesson_file_version"),
        ("too many rounds", lesson_zip(a_lesson(rounds=[a_lesson()["rounds"][0]] * 31)), "lesson_too_many_rounds"),
        (
            "a wrong field",
            lesson_zip(a_lesson(rounds=[{"source": "prompt", "secret_prompt": "x", "seed": -1}])),
            "lesson_file_invalid",
        ),
        ("no rounds", lesson_zip(a_lesson(rounds=[])), "lesson_file_invalid"),
        (
            "a damaged picture",
            lesson_zip(
                a_lesson(rounds=[{"source": "upload", "picture": "pictures/round-1.png", "seed": 1}]),
                {"pictures/round-1.png": truncated},
            ),
            "lesson_file_round",
        ),
        (
            "an oversized picture",
            lesson_zip(
                a_lesson(rounds=[{"source": "upload", "picture": "pictures/round-1.png", "seed": 1}]),
                {"pictures/round-1.png": huge_picture()},
            ),
            "lesson_file_round",
        ),
        (
            "a missing picture",
            lesson_zip(a_lesson(rounds=[{"source": "upload", "picture": "pictures/round-1.png", "seed": 1}])),
            "lesson_file_picture_missing",
        ),
        (
            "a blocked secret prompt",
            lesson_zip(
                a_lesson(
                    rounds=[
                        {"source": "prompt", "secret_prompt": "a red circle", "seed": 1},
                        {"source": "prompt", "secret_prompt": "a nude statue", "seed": 2},
                    ]
                )
            ),
            "lesson_file_round",
        ),
    ]


@pytest.mark.parametrize("name,data,key", refused_files(), ids=[case[0] for case in refused_files()])
def test_a_bad_lesson_file_is_refused_with_its_reason_and_nothing_is_imported(
    db: Database, classroom: Classroom, name: str, data: bytes, key: str
) -> None:
    before = counts(db)
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        import_lesson(s, classroom.host, data)
    assert refused.value.key == key, name
    assert counts(db) == before


def test_the_refusals_say_which_round_and_why(classroom: Classroom, monkeypatch) -> None:
    blocked = refused_files()[-1][1]
    with pytest.raises(InvalidInput) as refused:
        read_lesson_file(blocked)
    assert refused.value.params["round"] == 2 and refused.value.params["reason_key"] == "lesson_prompt_blocked"
    damaged = next(data for name, data, _ in refused_files() if name == "a damaged picture")
    with pytest.raises(InvalidInput) as refused:
        read_lesson_file(damaged)
    assert refused.value.params["reason_key"] == "upload_not_image"
    monkeypatch.setattr(lesson_file, "FILE_MAX", 1000)
    with pytest.raises(InvalidInput) as refused:
        read_lesson_file(lesson_zip(a_lesson(note="x" * 2000)))
    assert refused.value.key == "lesson_file_too_large"


def test_a_preset_this_server_lacks_is_played_as_its_prompt(classroom: Classroom) -> None:
    document = a_lesson(
        rounds=[{"source": "preset", "preset_id": "winter-fox", "secret_prompt": "a white fox", "seed": 9}]
    )
    _lesson, (round_,) = read_lesson_file(lesson_zip(document))
    assert (round_.source, round_.secret_prompt, round_.seed) == ("prompt", "a white fox", 9)


def test_an_import_that_fails_half_way_leaves_nothing(db: Database, classroom: Classroom, monkeypatch) -> None:
    """All or nothing even when storing fails after some rows were written."""
    data = lesson_zip(a_lesson(rounds=[a_lesson()["rounds"][0]] * 3))
    before = counts(db)
    calls = []
    real = lessons._store_round

    def fail_on_third(session, lesson, round_data, position):
        calls.append(position)
        if position == 3:
            raise OSError("disk full")
        return real(session, lesson, round_data, position)

    monkeypatch.setattr(lessons, "_store_round", fail_on_third)
    with pytest.raises(OSError):
        db.transaction(lambda s: import_lesson(s, classroom.host, data))
    assert calls == [1, 2, 3] and counts(db) == before


def test_a_round_of_a_game_keeps_its_seed_through_save_export_and_import(
    db: Database, worker: Worker, classroom: Classroom
) -> None:
    with db.write() as s:
        create_round(s, classroom.code, classroom.host, source="preset", preset_id="easy-yellow-star", seed=424242)
        saved = lessons.save_as_lesson(s, classroom.code, classroom.host)
        _name, data = export_lesson(s, classroom.host, saved.id)
        imported = import_lesson(s, classroom.host, data)
        game = lessons.start_lesson(s, classroom.host, imported.id, SETTINGS)
        (round_,) = host_rounds(s, game.code, classroom.host)
        stored = s.get(Round, round_.id)
    assert saved.rounds[0].preset_id == "easy-yellow-star" and imported.rounds[0].preset_id == "easy-yellow-star"
    assert round_.seed == 424242 and stored.seed == 424242


def zip_bomb(declared: int = 10, real_mb: int = 200) -> bytes:
    """A lesson whose picture entry says it unpacks to `declared` bytes and inflates to
    `real_mb` MB of zeros (its headers patched to lie, as a crafted file does)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "lesson.json", json.dumps(a_lesson(rounds=[{"source": "upload", "picture": "p.png", "seed": 1}]))
        )
        with archive.open("p.png", "w") as entry:
            chunk = bytes(1024 * 1024)
            for _ in range(real_mb):
                entry.write(chunk)
    data = bytearray(out.getvalue())
    central = data.rindex(b"PK\x01\x02")  # the last entry's central record: p.png
    data[central + 24 : central + 28] = declared.to_bytes(4, "little")
    local = data.index(b"PK\x03\x04", 30)  # its local header
    data[local + 22 : local + 26] = declared.to_bytes(4, "little")
    return bytes(data)


def test_a_zip_bomb_is_refused_without_inflating_it(db: Database, classroom: Classroom) -> None:
    """Finding 3: a 1.9 MB file whose picture declares 10 bytes inflated 2 GB in memory."""
    import tracemalloc

    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        with db.write() as s, pytest.raises(InvalidInput) as refused:
            import_lesson(s, classroom.host, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.key in ("lesson_file_picture_too_large", "lesson_file_damaged")
    assert peak < 40 * 1024 * 1024, f"{peak / 2**20:.0f} MB"  # never more than a picture's limit


def test_one_huge_picture_used_by_every_round_is_decoded_once(monkeypatch, db: Database, classroom: Classroom) -> None:
    """Finding 3: an 875-byte file whose 30 rounds reuse one 39.6-megapixel PNG took 32 s of
    CPU and 554 MB; two different such pictures are over the lesson's pixel budget."""
    decoded: list[int] = []
    real = lessons.lesson_picture
    monkeypatch.setattr(lessons, "lesson_picture", lambda data: decoded.append(len(data)) or real(data))
    big = io.BytesIO()
    Image.new("1", (6300, 6290)).save(big, "PNG")
    rounds = [{"source": "upload", "picture": "p.png", "seed": n} for n in range(30)]
    _lesson, data = read_lesson_file(lesson_zip(a_lesson(rounds=rounds), {"p.png": big.getvalue()}))
    assert len(data) == 30 and len(decoded) == 1
    assert [round_.seed for round_ in data] == list(range(30))
    two = [{"source": "upload", "picture": name, "seed": 1} for name in ("a.png", "b.png")]
    with pytest.raises(InvalidInput) as refused:
        read_lesson_file(lesson_zip(a_lesson(rounds=two), {"a.png": big.getvalue(), "b.png": big.getvalue()}))
    assert refused.value.key == "lesson_file_too_many_pixels" and len(decoded) == 2  # b.png never decoded


@pytest.mark.parametrize(
    "name,data,key",
    [
        ("nested 400 000 deep", lesson_zip("[" * 400_000 + "]" * 400_000), "lesson_file_not_lesson"),
        ("nested 900 000 deep", lesson_zip("[" * 900_000 + "]" * 900_000), "lesson_file_too_large"),
        (
            "a 5000-digit seed",
            lesson_zip('{"format": "promptmatch-lesson", "seed": ' + "9" * 5000 + "}"),
            "lesson_file_not_lesson",
        ),
        ("a blocked title", lesson_zip(a_lesson(title="nude pictures")), "lesson_text_blocked"),
        ("a blocked note", lesson_zip(a_lesson(note="see the porn")), "lesson_text_blocked"),
        (
            "a blocked question",
            lesson_zip(
                a_lesson(
                    rounds=[
                        {"source": "prompt", "secret_prompt": "a red circle", "seed": 1, "question": "who is sexy?"}
                    ]
                )
            ),
            "lesson_file_round",
        ),
    ],
)
def test_hostile_json_and_words_are_the_kind_refusal(db: Database, classroom: Classroom, name, data, key) -> None:
    """Finding 7: these reached Streamlit's generic error page, or were imported unfiltered."""
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        import_lesson(s, classroom.host, data)
    assert refused.value.key == key


def test_two_lesson_json_in_one_file_are_refused(db: Database, classroom: Classroom) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, pytest.warns(UserWarning):
        archive.writestr("lesson.json", json.dumps(a_lesson(title="First")))
        archive.writestr("lesson.json", json.dumps(a_lesson(title="Second")))
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        import_lesson(s, classroom.host, out.getvalue())
    assert refused.value.key == "lesson_file_duplicate"


def test_the_lesson_editor_filters_titles_notes_and_questions_too(db: Database, classroom: Classroom) -> None:
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        lessons.create_lesson(s, classroom.host, "naked truth", "en")
    assert refused.value.key == "lesson_text_blocked"
    with pytest.raises(InvalidInput):
        lessons.check_round("prompt", secret_prompt="a red circle", question="so sexy")

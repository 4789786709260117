"""Bad input, case by case: each gets a clear message (an error key with a text in ui/i18n.py)
and nothing already saved is lost. The README lists these cases."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from helpers import Classroom, drain
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Game, ImageBlob, Player, Round, Submission
from game.accounts import session_for
from game.errors import GameError
from game.games import GameSettings, create_game, find_player, join_game
from game.moderation import delete_game, kick_player
from game.rounds import close_round, create_round, reveal_round, start_round
from game.submissions import player_state, submit_prompt
from ui.i18n import catalogs


def png_claiming_size(width: int, height: int) -> bytes:
    """A real 1×1 PNG whose header claims width×height (a decompression bomb's header)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Room:
    classroom: Classroom
    mina: str  # a player with one scored attempt
    round_id: int


@pytest.fixture
def room(db, worker) -> Room:
    classroom = Classroom(db, attempts=2)
    round_id = classroom.round(worker)
    mina = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, mina, "a red circle")
    drain(worker)
    return Room(classroom, mina, round_id)


def snapshot(db) -> tuple:
    """Everything a bad call must leave as it was."""
    with db.read() as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(t)) for t in (Game, Player, Round, Submission, ImageBlob)
        )
        scores = tuple(s.execute(select(Submission.id, Submission.status, Submission.score)).all())
        rounds = tuple(s.execute(select(Round.id, Round.status)).all())
    return counts, scores, rounds


Case = Callable[[Session, Room], object]


def _upload(data: bytes) -> Case:
    return lambda s, r: create_round(s, r.classroom.code, r.classroom.host, source="upload", upload=data)


def _submit(prompt: str) -> Case:
    return lambda s, r: submit_prompt(s, r.classroom.code, r.mina, prompt)


def _join(nickname: str) -> Case:
    return lambda s, r: join_game(s, r.classroom.code, nickname)


REFUSED: dict[str, tuple[Case, str]] = {
    "empty prompt": (_submit(""), "prompt_empty"),
    "whitespace-only prompt": (_submit(" \t\n  "), "prompt_empty"),
    "zero-width-only prompt": (_submit("\u200b\u200c\u200d\ufeff"), "prompt_empty"),
    "10 000-character prompt": (_submit("cat " * 2500), "prompt_too_long"),
    "empty nickname": (_join("   "), "nickname_empty"),
    "25-character nickname": (_join("x" * 25), "nickname_too_long"),
    "nickname differing only in case": (_join("MINA"), "nickname_taken"),
    "nickname differing only in width": (_join("ｍｉｎａ"), "nickname_taken"),
    "nickname with zero-width characters": (_join("Mi\u200bna"), "nickname_taken"),
    "blocked nickname": (_join("s e x y"), "nickname_blocked"),
    "wrong game code": (lambda s, r: join_game(s, "ZZZZZZ", "Ben"), "game_not_found"),
    "game code with stray symbols": (lambda s, r: join_game(s, "!!??", "Ben"), "game_not_found"),
    "unknown player token": (
        lambda s, r: submit_prompt(s, r.classroom.code, "forged-token", "a cat"),
        "unknown_player",
    ),
    "no player token": (lambda s, r: submit_prompt(s, r.classroom.code, None, "a cat"), "unknown_player"),
    "non-image upload": (_upload(b"%PDF-1.7 not a picture"), "upload_not_image"),
    "100-megapixel PNG": (_upload(png_claiming_size(10_000, 10_000)), "upload_too_many_pixels"),
    "truncated JPEG": (_upload(jpeg_bytes()[:200]), "upload_not_image"),
    "empty upload": (_upload(b""), "upload_empty"),
    "11 MB upload": (_upload(b"\x89PNG" + b"0" * (11 * 1024 * 1024)), "upload_too_large"),
    "non-host starts a round": (lambda s, r: start_round(s, r.classroom.code, r.mina, r.round_id), "not_signed_in"),
    "non-host closes a round": (lambda s, r: close_round(s, r.classroom.code, None, r.round_id), "not_signed_in"),
    "non-host reveals a round": (lambda s, r: reveal_round(s, r.classroom.code, "x" * 32, r.round_id), "not_signed_in"),
    "non-host removes a player": (lambda s, r: kick_player(s, r.classroom.code, r.mina, 1), "not_signed_in"),
    "non-host deletes the game": (lambda s, r: delete_game(s, r.classroom.code, r.mina), "not_signed_in"),
    "round of another game": (
        lambda s, r: start_round(s, r.classroom.code, r.classroom.host, 10_000),
        "round_not_found",
    ),
    "empty game title": (lambda s, r: create_game(s, session_for(s, "Ms Bad"), "  ", GameSettings()), "title_empty"),
    "impossible attempts per round": (
        lambda s, r: create_game(s, session_for(s, "Ms Bad"), "Art", GameSettings(attempts_per_round=0)),
        "bad_attempts",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_bad_input_gets_a_clear_message_and_loses_nothing(db, room: Room, case: str) -> None:
    action, key = REFUSED[case]
    before = snapshot(db)
    with db.write() as s, pytest.raises(GameError) as error:
        action(s, room)
    assert error.value.key == key
    assert key in catalogs()["en"]  # the page has words for it
    assert snapshot(db) == before


def test_a_double_clicked_submit_queues_one_attempt(db, room: Room) -> None:
    with db.write() as s:
        submit_prompt(s, room.classroom.code, room.mina, "a blue circle")
    before = snapshot(db)
    with db.write() as s, pytest.raises(GameError) as error:
        submit_prompt(s, room.classroom.code, room.mina, "a blue circle")
    assert error.value.key == "attempt_in_progress" and snapshot(db) == before


def test_a_submit_beyond_the_attempts_is_refused(db, worker, room: Room) -> None:
    with db.write() as s:
        submit_prompt(s, room.classroom.code, room.mina, "a blue circle")
    drain(worker)
    before = snapshot(db)
    with db.write() as s, pytest.raises(GameError) as error:
        submit_prompt(s, room.classroom.code, room.mina, "a green circle")
    assert error.value.key == "no_attempts_left" and snapshot(db) == before


def test_a_submit_after_the_round_closed_is_refused(db, room: Room) -> None:
    with db.write() as s:
        close_round(s, room.classroom.code, room.classroom.host, room.round_id)
    before = snapshot(db)
    with db.write() as s, pytest.raises(GameError) as error:
        submit_prompt(s, room.classroom.code, room.mina, "late")
    assert error.value.key == "round_not_open" and snapshot(db) == before


def test_a_removed_player_submitting_is_refused(db, room: Room) -> None:
    with db.write() as s:
        kick_player(s, room.classroom.code, room.classroom.host, find_player(s, room.classroom.code, room.mina).id)
    before = snapshot(db)
    with db.write() as s, pytest.raises(GameError) as error:
        submit_prompt(s, room.classroom.code, room.mina, "again")
    assert error.value.key == "player_kicked" and snapshot(db) == before


def test_the_code_of_a_deleted_game_is_refused(db, room: Room) -> None:
    with db.write() as s:
        delete_game(s, room.classroom.code, room.classroom.host)
    with db.write() as s, pytest.raises(GameError) as error:
        join_game(s, room.classroom.code, "Ben")
    assert error.value.key == "game_not_found"


@pytest.mark.parametrize(
    "prompt",
    ["🎨🐱 고양이 🌈", "قطة حمراء على خلفية زرقاء", "<img src=x onerror=alert(1)>", "**bold** _cat_ `code`"],
    ids=["emoji", "right-to-left", "html", "markdown"],
)
def test_unusual_but_harmless_prompts_are_kept_exactly(db, worker, room: Room, prompt: str) -> None:
    with db.write() as s:
        submit_prompt(s, room.classroom.code, room.mina, prompt)
    drain(worker)
    with db.read() as s:
        latest = player_state(s, room.classroom.code, room.mina).submissions[-1]
    assert latest.prompt == prompt and latest.status == "done"


@pytest.mark.parametrize("nickname", ["<img src=x onerror=alert(1)>"[:24], "**bold**", "=SUM(A1:A9)"])
def test_html_and_markdown_nicknames_are_kept_as_typed(db, room: Room, nickname: str) -> None:
    with db.write() as s:
        token = join_game(s, room.classroom.code, nickname).token
    with db.read() as s:
        assert find_player(s, room.classroom.code, token).nickname == nickname

"""AI literacy: the AI opponent, word feedback, hints and the reveal, through game/ and a real
worker on the sketch and tiny engines."""

from __future__ import annotations

import pytest
from helpers import Classroom, drain

from db.queue import claim_ai_prompt
from db.session import Database
from game.ai_opponent import add_ai_player
from game.errors import InvalidInput, NotAllowed
from game.games import join_game
from game.hints import set_hints
from game.ranking import game_leaderboard, reveal_summary, round_leaderboard
from game.rounds import reveal_round
from game.submissions import player_state, submit_prompt
from worker.runner import Worker

STARS = "three small yellow stars on a navy background"


def submit(classroom: Classroom, token: str, prompt: str) -> None:
    with classroom.db.write() as s:
        submit_prompt(s, classroom.code, token, prompt)


def add_ai(classroom: Classroom, round_id: int, token: str | None = None) -> None:
    with classroom.db.write() as s:
        add_ai_player(s, classroom.code, token or classroom.host, round_id)


def reveal(classroom: Classroom, round_id: int) -> None:
    with classroom.db.write() as s:
        reveal_round(s, classroom.code, classroom.host, round_id)


def test_the_ai_opponent_beats_an_unrelated_prompt_on_the_sketch_engine(classroom: Classroom, worker: Worker) -> None:
    round_id = classroom.round(worker, prompt=STARS)
    joon = classroom.join("Joon")
    submit(classroom, joon, "a cat sitting on a sofa")
    add_ai(classroom, round_id)
    drain(worker)

    with classroom.db.read() as s:
        board = round_leaderboard(s, round_id)
        standings = game_leaderboard(s, classroom.game_id)
    ai_row = next(r for r in board if r.is_ai)
    joon_row = next(r for r in board if r.nickname == "Joon")
    assert ai_row.rank == 1 and ai_row.best_score > joon_row.best_score + 20
    assert [r.is_ai for r in standings] == [True, False]

    reveal(classroom, round_id)
    with classroom.db.read() as s:
        summary = reveal_summary(s, classroom.code, round_id)
    assert summary.secret_prompt == STARS
    assert summary.best_student is not None and summary.best_student.nickname == "Joon"
    assert summary.ai is not None and "star" in summary.ai.prompt and "yellow" in summary.ai.prompt
    # Each prompt's closeness to the secret prompt, beside its image score.
    assert summary.ai.prompt_similarity > summary.best_student.prompt_similarity


def test_the_ai_opponent_writes_from_the_phrase_bank_on_the_tiny_engine(db: Database, worker: Worker) -> None:
    classroom = Classroom(db, engine="tiny")
    round_id = classroom.round(worker, prompt="a lighthouse at sunset")
    add_ai(classroom, round_id)
    drain(worker)
    with db.read() as s:
        (ai_row,) = round_leaderboard(s, round_id)
    assert ai_row.is_ai and ai_row.best_score is not None
    reveal(classroom, round_id)
    with db.read() as s:
        ai = reveal_summary(s, classroom.code, round_id).ai
    assert ai is not None and " of " in ai.prompt  # "{style} of {subject}, {colour}, {composition}"
    assert ai.prompt_similarity is not None


def test_only_the_host_adds_the_ai_once_and_before_the_reveal(classroom: Classroom, worker: Worker) -> None:
    round_id = classroom.round(worker)
    mina = classroom.join("Mina")
    with pytest.raises(NotAllowed, match="not_signed_in"):
        add_ai(classroom, round_id, token=mina)
    add_ai(classroom, round_id)
    with pytest.raises(NotAllowed, match="ai_already_added"):
        add_ai(classroom, round_id)
    reveal(classroom, round_id)
    second = classroom.round(worker, start=False)
    reveal_draft = classroom.round(worker)  # a later round, revealed
    reveal(classroom, reveal_draft)
    with pytest.raises(NotAllowed, match="ai_after_reveal"):
        add_ai(classroom, reveal_draft)
    add_ai(classroom, second)  # a round not started yet may have its AI ready


def test_no_student_can_take_the_ai_name(classroom: Classroom) -> None:
    for name in ("AI", "ai", "ＡＩ", "AI 🤖"):
        with classroom.db.write() as s, pytest.raises(InvalidInput, match="nickname_reserved"):
            join_game(s, classroom.code, name)


def word_effects(classroom: Classroom, worker: Worker, prompt: str) -> dict[str, str]:
    """Mina's one attempt in a new round, and what the sketch feedback says of each word."""
    classroom.round(worker)
    mina = classroom.join("Mina")
    submit(classroom, mina, prompt)
    drain(worker)
    with classroom.db.read() as s:
        (attempt,) = player_state(s, classroom.code, mina).submissions
    return {w.word: w.effect for w in attempt.feedback.words}


def test_sketch_word_feedback_says_what_the_picture_shows(classroom: Classroom, worker: Worker) -> None:
    effects = word_effects(classroom, worker, "a big red fluffy circle")
    assert effects == {
        "a": "filler",
        "big": "drawn",
        "red": "drawn",
        "fluffy": "ignored",
        "circle": "drawn",
    }


def test_a_shape_the_stripes_cover_is_not_called_drawn(classroom: Classroom, worker: Worker) -> None:
    effects = word_effects(classroom, worker, "a yellow circle with red stripes")
    # The stripes fill the picture: the circle under them is understood but not in the picture.
    assert effects["yellow"] == effects["circle"] == "unseen"
    assert effects["red"] == effects["stripes"] == "drawn"


def test_clip_word_feedback_measures_each_word_on_the_tiny_engine(db: Database, worker: Worker) -> None:
    classroom = Classroom(db, engine="tiny")
    classroom.round(worker)
    mina = classroom.join("Mina")
    submit(classroom, mina, "a red circle, bright sky")
    drain(worker)
    with db.read() as s:
        (attempt,) = player_state(s, classroom.code, mina).submissions
    assert attempt.feedback.kind == "clip"
    assert [w.word for w in attempt.feedback.words] == ["a", "red", "circle", "bright", "sky"]
    for word in attempt.feedback.words:
        assert word.value is not None
        expected = "helped" if word.value >= 0.3 else "hurt" if word.value <= -0.3 else "neutral"
        assert word.effect == expected


def test_a_hint_names_a_big_colour_the_picture_lacks_and_the_host_can_turn_hints_off(
    classroom: Classroom, worker: Worker
) -> None:
    classroom.round(worker, prompt="a big red circle on a blue background")
    mina = classroom.join("Mina")
    submit(classroom, mina, "a big red circle")
    drain(worker)
    with classroom.db.read() as s:
        (attempt,) = player_state(s, classroom.code, mina).submissions
    assert attempt.feedback.hint is not None
    assert (attempt.feedback.hint.key, attempt.feedback.hint.params) == ("hint_colour", {"colour": "blue"})

    with classroom.db.write() as s, pytest.raises(NotAllowed, match="not_signed_in"):
        set_hints(s, classroom.code, mina, False)
    with classroom.db.write() as s:
        set_hints(s, classroom.code, classroom.host, False)
    with classroom.db.read() as s:
        (attempt,) = player_state(s, classroom.code, mina).submissions
    assert attempt.feedback.hint is None and attempt.feedback.words  # words stay


def test_a_shape_hint_on_the_sketch_engine(classroom: Classroom, worker: Worker) -> None:
    classroom.round(worker, prompt=STARS)
    mina = classroom.join("Mina")
    submit(classroom, mina, "yellow dots on a navy background")
    drain(worker)
    with classroom.db.read() as s:
        (attempt,) = player_state(s, classroom.code, mina).submissions
    assert (attempt.feedback.hint.key, attempt.feedback.hint.params) == ("hint_shape", {"shape": "star"})


def test_prompt_similarity_to_the_secret_stays_hidden_until_the_reveal(classroom: Classroom, worker: Worker) -> None:
    round_id = classroom.round(worker, prompt=STARS)
    mina = classroom.join("Mina")
    submit(classroom, mina, "three yellow stars")
    drain(worker)
    with classroom.db.read() as s:
        (before,) = player_state(s, classroom.code, mina).submissions
    assert before.prompt_similarity is None
    with pytest.raises(NotAllowed), classroom.db.read() as s:
        reveal_summary(s, classroom.code, round_id)  # a student asking before the reveal
    reveal(classroom, round_id)
    with classroom.db.read() as s:
        (after,) = player_state(s, classroom.code, mina).submissions
    assert after.prompt_similarity == pytest.approx(100 * 2 * 3 / (3 + 6), abs=0.01)  # 3 shared words of 3 and 6


def test_an_ai_prompt_taken_by_a_worker_that_died_is_written_by_the_next(classroom: Classroom, worker: Worker) -> None:
    round_id = classroom.round(worker)
    add_ai(classroom, round_id)
    with classroom.db.write() as s:
        assert claim_ai_prompt(s, "worker-that-dies") == round_id
        assert claim_ai_prompt(s, "another-worker") is None  # taken once
    worker.recover()  # the embedded worker restarting: whatever was in hand is pending again
    drain(worker)
    with classroom.db.read() as s:
        assert [r.is_ai for r in round_leaderboard(s, round_id)] == [True]

"""The classroom rules, enforced in game/ whatever the pages show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import Classroom, drain

from db.types import utcnow
from game.errors import GameError, InvalidInput, NotAllowed, NotFound
from game.games import join_game
from game.rounds import close_round, create_round, reveal_round, start_round
from game.submissions import player_state, submit_prompt
from game.tokens import CODE_ALPHABET


def submit(db, code, token, prompt="a red circle", now=None):
    with db.write() as s:
        return submit_prompt(s, code, token, prompt, now=now)


def test_join_code_has_no_look_alike_characters(classroom: Classroom) -> None:
    assert len(classroom.code) == 6
    assert set(classroom.code) <= set(CODE_ALPHABET)
    assert not set("0O1I") & set(CODE_ALPHABET)


def test_join_code_is_accepted_in_lower_case_with_spaces(db, classroom: Classroom) -> None:
    with db.write() as s:
        joined = join_game(s, " " + classroom.code.lower()[:3] + " " + classroom.code.lower()[3:], "Mina")
    assert joined.player.nickname == "Mina"


def test_nicknames_are_unique_ignoring_case_and_width(db, classroom: Classroom) -> None:
    classroom.join("Mina")
    for clash in ("mina", "MINA", "ｍｉｎａ"):
        with pytest.raises(InvalidInput) as error, db.write() as s:
            join_game(s, classroom.code, clash)
        assert error.value.key == "nickname_taken"


@pytest.mark.parametrize(
    "nickname,key", [("", "nickname_empty"), ("   ", "nickname_empty"), ("x" * 25, "nickname_too_long")]
)
def test_bad_nicknames_are_refused(db, classroom: Classroom, nickname: str, key: str) -> None:
    with pytest.raises(InvalidInput) as error, db.write() as s:
        join_game(s, classroom.code, nickname)
    assert error.value.key == key


def test_unknown_code_is_a_clear_error(db) -> None:
    with pytest.raises(NotFound) as error, db.write() as s:
        join_game(s, "ZZZZZZ", "Mina")
    assert error.value.key == "game_not_found"


def test_attempts_are_limited_per_round(db, worker, classroom: Classroom) -> None:
    classroom.round(worker)
    token = classroom.join("Mina")
    for _ in range(3):
        submit(db, classroom.code, token)
        drain(worker)
    with pytest.raises(NotAllowed) as error:
        submit(db, classroom.code, token)
    assert error.value.key == "no_attempts_left"
    with db.read() as s:
        state = player_state(s, classroom.code, token)
    assert state.attempts_used == 3 and state.attempts_left == 0
    assert [x.attempt_no for x in state.submissions] == [1, 2, 3]


def test_one_pending_attempt_at_a_time(db, worker, classroom: Classroom) -> None:
    """A double-clicked submit queues one attempt, not two."""
    classroom.round(worker)
    token = classroom.join("Mina")
    submit(db, classroom.code, token)
    with pytest.raises(NotAllowed) as error:
        submit(db, classroom.code, token)
    assert error.value.key == "attempt_in_progress"
    with db.read() as s:
        assert len(player_state(s, classroom.code, token).submissions) == 1


def test_no_submissions_before_start_or_after_close(db, worker, classroom: Classroom) -> None:
    round_id = classroom.round(worker, start=False)
    token = classroom.join("Mina")
    with pytest.raises(NotAllowed, match="round_not_open"):
        submit(db, classroom.code, token)
    with db.write() as s:
        start_round(s, classroom.code, classroom.host, round_id)
    submit(db, classroom.code, token)
    drain(worker)
    with db.write() as s:
        close_round(s, classroom.code, classroom.host, round_id)
    with pytest.raises(NotAllowed, match="round_not_open"):
        submit(db, classroom.code, token)
    with db.read() as s:
        assert len(player_state(s, classroom.code, token).submissions) == 1


def test_the_timer_closes_the_round(db, worker, classroom: Classroom) -> None:
    classroom.round(worker)
    token = classroom.join("Mina")
    later = utcnow() + timedelta(minutes=3, seconds=1)
    with pytest.raises(NotAllowed, match="round_not_open"):
        submit(db, classroom.code, token, now=later)
    with db.read() as s:
        assert player_state(s, classroom.code, token, now=later).round.status == "closed"


def test_host_only_actions_refuse_a_wrong_token(db, worker, classroom: Classroom) -> None:
    round_id = classroom.round(worker, start=False)
    student = classroom.join("Mina")
    for token in (None, "", "guess", student):
        for action in (start_round, close_round, reveal_round):
            with pytest.raises(NotAllowed, match="not_signed_in"), db.write() as s:
                action(s, classroom.code, token, round_id)
        with pytest.raises(NotAllowed, match="not_signed_in"), db.write() as s:
            create_round(s, classroom.code, token, source="prompt", secret_prompt="x")


def test_a_failed_attempt_does_not_use_up_an_attempt(db, worker, classroom: Classroom) -> None:
    classroom.round(worker)
    token = classroom.join("Mina")
    submit(db, classroom.code, token)
    with db.write() as s:
        from db.models import Submission

        job = s.query(Submission).one()
        job.status, job.error = "failed", "the GPU caught fire"
    with db.read() as s:
        state = player_state(s, classroom.code, token)
    assert state.attempts_left == 3
    assert state.submissions[0].error == "the GPU caught fire"
    assert submit(db, classroom.code, token).attempt_no == 2


def test_the_secret_prompt_stays_secret_until_the_reveal(db, worker, classroom: Classroom) -> None:
    round_id = classroom.round(worker, prompt="a yellow star")
    token = classroom.join("Mina")
    with db.read() as s:
        assert player_state(s, classroom.code, token).round.secret_prompt is None
    with db.write() as s:
        reveal_round(s, classroom.code, classroom.host, round_id)
    with db.read() as s:
        assert player_state(s, classroom.code, token).round.secret_prompt == "a yellow star"


def test_only_one_round_open_at_a_time(db, worker, classroom: Classroom) -> None:
    classroom.round(worker)
    second = classroom.round(worker, start=False)
    with pytest.raises(NotAllowed, match="another_round_open"), db.write() as s:
        start_round(s, classroom.code, classroom.host, second)


@pytest.mark.parametrize(
    "prompt,key", [("", "prompt_empty"), (" \u200b \n", "prompt_empty"), ("a" * 301, "prompt_too_long")]
)
def test_bad_prompts_are_refused_and_nothing_is_lost(db, worker, classroom: Classroom, prompt: str, key: str) -> None:
    classroom.round(worker)
    token = classroom.join("Mina")
    submit(db, classroom.code, token, "a red circle")
    drain(worker)
    with pytest.raises(GameError) as error:
        submit(db, classroom.code, token, prompt)
    assert error.value.key == key
    with db.read() as s:
        state = player_state(s, classroom.code, token)
    assert [x.prompt for x in state.submissions] == ["a red circle"]
    assert state.submissions[0].status == "done"


def test_game_score_is_the_sum_of_best_scores_per_round(db, worker, classroom: Classroom) -> None:
    from game.ranking import game_leaderboard, round_leaderboard

    first = classroom.round(worker, prompt="a big red circle on a blue background")
    mina, joe = classroom.join("Mina"), classroom.join("Joe")
    submit(db, classroom.code, mina, "a big red circle on a blue background")
    submit(db, classroom.code, joe, "a green triangle")
    drain(worker)
    submit(db, classroom.code, mina, "a cat")
    drain(worker)
    with db.write() as s:
        close_round(s, classroom.code, classroom.host, first)
    second = classroom.round(worker, prompt="a yellow star on a black background")
    submit(db, classroom.code, joe, "a yellow star on a black background")
    drain(worker)
    with db.read() as s:
        board = round_leaderboard(s, first)
        totals = game_leaderboard(s, classroom.game_id)
        second_board = round_leaderboard(s, second)
    assert [r.nickname for r in board] == ["Mina", "Joe"]
    assert board[0].best_score == 100.0 and board[0].attempts_used == 2
    by_name = {r.nickname: r for r in totals}
    assert by_name["Mina"].total_score == pytest.approx(100.0)
    assert by_name["Joe"].total_score == pytest.approx(board[1].best_score + second_board[0].best_score)
    assert totals[0].nickname == "Joe"

"""The console controls the current round while the next ones are prepared, and the round
jobs (the target, the AI's attempt) end with a reason the host can act on, on every database."""

from __future__ import annotations

import io

import pytest
from apptest import page
from helpers import Classroom, drain
from PIL import Image

from db.models import Player
from db.session import Database
from game.ai_opponent import AI_NICKNAME_KEY, add_ai_player
from game.errors import NotAllowed
from game.rounds import close_round, console_rounds, host_rounds, retry_target, reveal_round, start_round
from worker import round_work, targets
from worker.runner import Worker


def test_rounds_prepared_ahead_do_not_take_the_open_rounds_place(db: Database, worker: Worker) -> None:
    classroom = Classroom(db)
    first = classroom.round(worker, prompt="a red circle")
    second = classroom.round(worker, prompt="a blue square", start=False)
    third = classroom.round(worker, prompt="two yellow stars", start=False)
    with db.read() as s:
        console = console_rounds(s, classroom.code, classroom.host)
    assert console.current is not None and console.current.id == first
    assert [r.id for r in console.prepared] == [second, third]

    with pytest.raises(NotAllowed) as refused, db.write() as s:
        start_round(s, classroom.code, classroom.host, second)
    assert refused.value.key == "another_round_open" and refused.value.params == {"number": 1}

    # Close and Reveal act on round 1 although rounds 2 and 3 are newer.
    with db.write() as s:
        assert close_round(s, classroom.code, classroom.host, first).status == "closed"
    with db.write() as s:
        assert reveal_round(s, classroom.code, classroom.host, first).status == "revealed"
    with db.write() as s:
        assert start_round(s, classroom.code, classroom.host, second).status == "open"
    with db.read() as s:
        console = console_rounds(s, classroom.code, classroom.host)
        statuses = {r.number: r.status for r in host_rounds(s, classroom.code, classroom.host)}
    assert console.current is not None and console.current.id == second
    assert [r.id for r in console.prepared] == [third]
    assert statuses == {1: "revealed", 2: "open", 3: "draft"}


def test_the_ai_plays_on_postgresql(pg_worker: tuple[Database, Worker]) -> None:
    pg, worker = pg_worker
    classroom = Classroom(pg)
    round_id = classroom.round(worker, prompt="three small yellow stars on a navy background")
    with pg.write() as s:
        add_ai_player(s, classroom.code, classroom.host, round_id)
    drain(worker)
    with pg.read() as s:
        current = console_rounds(s, classroom.code, classroom.host).current
        ai = s.query(Player).filter(Player.is_ai.is_(True)).one()
    assert current is not None and current.ai_status == "done"
    assert ai.nickname_key == AI_NICKNAME_KEY and "\x00" not in ai.nickname_key


def test_a_failing_ai_job_says_why_and_can_be_tried_again_on_postgresql(
    pg_worker: tuple[Database, Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    pg, worker = pg_worker
    classroom = Classroom(pg)
    round_id = classroom.round(worker)
    with pg.write() as s:
        add_ai_player(s, classroom.code, classroom.host, round_id)

    def broken(_target: object) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(round_work, "sketch_slots", broken)
    drain(worker)
    with pg.read() as s:
        current = console_rounds(s, classroom.code, classroom.host).current
    assert current is not None and current.ai_status == "failed"
    assert current.ai_error == "reason_disk_full"  # the kind, not the driver's words

    monkeypatch.undo()
    with pg.write() as s:
        add_ai_player(s, classroom.code, classroom.host, round_id)  # the host's retry
    drain(worker)
    with pg.read() as s:
        current = console_rounds(s, classroom.code, classroom.host).current
    assert current is not None and current.ai_status == "done" and current.ai_error is None


def test_a_failing_target_says_why_and_can_be_drawn_again(
    db: Database, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    classroom = Classroom(db)
    round_id = classroom.round(prompt="a red circle", start=False)

    def full_disk(_image: object) -> bytes:
        raise OSError("No space left on device")

    monkeypatch.setattr(targets, "encode_png", full_disk)
    drain(worker)
    with db.read() as s:
        prepared = console_rounds(s, classroom.code, classroom.host).prepared[0]
    assert prepared.target_status == "failed" and prepared.target_error == "reason_disk_full"
    monkeypatch.undo()
    with db.write() as s:
        retry_target(s, classroom.code, classroom.host, round_id)
    drain(worker)
    assert classroom.target_ready()


def test_a_truncated_upload_is_refused_kindly_and_the_console_stays(db, classroom, app_environment) -> None:
    """Its preview went through PIL outside the upload rules, and the OSError it raised was
    taken for a storage failure: the console showed "the game's database reported an error"
    and lost its Create round button (issue 23)."""
    host = page("host", code=classroom.code, teacher=classroom.host)
    host.radio(key="target_source").set_value("upload").run()
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), "orange").save(photo, format="JPEG")
    host.file_uploader(key="target_upload_0").set_value(("photo.jpg", photo.getvalue()[:400], "image/jpeg")).run()
    assert not host.exception
    assert [e.value for e in host.error] == ["This file is not a PNG, JPEG or WebP picture (or it is damaged)."]
    assert host.button(key="create_round").label == "Create round"


def test_a_target_whose_failure_could_not_be_recorded_is_failed_by_its_live_worker(
    db: Database, worker: Worker, monkeypatch: pytest.MonkeyPatch, app_environment
) -> None:
    """The round stayed `generating` for as long as its worker lived: only a dead worker's
    round jobs were freed, and *Draw the target again* takes only failed ones (issue 23)."""
    classroom = Classroom(db)
    round_id = classroom.round(prompt="a red circle", start=False)

    def full_disk(_image: object) -> bytes:
        raise OSError("No space left on device")

    def database_gone(_error: BaseException) -> str:
        raise ConnectionError("the database went away while the failure was being written")

    with monkeypatch.context() as patched, pytest.raises(ConnectionError):
        patched.setattr(targets, "encode_png", full_disk)
        patched.setattr(targets, "readable", database_gone)
        worker.run_once()
    with db.read() as s:
        assert console_rounds(s, classroom.code, classroom.host).prepared[0].target_status == "generating"
    worker.beat()  # the heartbeat, every few seconds
    with db.read() as s:
        prepared = console_rounds(s, classroom.code, classroom.host).prepared[0]
    assert prepared.target_status == "failed"
    host = page("host", code=classroom.code, teacher=classroom.host)
    assert [e.value for e in host.error] == [
        "The target image could not be made: the worker stopped before it could record what happened; try again"
    ]
    # Stored as a key, the reason is read in the host's language.
    korean = page("host", code=classroom.code, teacher=classroom.host, lang="ko")
    assert any("작업자가 결과를 기록하기 전에 멈췄습니다" in e.value for e in korean.error)
    host = page("host", code=classroom.code, teacher=classroom.host)
    host.button(key=f"retry_target_{round_id}").click().run()
    drain(worker)
    assert classroom.target_ready()


def test_the_host_adds_a_minute_or_lifts_the_time_limit_of_the_open_round_only(db, worker, classroom) -> None:
    """Timing adjustable (WCAG 2.2.1), enforced by the server: a student submits after the
    first deadline once the host added time, and in an untimed round at any time."""
    from datetime import timedelta

    import pytest

    from db.types import utcnow
    from game.errors import NotAllowed
    from game.rounds import add_time, close_round, remove_timer
    from game.submissions import submit_prompt

    round_id = classroom.round(worker)
    token = classroom.join("Mina")
    with db.write() as s:
        first = add_time(s, classroom.code, classroom.host, round_id)
    with db.read() as s:
        from game.rounds import host_rounds

        (now_open,) = host_rounds(s, classroom.code, classroom.host)
    assert now_open.ends_at == first.ends_at and first.ends_at - first.started_at == timedelta(seconds=180 + 60)
    late = first.started_at + timedelta(seconds=200)  # past the first deadline, within the new one
    with db.write() as s:
        submit_prompt(s, classroom.code, token, "a red circle", now=late)
    with db.write() as s:
        untimed = remove_timer(s, classroom.code, classroom.host, round_id)
    assert untimed.ends_at is None and untimed.status == "open"
    with db.read() as s:
        assert host_rounds(s, classroom.code, classroom.host, utcnow() + timedelta(hours=2))[0].status == "open"
    with db.write() as s:
        close_round(s, classroom.code, classroom.host, round_id)
    with db.write() as s, pytest.raises(NotAllowed) as refused:
        add_time(s, classroom.code, classroom.host, round_id)
    assert refused.value.key == "time_only_for_open_round"


def test_a_student_with_extra_time_plays_on_after_the_class_and_sees_their_own_deadline(db, worker, classroom) -> None:
    from datetime import timedelta

    import pytest

    from game.errors import InvalidInput, NotAllowed
    from game.moderation import set_extra_time
    from game.rounds import close_round
    from game.submissions import player_state, submit_prompt

    round_id = classroom.round(worker)  # 3 minutes
    mina, jun = classroom.join("Mina"), classroom.join("Jun")
    with db.write() as s:
        mina_id = player_state(s, classroom.code, mina).player.id
        set_extra_time(s, classroom.code, classroom.host, mina_id, 50)
        state = player_state(s, classroom.code, mina)
    started = state.round.started_at
    assert state.round.ends_at == started + timedelta(seconds=270)  # her own deadline, on her page
    after_class = started + timedelta(seconds=200)
    with db.write() as s, pytest.raises(NotAllowed):
        submit_prompt(s, classroom.code, jun, "too late", now=after_class)
    with db.write() as s:
        submit_prompt(s, classroom.code, mina, "in her time", now=after_class)
        assert player_state(s, classroom.code, mina, now=after_class).round.status == "open"
        assert player_state(s, classroom.code, jun, now=after_class).round.status == "closed"
    while worker.run_once():
        pass
    with db.write() as s, pytest.raises(NotAllowed) as refused:
        submit_prompt(s, classroom.code, mina, "past hers too", now=started + timedelta(seconds=280))
    assert refused.value.key == "round_not_open"
    with db.write() as s, pytest.raises(InvalidInput):
        set_extra_time(s, classroom.code, classroom.host, mina_id, 33)
    # The host's Close ends the round for everyone, extra time or not (after the timer too).
    with db.write() as s:
        close_round(s, classroom.code, classroom.host, round_id, now=started + timedelta(seconds=10))
    with db.write() as s, pytest.raises(NotAllowed):
        submit_prompt(s, classroom.code, mina, "after the close", now=started + timedelta(seconds=20))

"""A class under load: 40 players × 5 attempts at once against the embedded worker thread."""

from __future__ import annotations

import threading
import time

from helpers import Classroom, wait_until
from sqlalchemy import func, select

from db.models import ImageBlob, Submission
from game.errors import NotAllowed
from game.submissions import player_state, submit_prompt
from worker.runner import Worker

PLAYERS, ATTEMPTS = 40, 5


def test_40_players_times_5_attempts_are_all_scored_once(db, settings) -> None:
    classroom = Classroom(db, attempts=ATTEMPTS)
    worker = Worker(db, settings.with_changes(batch_size=8))
    worker.start_thread()
    try:
        classroom.round(start=False)  # the worker thread draws the target
        wait_until(lambda: classroom.target_ready(), 30, "the target")
        classroom.start_all()
        tokens = [classroom.join(f"Player {i}") for i in range(PLAYERS)]
        errors: list[BaseException] = []

        def play(token: str) -> None:
            try:
                submitted = 0
                while submitted < ATTEMPTS:
                    try:
                        with db.write() as s:
                            submit_prompt(s, classroom.code, token, f"attempt {submitted} of a red circle")
                        submitted += 1
                    except NotAllowed as error:  # the previous attempt is still being drawn
                        assert error.key == "attempt_in_progress"
                        time.sleep(0.02)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=play, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []

        def all_scored() -> bool:
            with db.read() as s:
                return s.scalar(select(func.count()).where(Submission.status == "done")) == PLAYERS * ATTEMPTS

        wait_until(all_scored, 60, "every attempt to be scored")
    finally:
        worker.stop_event.set()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == PLAYERS * ATTEMPTS
        assert s.scalar(select(func.count()).select_from(ImageBlob)) == PLAYERS * ATTEMPTS + 1  # + target
        pairs = s.execute(select(Submission.player_id, Submission.attempt_no)).all()
        assert len(set(pairs)) == len(pairs)  # no attempt stored twice
        for token in tokens:
            state = player_state(s, classroom.code, token)
            assert state.attempts_left == 0 and all(a.score is not None for a in state.submissions)

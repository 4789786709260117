"""The generation worker: batches per round, exactly once, recovery after a crash."""

from __future__ import annotations

from datetime import timedelta

from helpers import Classroom, drain
from sqlalchemy import func, select

from db.models import Round, Submission
from db.queue import AttemptBatch, TargetJob, claim_jobs, claim_next, finish_job, heartbeat, requeue_abandoned
from db.types import utcnow
from game.submissions import player_state, submit_prompt
from worker.runner import Worker


def fill_round(db, classroom: Classroom, players: int) -> list[str]:
    tokens = [classroom.join(f"Player {i}") for i in range(players)]
    for i, token in enumerate(tokens):
        with db.write() as s:
            submit_prompt(s, classroom.code, token, f"{i} red circles")
    return tokens


def test_claims_are_batched_by_round_and_oldest_first(db, worker, classroom: Classroom) -> None:
    classroom.round(worker)
    fill_round(db, classroom, 5)
    with db.write() as s:
        first = claim_jobs(s, "w1", limit=3)
        second = claim_jobs(s, "w2", limit=3)
        third = claim_jobs(s, "w3", limit=3)
    assert [j.id for j in first] == [1, 2, 3]
    assert [j.id for j in second] == [4, 5]
    assert third == []


def test_the_next_claim_is_a_waiting_target_before_the_attempts_then_the_attempts(
    db, worker, classroom: Classroom
) -> None:
    """A round that cannot start without its target goes before a batch of attempts."""
    classroom.round(worker)
    fill_round(db, classroom, 2)
    prepared = classroom.round(start=False)  # its target waits for the worker
    with db.write() as s:
        first = claim_next(s, "w1", batch_size=8)
        second = claim_next(s, "w1", batch_size=8)
        third = claim_next(s, "w1", batch_size=8)
    assert first == TargetJob(prepared)
    assert isinstance(second, AttemptBatch) and len(second.jobs) == 2
    assert third is None


def test_a_batch_never_mixes_rounds(db, worker, classroom: Classroom) -> None:
    other = Classroom(db)
    classroom.round(worker)
    other.round(worker)
    fill_round(db, classroom, 2)
    fill_round(db, other, 2)
    with db.write() as s:
        batch = claim_jobs(s, "w1", limit=10)
    assert len(batch) == 2 and len({j.round_id for j in batch}) == 1


def test_every_job_is_scored_once(db, worker, classroom: Classroom) -> None:
    classroom.round(worker)
    tokens = fill_round(db, classroom, 7)
    assert drain(worker) == 7
    with db.read() as s:
        statuses = s.execute(select(Submission.status, func.count()).group_by(Submission.status)).all()
        for token in tokens:
            (attempt,) = player_state(s, classroom.code, token).submissions
            assert attempt.status == "done" and 0 <= attempt.score <= 100 and attempt.image_id
    assert statuses == [("done", 7)]


def test_a_result_from_a_worker_presumed_dead_is_not_stored_twice(db, worker, classroom: Classroom) -> None:
    classroom.round(worker)
    fill_round(db, classroom, 1)
    with db.write() as s:
        (job,) = claim_jobs(s, "slow-worker", limit=5)
        heartbeat(s, "slow-worker", None, now=utcnow() - timedelta(minutes=5))
    with db.write() as s:
        assert requeue_abandoned(s, lease=timedelta(seconds=30)) == 1
    drain(worker)  # another worker takes and scores it
    with db.write() as s:
        stored = finish_job(s, job.id, "slow-worker", status="done", score=1.0)
    assert stored is False
    with db.read() as s:
        assert s.get(Submission, job.id).score != 1.0


def test_running_jobs_are_queued_again_when_the_worker_restarts(
    db, settings, registry, worker, classroom: Classroom
) -> None:
    classroom.round(worker)
    fill_round(db, classroom, 3)
    with db.write() as s:
        claim_jobs(s, "crashed-worker", limit=3)  # ... and then the process died
    restarted = Worker(db, settings, registry=registry)
    assert restarted.recover() == 3
    assert drain(restarted) == 3
    with db.read() as s:
        assert s.scalar(select(func.count()).where(Submission.status == "done")) == 3


def test_a_broken_model_fails_the_batch_with_a_reason(db, worker, classroom: Classroom, monkeypatch) -> None:
    classroom.round(worker)
    tokens = fill_round(db, classroom, 2)

    def explode(*args, **kwargs):
        raise RuntimeError("weights are corrupt")

    sketch = worker.registry.generator("sketch")
    monkeypatch.setattr(sketch, "generate", explode)
    drain(worker)
    with db.read() as s:
        attempt = player_state(s, classroom.code, tokens[0]).submissions[0]
        left = player_state(s, classroom.code, tokens[0]).attempts_left
    assert attempt.status == "failed" and "weights are corrupt" in attempt.error
    assert left == 3


def test_the_worker_thread_scores_submissions_in_the_background(db, settings, registry, classroom: Classroom) -> None:
    import time

    background = Worker(db, settings, registry=registry)
    background.start_thread()
    try:
        classroom.round(start=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with db.read() as s:
                from game.rounds import host_rounds

                if host_rounds(s, classroom.code, classroom.host)[0].target_status == "ready":
                    break
            time.sleep(0.05)
        from game.rounds import start_round

        with db.write() as s:
            start_round(s, classroom.code, classroom.host, 1)
        (token,) = fill_round(db, classroom, 1)
        while time.monotonic() < deadline:
            with db.read() as s:
                attempt = player_state(s, classroom.code, token).submissions[0]
            if attempt.status == "done":
                break
            time.sleep(0.05)
        assert attempt.status == "done"
    finally:
        background.stop_event.set()


def test_a_round_is_computed_with_one_runtime_and_a_worker_with_another_says_so(
    db, worker, classroom: Classroom
) -> None:
    round_id = classroom.round(worker)
    with db.read() as s:
        assert s.get(Round, round_id).runtime == "sketch"  # stamped with the target
    with db.write() as s:
        s.get(Round, round_id).runtime = "openvino-bf16"  # as a CPU worker elsewhere stamped it
    token = classroom.join("Ana")
    with db.write() as s:
        submit_prompt(s, classroom.code, token, "a red circle")
    drain(worker)
    with db.read() as s:
        attempt = s.scalars(select(Submission)).one()
    assert attempt.status == "failed" and "computed with openvino-bf16" in attempt.error

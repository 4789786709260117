"""The database is the job queue: atomic claims, results stored once, crash recovery.

SQLite: the claim is one `UPDATE ... RETURNING` inside `BEGIN IMMEDIATE` (Database.write), so
two workers can never take the same job. PostgreSQL: the inner SELECT takes its rows with
`FOR UPDATE SKIP LOCKED`, so workers take different jobs without waiting on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from db.changes import note_changes
from db.models import ImageBlob, Player, Round, Submission, WorkerStatus
from db.session import required
from db.statuses import AIStatus, AttemptStatus, RoundStatus, TargetStatus
from db.types import utcnow


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    round_id: int
    prompt: str


def claim_jobs(
    session: Session, worker_id: str, limit: int, now: datetime | None = None, *, live_first: bool = True
) -> list[ClaimedJob]:
    """Take up to `limit` queued jobs, all from the round of the oldest queued job, so they can
    be generated together (same model, size, steps and seed). Live rounds' attempts go before
    homework's (`priority`): a class playing now is not slowed by homework elsewhere on the
    server (`live_first=False` only for the benchmark's baseline). Within the round the queue
    is fair per player: every player's first attempt before anyone's second, so a player (or
    a browser that joined many) who keeps submitting cannot push the others back."""
    now = now or utcnow()
    order = (Submission.priority, Submission.id) if live_first else (Submission.id,)
    oldest_round = (
        select(Submission.round_id)
        .where(Submission.status == AttemptStatus.QUEUED)
        .order_by(*order)
        .limit(1)
        .scalar_subquery()
    )
    ids = (
        select(Submission.id)
        .where(Submission.status == AttemptStatus.QUEUED, Submission.round_id == oldest_round)
        .order_by(Submission.attempt_no, Submission.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    rows = session.execute(
        update(Submission)
        .where(Submission.id.in_(ids))
        .values(status=AttemptStatus.RUNNING, worker_id=worker_id, started_at=now)
        .returning(Submission.id, Submission.round_id, Submission.prompt)
    ).all()
    # No page reruns for a claim: a student's page shows "drawing" from its live place in
    # line (server/routes.py), and the result moves the counters when it is stored.
    return sorted((ClaimedJob(r.id, r.round_id, r.prompt) for r in rows), key=lambda j: j.id)


def ai_turn_waiting() -> ColumnElement[bool]:
    """A round whose AI opponent must write its next prompt: just added, or playing with its
    last attempt scored (nothing of its own queued or running) and the secret still kept."""
    ai_attempt_pending = exists().where(
        Submission.round_id == Round.id,
        Submission.status.in_((AttemptStatus.QUEUED, AttemptStatus.RUNNING)),
        Submission.player_id.in_(select(Player.id).where(Player.is_ai.is_(True))),
    )
    return and_(
        Round.target_status == TargetStatus.READY,
        or_(
            Round.ai_status == AIStatus.PENDING,
            and_(Round.ai_status == AIStatus.PLAYING, Round.status != RoundStatus.REVEALED, ~ai_attempt_pending),
        ),
    )


@dataclass(frozen=True)
class WaitingWork:
    """What kinds of work wait for a worker."""

    targets: bool = True
    ai_turns: bool = True
    attempts: bool = True

    def __bool__(self) -> bool:
        return self.targets or self.ai_turns or self.attempts


def waiting_work(session: Session) -> WaitingWork:
    """What waits for a worker: one cheap read, so an idle worker's poll takes no write lock
    (the claims below each take SQLite's write lock), and a busy one tries only the claims
    that can succeed (each is an UPDATE)."""
    row = session.execute(
        select(
            exists().where(Round.target_status == TargetStatus.PENDING),
            exists().where(ai_turn_waiting()),
            exists().where(Submission.status == AttemptStatus.QUEUED),
        )
    ).one()
    return WaitingWork(targets=bool(row[0]), ai_turns=bool(row[1]), attempts=bool(row[2]))


def has_work(session: Session) -> bool:
    """Whether anything waits for a worker."""
    return bool(waiting_work(session))


def finish_job(
    session: Session,
    job_id: int,
    worker_id: str,
    *,
    status: str,
    score: float | None = None,
    raw_score: float | None = None,
    image: bytes | None = None,
    image_mime: str = "image/png",
    size: int = 0,
    error: str | None = None,
    feedback: str | None = None,
    prompt_similarity: float | None = None,
    engine_prompt: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Store one result, only if this worker still holds the job: a worker presumed dead whose
    job was handed to another cannot store it a second time. Returns whether it was stored."""
    image_id = None
    if image is not None:
        blob = ImageBlob(data=image, mime=image_mime, width=size, height=size)
        session.add(blob)
        session.flush()
        image_id = blob.id
    stored = session.execute(
        update(Submission)
        .where(Submission.id == job_id, Submission.status == AttemptStatus.RUNNING, Submission.worker_id == worker_id)
        .values(
            status=status,
            score=score,
            raw_score=raw_score,
            image_id=image_id,
            error=error,
            feedback=feedback,
            prompt_similarity=prompt_similarity,
            engine_prompt=engine_prompt,
            finished_at=now or utcnow(),
        )
        .returning(Submission.round_id, Submission.player_id)
    ).first()
    if stored is None:
        if image_id is not None:
            session.delete(blob)
        return False
    note_changes(session, round_ids=[stored.round_id], player_ids=[stored.player_id])
    return True


def _claim_round(session: Session, waiting: ColumnElement[bool], *, shared: bool = True, **claimed: str) -> int | None:
    """Take the oldest round matching `waiting`, setting `claimed` on it; one worker wins.
    `shared`: whether every player's page shows the change (a target being drawn), or only
    the host's (the AI writing its next prompt)."""
    oldest = select(Round.id).where(waiting).order_by(Round.id).limit(1).scalar_subquery()
    row = session.execute(
        update(Round).where(Round.id == oldest, waiting).values(**claimed).returning(Round.id)
    ).first()
    if row is None:
        return None
    note_changes(session, round_ids=[row.id], shared=shared)
    return row.id


def claim_target(session: Session, worker_id: str) -> int | None:
    """Take one round whose target image must be generated from its secret prompt."""
    return _claim_round(
        session,
        Round.target_status == TargetStatus.PENDING,
        target_status=TargetStatus.GENERATING,
        target_worker_id=worker_id,
    )


def claim_ai_prompt(session: Session, worker_id: str) -> int | None:
    """Take one round whose AI opponent must write its next prompt."""
    return _claim_round(
        session,
        ai_turn_waiting(),
        # Only the host's console shows the AI's turns: the class's pages need not rerun for
        # each of them (bench/RESULTS.md, open pages).
        shared=False,
        ai_status=AIStatus.WRITING,
        ai_worker_id=worker_id,
    )


@dataclass(frozen=True)
class TargetJob:
    """A round whose target image (and score scale) must be drawn."""

    round_id: int


@dataclass(frozen=True)
class AITurnJob:
    """A round whose AI opponent must write its next prompt."""

    round_id: int


@dataclass(frozen=True)
class AttemptBatch:
    """Students' attempts of one round, drawn together."""

    jobs: list[ClaimedJob]


Claim = TargetJob | AITurnJob | AttemptBatch


def claim_next(
    session: Session,
    worker_id: str,
    batch_size: int,
    *,
    live_first: bool = True,
    waiting: WaitingWork = WaitingWork(),
) -> Claim | None:
    """Take the next piece of work, in one transaction: a target first (a round cannot start
    without it), then an AI's turn (one drawing batch, and the AI must not lag behind the
    class), then a batch of students' attempts. None when nothing waits. `waiting`: the kinds
    a read just found (`waiting_work`); the others are not tried."""
    if waiting.targets and (round_id := claim_target(session, worker_id)) is not None:
        return TargetJob(round_id)
    if waiting.ai_turns and (round_id := claim_ai_prompt(session, worker_id)) is not None:
        return AITurnJob(round_id)
    if waiting.attempts and (jobs := claim_jobs(session, worker_id, batch_size, live_first=live_first)):
        return AttemptBatch(jobs)
    return None


def requeue_abandoned(session: Session, *, lease: timedelta | None, now: datetime | None = None) -> int:
    """Queue again the jobs of workers that stopped heartbeating (every running job when
    `lease` is None: only for tools that know no worker is alive)."""
    now = now or utcnow()
    job_filter = [Submission.status == AttemptStatus.RUNNING]
    target_filter = [Round.target_status == TargetStatus.GENERATING]
    ai_filter = [Round.ai_status == AIStatus.WRITING]
    if lease is not None:
        alive = select(WorkerStatus.id).where(WorkerStatus.heartbeat_at > now - lease)
        job_filter.append(Submission.worker_id.not_in(alive))
        target_filter.append(Round.target_worker_id.not_in(alive))
        ai_filter.append(Round.ai_worker_id.not_in(alive))
    requeued = _queue_again(session, job_filter)
    targets = session.execute(
        update(Round)
        .where(*target_filter)
        .values(target_status=TargetStatus.PENDING, target_worker_id=None)
        .returning(Round.id)
    ).all()
    turns = session.execute(
        update(Round).where(*ai_filter).values(ai_status=AIStatus.PENDING, ai_worker_id=None).returning(Round.id)
    ).all()
    note_changes(session, round_ids={r.id for r in [*targets, *turns]}, shared=True)
    return requeued


def release_jobs(
    session: Session, worker_id: str, *, keep: set[int] | frozenset[int] = frozenset(), job_ids: list[int] | None = None
) -> int:
    """Queue again jobs this worker holds but is no longer working on: a batch whose results
    could not be stored (a full disk, a database restart), or, from the heartbeat, any job
    left `running` under this worker that is not among `keep` (the batch in hand)."""
    mine = [Submission.status == AttemptStatus.RUNNING, Submission.worker_id == worker_id]
    if job_ids is not None:
        mine.append(Submission.id.in_(job_ids))
    if keep:
        mine.append(Submission.id.not_in(keep))
    return _queue_again(session, mine)


def stamp_round(session: Session, round_id: int, engine: str, scorer: str, runtime: str) -> None:
    """The first worker to touch a round writes the engine, scorer and runtime every attempt
    will use (fairness: one way of drawing per round)."""
    round_ = required(session, Round, round_id)
    round_.engine = round_.engine or engine
    round_.scorer = round_.scorer or scorer
    round_.runtime = round_.runtime or runtime


def store_target(
    session: Session,
    round_id: int,
    *,
    png: bytes | None,
    size: tuple[int, int],
    seed: int,
    floor: float | None,
    ceiling: float | None,
) -> None:
    """A round's target is ready: its picture (None for an upload, stored already), the seed
    its attempts use and its score scale (game/scoring.py)."""
    ready = required(session, Round, round_id)
    if png is not None:
        blob = ImageBlob(data=png, width=size[0], height=size[1])
        session.add(blob)
        session.flush()
        ready.target_image_id = blob.id
    ready.seed = seed
    ready.score_floor, ready.score_ceiling = floor, ceiling
    ready.target_status, ready.target_error = TargetStatus.READY, None


def fail_target(session: Session, round_id: int, reason: str) -> None:
    """The target job ended in an error: the host sees why and can draw it again."""
    failed = required(session, Round, round_id)
    failed.target_status, failed.target_error = TargetStatus.FAILED, reason


# Stored instead of an English text: the host's page translates it (ui/locales).
ROUND_JOB_INTERRUPTED = "reason_round_job_interrupted"


def fail_abandoned_rounds(session: Session, worker_id: str, *, keep: int | None = None) -> int:
    """Fail this worker's round jobs (a target being drawn, the AI writing) that it is not
    working on: their failure could not be recorded when they ended. The host sees why and
    can start them again."""
    mine_targets = [Round.target_status == TargetStatus.GENERATING, Round.target_worker_id == worker_id]
    mine_ai = [Round.ai_status == AIStatus.WRITING, Round.ai_worker_id == worker_id]
    if keep is not None:
        mine_targets.append(Round.id != keep)
        mine_ai.append(Round.id != keep)
    targets = session.execute(
        update(Round)
        .where(*mine_targets)
        .values(target_status=TargetStatus.FAILED, target_error=ROUND_JOB_INTERRUPTED, target_worker_id=None)
        .returning(Round.id)
    ).all()
    turns = session.execute(
        update(Round)
        .where(*mine_ai)
        .values(ai_status=AIStatus.FAILED, ai_error=ROUND_JOB_INTERRUPTED, ai_worker_id=None)
        .returning(Round.id)
    ).all()
    note_changes(session, round_ids={r.id for r in [*targets, *turns]}, shared=True)
    return len(targets) + len(turns)


def _queue_again(session: Session, which: list[ColumnElement[bool]]) -> int:
    """Put the matching running jobs back in the queue; the students' pages show it."""
    jobs = session.execute(
        update(Submission)
        .where(*which)
        .values(status=AttemptStatus.QUEUED, worker_id=None, started_at=None)
        .returning(Submission.round_id, Submission.player_id)
    ).all()
    note_changes(session, round_ids={j.round_id for j in jobs}, player_ids={j.player_id for j in jobs})
    return len(jobs)


def heartbeat(session: Session, worker_id: str, note: str | None, now: datetime | None = None) -> None:
    now = now or utcnow()
    row = session.get(WorkerStatus, worker_id)
    if row is None:
        session.add(WorkerStatus(id=worker_id, started_at=now, heartbeat_at=now, note=note))
    else:
        row.heartbeat_at = now
        row.note = note


def live_workers(session: Session, lease: timedelta, now: datetime | None = None) -> list[WorkerStatus]:
    now = now or utcnow()
    return list(session.scalars(select(WorkerStatus).where(WorkerStatus.heartbeat_at > now - lease)))

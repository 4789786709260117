"""Rounds: target image, timer, close, reveal. All host-only actions check the teacher's session here (require_host)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ImageBlob, Round, Submission
from db.statuses import COUNTED_ATTEMPTS, PENDING_ATTEMPTS, GameKind, RoundStatus, TargetStatus
from db.types import utcnow
from engine.imaging import UploadRejected, encode_png, load_upload
from game.errors import InvalidInput, NotAllowed, NotFound
from game.games import require_host
from game.presets import preset_by_id
from game.text import clean_text
from game.views import ConsoleRounds, RoundView

PROMPT_MAX = 300
TARGET_SOURCES = ("prompt", "preset", "upload")


@dataclass(frozen=True)
class RoundExtras:
    """What a lesson's round adds to a round (game/lessons.py checks the values)."""

    attempts: int | None = None
    seconds: int | None = None
    question: str | None = None
    seed_kept: bool = False  # an uploaded picture: use the stored seed, search none


def effective_status(round_: Round, now: datetime) -> str:
    """The status with the timer applied: an open round whose time is up is closed; a
    homework round whose assignment has closed is revealed (to everyone)."""
    if round_.status != RoundStatus.OPEN:
        return round_.status
    game = round_.game
    if game.kind == GameKind.HOMEWORK:
        closed = game.closes_at is not None and game.closes_at <= now
        return RoundStatus.REVEALED if closed else RoundStatus.OPEN
    if round_.ends_at is not None and round_.ends_at <= now:
        return RoundStatus.CLOSED
    return round_.status


def settle(round_: Round, now: datetime) -> None:
    """Write the timer's verdict, inside a write transaction."""
    if round_.status != RoundStatus.OPEN:
        return
    status = effective_status(round_, now)
    if status == RoundStatus.CLOSED:
        round_.status = RoundStatus.CLOSED
        round_.closed_at = round_.ends_at
    elif status == RoundStatus.REVEALED:  # homework, once its assignment has closed
        round_.status = RoundStatus.REVEALED
        round_.closed_at = round_.revealed_at = round_.game.closes_at


def round_view(round_: Round, now: datetime, *, for_host: bool = False) -> RoundView:
    status = effective_status(round_, now)
    show_secret = for_host or status == RoundStatus.REVEALED
    return RoundView(
        id=round_.id,
        game_id=round_.game_id,
        number=round_.number,
        status=status,
        target_source=round_.target_source,
        target_status=round_.target_status,
        target_error=round_.target_error,
        target_image_id=round_.target_image_id,
        seed=round_.seed,
        image_size=round_.image_size,
        engine=round_.engine,
        started_at=round_.started_at,
        ends_at=round_.ends_at,
        secret_prompt=round_.secret_prompt if show_secret else None,
        ai_status=round_.ai_status,
        ai_error=round_.ai_error if for_host else None,
        score_floor=round_.score_floor,
        score_ceiling=round_.score_ceiling,
        attempts_allowed=attempts_allowed(round_),
        question=round_.question if show_secret else None,
    )


def attempts_allowed(round_: Round) -> int:
    """A lesson's round may give its own number of attempts; else the game's."""
    return round_.attempts or round_.game.attempts_per_round


def attempts_used(session: Session, round_id: int, player_id: int) -> int:
    """The player's attempts that count in this round (queued, drawing, scored or flagged)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(
                Submission.round_id == round_id,
                Submission.player_id == player_id,
                Submission.status.in_(COUNTED_ATTEMPTS),
            )
        )
        or 0
    )


def has_pending_attempt(session: Session, round_id: int, player_id: int) -> bool:
    """Whether an attempt of the player's in this round waits for a worker or is being drawn."""
    pending = select(Submission.id).where(
        Submission.round_id == round_id,
        Submission.player_id == player_id,
        Submission.status.in_(PENDING_ATTEMPTS),
    )
    return session.scalar(pending.limit(1)) is not None


def round_seconds(round_: Round) -> int:
    """A lesson's round may give its own minutes; else the game's."""
    return round_.seconds or round_.game.round_seconds


def clean_prompt(raw: str, empty_key: str = "prompt_empty") -> str:
    prompt = clean_text(raw)
    if not prompt:
        raise InvalidInput(empty_key)
    if len(prompt) > PROMPT_MAX:
        raise InvalidInput("prompt_too_long", maximum=PROMPT_MAX, length=len(prompt))
    return prompt


def checked_upload(data: bytes, size: int) -> Image.Image:
    """An uploaded target through the upload rules (format, size, pixels, a whole file):
    a damaged or truncated file is the rule's own message, never a storage failure."""
    try:
        return load_upload(data, size)
    except UploadRejected as rejected:
        raise InvalidInput(rejected.reason) from None


def upload_preview(data: bytes, size: int) -> bytes:
    """What the console shows of an upload before the round exists: the picture as the round
    will have it (squared), decoded only by the upload rules."""
    return encode_png(checked_upload(data, size))


def create_round(
    session: Session,
    code: str,
    credential: str | None,
    *,
    source: str,
    secret_prompt: str | None = None,
    preset_id: str | None = None,
    upload: bytes | None = None,
    seed: int | None = None,
    extras: RoundExtras | None = None,
    now: datetime | None = None,
) -> RoundView:
    """A round prepared ahead (draft); the worker draws its target. `extras`: what a lesson's
    round may add (its own attempts and minutes, a question, its uploaded picture's seed)."""
    now = now or utcnow()
    extras = extras or RoundExtras()
    game = require_host(session, code, credential, lock=True)  # round numbers, one at a time
    if source not in TARGET_SOURCES:
        raise InvalidInput("bad_target_source", source=source)
    target_image_id = None
    if source == "prompt":
        secret_prompt = clean_prompt(secret_prompt or "", "target_prompt_empty")
    elif source == "preset":
        preset = preset_by_id(preset_id or "")
        if preset is None:
            raise InvalidInput("preset_unknown", preset=preset_id)
        secret_prompt = preset.prompt
    else:
        image = checked_upload(upload or b"", game.image_size)
        blob = ImageBlob(data=encode_png(image), width=image.width, height=image.height)
        session.add(blob)
        session.flush()
        target_image_id = blob.id
        secret_prompt = None
    number = (session.scalar(select(func.max(Round.number)).where(Round.game_id == game.id)) or 0) + 1
    round_ = Round(
        game_id=game.id,
        number=number,
        status=RoundStatus.DRAFT,
        target_source=source,
        secret_prompt=secret_prompt,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        image_size=game.image_size,
        # The worker draws the target with the round's seed (or, for an uploaded photo, chooses
        # the seed) and measures the round's score scale (game/scoring.py) before it is ready.
        target_status=TargetStatus.PENDING,
        target_image_id=target_image_id,
        created_at=now,
        attempts=extras.attempts,
        seconds=extras.seconds,
        question=extras.question,
        seed_kept=extras.seed_kept and source == "upload" and seed is not None,
    )
    session.add(round_)
    session.flush()
    return round_view(round_, now, for_host=True)


def host_round(session: Session, code: str, credential: str | None, round_id: int) -> Round:
    # The game's row is locked: two rounds started at once cannot both see no open round.
    game = require_host(session, code, credential, lock=True)
    round_ = session.get(Round, round_id, with_for_update=True)
    if round_ is None or round_.game_id != game.id:
        raise NotFound("round_not_found")
    return round_


def _started_host_round(session: Session, code: str, credential: str | None, round_id: int, now: datetime) -> Round:
    """A round the host has started, with the timer's verdict written."""
    round_ = host_round(session, code, credential, round_id)
    settle(round_, now)
    if round_.status == RoundStatus.DRAFT:
        raise NotAllowed("round_not_started")
    return round_


def start_round(
    session: Session, code: str, credential: str | None, round_id: int, now: datetime | None = None
) -> RoundView:
    now = now or utcnow()
    round_ = host_round(session, code, credential, round_id)
    settle(round_, now)
    if round_.status != RoundStatus.DRAFT:
        raise NotAllowed("round_already_started")
    if round_.target_status != TargetStatus.READY:
        raise NotAllowed("target_not_ready")
    open_rounds = select(Round).where(Round.game_id == round_.game_id, Round.status == RoundStatus.OPEN)
    for other in session.scalars(open_rounds):
        settle(other, now)
        if other.status == RoundStatus.OPEN:
            raise NotAllowed("another_round_open", number=other.number)
    round_.status = RoundStatus.OPEN
    round_.started_at = now
    round_.ends_at = now + timedelta(seconds=round_seconds(round_))
    return round_view(round_, now, for_host=True)


def close_round(
    session: Session, code: str, credential: str | None, round_id: int, now: datetime | None = None
) -> RoundView:
    now = now or utcnow()
    round_ = _started_host_round(session, code, credential, round_id, now)
    if round_.status == RoundStatus.OPEN or (
        round_.status == RoundStatus.CLOSED and round_.closed_at == round_.ends_at
    ):
        # Also after the timer: students with extra time stop now too.
        round_.status = RoundStatus.CLOSED
        round_.closed_at = now
    return round_view(round_, now, for_host=True)


ADD_TIME_SECONDS = 60
EXTRA_TIME_CHOICES = (0, 25, 50, 100)  # percent of a round's time


def player_deadline(round_: Round | RoundView, extra_time_percent: int) -> datetime | None:
    """A student's own deadline in a timed round: the class's, or later by their extra time."""
    if round_.ends_at is None or round_.started_at is None:
        return round_.ends_at
    return round_.ends_at + (round_.ends_at - round_.started_at) * extra_time_percent / 100


def open_for_player(round_: Round, extra_time_percent: int, now: datetime) -> bool:
    """Whether this student may still play the round: it is open, or its timer has run out
    for the class but not yet for them (the host's Close and Reveal end it for everyone)."""
    status = effective_status(round_, now)
    if status == RoundStatus.OPEN:
        return True
    by_timer = status == RoundStatus.CLOSED and (
        round_.status == RoundStatus.OPEN or round_.closed_at == round_.ends_at
    )
    deadline = player_deadline(round_, extra_time_percent)
    return by_timer and extra_time_percent > 0 and deadline is not None and now < deadline


def add_time(
    session: Session,
    code: str,
    credential: str | None,
    round_id: int,
    seconds: int = ADD_TIME_SECONDS,
    now: datetime | None = None,
) -> RoundView:
    """More time for the open round (WCAG 2.2.1, timing adjustable): every player's deadline
    moves; the pages' countdowns follow at once."""
    now = now or utcnow()
    round_ = _started_host_round(session, code, credential, round_id, now)
    if round_.status != RoundStatus.OPEN:
        raise NotAllowed("time_only_for_open_round")
    if round_.ends_at is not None:
        round_.ends_at = max(round_.ends_at, now) + timedelta(seconds=seconds)
    return round_view(round_, now, for_host=True)


def remove_timer(
    session: Session, code: str, credential: str | None, round_id: int, now: datetime | None = None
) -> RoundView:
    """The open round has no deadline any more: it stays open until the host closes it."""
    now = now or utcnow()
    round_ = _started_host_round(session, code, credential, round_id, now)
    if round_.status != RoundStatus.OPEN:
        raise NotAllowed("time_only_for_open_round")
    round_.ends_at = None
    return round_view(round_, now, for_host=True)


def reveal_round(
    session: Session, code: str, credential: str | None, round_id: int, now: datetime | None = None
) -> RoundView:
    """Reveal ends the round if it is still open: the secret is out, so no more attempts."""
    now = now or utcnow()
    round_ = _started_host_round(session, code, credential, round_id, now)
    if round_.status == RoundStatus.OPEN:
        round_.closed_at = now
    round_.status = RoundStatus.REVEALED
    round_.revealed_at = round_.revealed_at or now
    return round_view(round_, now, for_host=True)


def retry_target(
    session: Session, code: str, credential: str | None, round_id: int, now: datetime | None = None
) -> RoundView:
    """Draw a failed target again (the model was missing, the disk was full…)."""
    now = now or utcnow()
    round_ = host_round(session, code, credential, round_id)
    if round_.target_status != TargetStatus.FAILED:
        raise NotAllowed("target_not_failed")
    round_.target_status, round_.target_error, round_.target_worker_id = TargetStatus.PENDING, None, None
    return round_view(round_, now, for_host=True)


def host_rounds(session: Session, code: str, credential: str | None, now: datetime | None = None) -> list[RoundView]:
    now = now or utcnow()
    game = require_host(session, code, credential)
    rounds = session.scalars(select(Round).where(Round.game_id == game.id).order_by(Round.number))
    return [round_view(r, now, for_host=True) for r in rounds]


def console_rounds(session: Session, code: str, credential: str | None, now: datetime | None = None) -> ConsoleRounds:
    """The current round (latest started) and the rounds prepared ahead, for the host."""
    rounds = host_rounds(session, code, credential, now)
    started = [r for r in rounds if r.status != RoundStatus.DRAFT]
    prepared = [r for r in rounds if r.status == RoundStatus.DRAFT]
    return ConsoleRounds(current=started[-1] if started else None, prepared=prepared)


def current_round(session: Session, game_id: int, now: datetime | None = None) -> RoundView | None:
    """The round players and the projector see: the latest one the host has started."""
    now = now or utcnow()
    round_ = session.scalar(
        select(Round)
        .where(Round.game_id == game_id, Round.status != RoundStatus.DRAFT)
        .order_by(Round.number.desc())
        .limit(1)
    )
    return round_view(round_, now) if round_ is not None else None

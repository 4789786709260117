"""Homework: a lesson each student plays alone, at their own pace, until the assignment closes.

An assignment is a game of kind "homework" made from a lesson: every round is prepared from
the lesson (same seeds, so the same targets and scoring as live) and open from the start;
there is no teacher at a console and no shared clock. Each student has their own place in it
(`player_rounds`): the round they opened (its clock runs from then, when the lesson gives
the round minutes), and when they finished it (their attempts used, their time up, or *I'm
done with this round*). A finished round shows that student its secret prompt, and them only;
then they open the next. When the assignment closes (its end date, or the teacher closes it
early), every round is revealed to everyone: the class's standings and gallery, the results
and exports, exactly as for a live game.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Game, Player, PlayerRound, Round, Submission
from db.session import required
from db.statuses import AttemptStatus, GameKind, RoundStatus, TargetStatus
from db.types import utcnow
from game.errors import InvalidInput, NotAllowed
from game.games import GameSettings, game_view, load_game, load_player, require_host
from game.lessons import start_lesson
from game.rounds import attempts_allowed, attempts_used, has_pending_attempt, round_view, settle
from game.views import GameView, HomeworkRoundResult, HomeworkRow, HomeworkView, RoundView

DAYS_MAX = 60  # an assignment stays open at most this long at a time (it can be extended)


def is_homework(game: Game) -> bool:
    return game.kind == GameKind.HOMEWORK


def is_closed(game: Game, now: datetime) -> bool:
    return game.closes_at is not None and game.closes_at <= now


def _deadline(now: datetime, days: int | None, closes_at: datetime | None) -> datetime:
    if closes_at is None:
        if days is None or not 1 <= days <= DAYS_MAX:
            raise InvalidInput("assignment_days_range", maximum=DAYS_MAX)
        return now + timedelta(days=days)
    if closes_at <= now:
        raise InvalidInput("assignment_end_past")
    if closes_at > now + timedelta(days=DAYS_MAX):
        raise InvalidInput("assignment_days_range", maximum=DAYS_MAX)
    return closes_at


def assign_lesson(
    session: Session,
    credential: str | None,
    lesson_id: int,
    settings: GameSettings,
    *,
    days: int | None = None,
    closes_at: datetime | None = None,
    class_id: int | None = None,
    now: datetime | None = None,
) -> GameView:
    """An assignment made from the lesson, open `days` days (or until `closes_at`), with its
    own join code. Its rounds are the lesson's (targets drawn ahead by the worker), all open
    at once: each student goes through them in order."""
    now = now or utcnow()
    deadline = _deadline(now, days, closes_at)
    made = start_lesson(session, credential, lesson_id, settings, class_id=class_id, now=now)
    game = required(session, Game, made.id)
    game.kind, game.closes_at = GameKind.HOMEWORK, deadline
    for round_ in _rounds(session, game):
        round_.status, round_.started_at, round_.ends_at = RoundStatus.OPEN, now, None
    session.flush()
    return game_view(game)


def _rounds(session: Session, game: Game) -> list[Round]:
    return list(session.scalars(select(Round).where(Round.game_id == game.id).order_by(Round.number)))


def _host_homework(session: Session, code: str, credential: str | None) -> Game:
    game = require_host(session, code, credential, lock=True)
    if not is_homework(game):
        raise NotAllowed("not_homework")
    return game


def close_assignment(session: Session, code: str, credential: str | None, now: datetime | None = None) -> GameView:
    """Close it now: no more attempts; every round is revealed to everyone."""
    now = now or utcnow()
    game = _host_homework(session, code, credential)
    if not is_closed(game, now):
        game.closes_at = now
    for round_ in _rounds(session, game):
        settle(round_, now)
    return game_view(game)


def extend_assignment(
    session: Session, code: str, credential: str | None, days: int, now: datetime | None = None
) -> GameView:
    """Keep it open `days` more days. Only while it is open: once it closed, every secret was
    shown to every student, and an attempt typed from the shown secret would score 100, so a
    closed assignment stays closed (a new assignment of the lesson plays it again)."""
    now = now or utcnow()
    game = _host_homework(session, code, credential)
    if is_closed(game, now):
        raise NotAllowed("assignment_closed_no_extend")
    if not 1 <= days <= DAYS_MAX:
        raise InvalidInput("assignment_days_range", maximum=DAYS_MAX)
    start = game.closes_at if game.closes_at is not None and game.closes_at > now else now
    game.closes_at = start + timedelta(days=days)
    return game_view(game)


# -- a student's place in it -------------------------------------------------------------------
def _player_rounds(session: Session, player_id: int) -> dict[int, PlayerRound]:
    rows = session.scalars(select(PlayerRound).where(PlayerRound.player_id == player_id))
    return {row.round_id: row for row in rows}


def _current(rounds: list[Round], opened: dict[int, PlayerRound]) -> Round:
    """The round the student is on: the last one they opened (round 1 before any)."""
    return max((r for r in rounds if r.id in opened), key=lambda r: r.number, default=rounds[0])


def round_done(session: Session, round_: Round, player: Player, place: PlayerRound | None, now: datetime) -> bool:
    """Finished for this student: they said so, or their attempts are used, or their time
    is up (an attempt still being drawn finishes first)."""
    if place is None:
        return False
    if place.finished_at is not None:
        return True
    if has_pending_attempt(session, round_.id, player.id):
        return False
    if place.ends_at is not None and place.ends_at <= now:
        return True
    return attempts_used(session, round_.id, player.id) >= attempts_allowed(round_)


def playing_round(session: Session, game: Game, player: Player, now: datetime) -> Round:
    """The round a student's attempt goes to, if they may submit now (the rules of
    game.submissions.submit_prompt for homework)."""
    rounds = _rounds(session, game)
    if is_closed(game, now):
        raise NotAllowed("assignment_closed")
    opened = _player_rounds(session, player.id)
    round_ = _current(rounds, opened)
    place = opened.get(round_.id)
    if place is None:
        raise NotAllowed("homework_round_not_opened")
    if place.finished_at is not None or (place.ends_at is not None and place.ends_at <= now):
        raise NotAllowed("homework_round_finished")
    if round_.target_status != TargetStatus.READY:
        raise NotAllowed("homework_target_not_ready")
    return round_


def _open(session: Session, round_: Round, player: Player, now: datetime) -> None:
    ends_at = now + timedelta(seconds=round_.seconds) if round_.seconds else None
    try:
        with session.begin_nested():  # opened twice at once (two tabs): the first one counts
            session.add(PlayerRound(player_id=player.id, round_id=round_.id, opened_at=now, ends_at=ends_at))
            session.flush()
    except IntegrityError:
        pass


def _student(session: Session, code: str, token: str | None) -> tuple[Game, Player]:
    game = load_game(session, code, lock=True)
    if not is_homework(game):
        raise NotAllowed("not_homework")
    player = load_player(session, game, token)
    if player.kicked_at is not None:
        raise NotAllowed("player_kicked")
    return game, player


def open_round(session: Session, code: str, token: str | None, now: datetime | None = None) -> None:
    """The student opens the round they are on (round 1 when they arrive): its clock starts
    now. Nothing when it is open already."""
    now = now or utcnow()
    game, player = _student(session, code, token)
    if is_closed(game, now):
        raise NotAllowed("assignment_closed")
    rounds = _rounds(session, game)
    opened = _player_rounds(session, player.id)
    round_ = _current(rounds, opened)
    if round_.id not in opened:
        _open(session, round_, player, now)


def finish_round(session: Session, code: str, token: str | None, now: datetime | None = None) -> None:
    """*I'm done with this round*: its secret is shown to this student, who may go on."""
    now = now or utcnow()
    game, player = _student(session, code, token)
    opened = _player_rounds(session, player.id)
    place = opened.get(_current(_rounds(session, game), opened).id)
    if place is None:
        raise NotAllowed("homework_round_not_opened")
    if has_pending_attempt(session, place.round_id, player.id):
        raise NotAllowed("attempt_in_progress")
    if place.finished_at is None:
        place.finished_at = now


def next_round(session: Session, code: str, token: str | None, now: datetime | None = None) -> int:
    """On to the next round, once this one is done; its number."""
    now = now or utcnow()
    game, player = _student(session, code, token)
    if is_closed(game, now):
        raise NotAllowed("assignment_closed")
    rounds = _rounds(session, game)
    opened = _player_rounds(session, player.id)
    current = _current(rounds, opened)
    if not round_done(session, current, player, opened.get(current.id), now):
        raise NotAllowed("homework_round_not_done")
    later = [r for r in rounds if r.number > current.number]
    if not later:
        raise NotAllowed("homework_no_more_rounds")
    place = opened[current.id]
    place.finished_at = place.finished_at or now
    _open(session, later[0], player, now)
    return later[0].number


def _best_scores(session: Session, player_ids: list[int], round_ids: list[int]) -> dict[tuple[int, int], float]:
    rows = session.execute(
        select(Submission.player_id, Submission.round_id, func.max(Submission.score))
        .where(
            Submission.player_id.in_(player_ids),
            Submission.round_id.in_(round_ids),
            Submission.status == AttemptStatus.DONE,
            Submission.hidden.is_(False),
        )
        .group_by(Submission.player_id, Submission.round_id)
    ).all()
    return {(player_id, round_id): best for player_id, round_id, best in rows if best is not None}


def student_round(session: Session, game: Game, player: Player, now: datetime) -> tuple[RoundView, HomeworkView]:
    """The student's current round as they see it (open, or revealed to them once they are
    done with it, with their own clock) and where they are in the assignment."""
    rounds = _rounds(session, game)
    opened = _player_rounds(session, player.id)
    current = _current(rounds, opened)
    closed = is_closed(game, now)
    place = opened.get(current.id)
    done = closed or round_done(session, current, player, place, now)
    later = [r for r in rounds if r.number > current.number]
    best = _best_scores(session, [player.id], [r.id for r in rounds])
    results = []
    for r in rounds:
        finished = closed or (r.number < current.number and r.id in opened) or (r.id == current.id and done)
        results.append(
            HomeworkRoundResult(
                r.id, r.number, finished, best.get((player.id, r.id)), r.secret_prompt if finished else None
            )
        )
    base = round_view(current, now, for_host=done)  # the secret once they are done with it
    view = RoundView(
        **{
            **base.__dict__,
            "status": RoundStatus.REVEALED if done else (RoundStatus.OPEN if place is not None else RoundStatus.DRAFT),
            "started_at": place.opened_at if place else None,
            "ends_at": place.ends_at if place else None,
            "ai_error": None,
        }
    )
    progress = HomeworkView(
        closes_at=game.closes_at,
        closed=closed,
        round_count=len(rounds),
        opened=place is not None,
        finished=done,
        next_number=later[0].number if later and not closed else None,
        rounds=results,
    )
    return view, progress


def homework_progress(
    session: Session, code: str, credential: str | None, now: datetime | None = None
) -> list[HomeworkRow]:
    """Each student's progress, for the assignment's console: the round they are on, whether
    they have finished every round, and their best score in each."""
    now = now or utcnow()
    game = require_host(session, code, credential)
    if not is_homework(game):
        raise NotAllowed("not_homework")
    rounds = _rounds(session, game)
    players = list(
        session.scalars(
            select(Player)
            .where(Player.game_id == game.id, Player.is_ai.is_(False), Player.kicked_at.is_(None))
            .order_by(Player.nickname)
        )
    )
    best = _best_scores(session, [p.id for p in players], [r.id for r in rounds])
    number_of = {r.id: r.number for r in rounds}
    rows = []
    for player in players:
        opened = _player_rounds(session, player.id)
        reached = max((number_of[rid] for rid in opened if rid in number_of), default=0)
        current = next((r for r in rounds if r.number == reached), None)
        done = current is not None and current.number == len(rounds)
        done = done and round_done(session, current, player, opened.get(current.id), now) if current else False
        rows.append(
            HomeworkRow(player.id, player.nickname, reached, done, [best.get((player.id, r.id)) for r in rounds])
        )
    return rows

"""Plain dataclasses that game/ hands to pages: no ORM objects leak out of a session.

A view for a student never carries the secret prompt before the reveal; the pages cannot leak
what they were never given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GameView:
    id: int
    code: str
    title: str
    engine: str
    scorer: str
    attempts_per_round: int
    round_seconds: int
    image_size: int
    created_at: datetime
    kind: str = "live"  # live | homework (db.statuses.GameKind)
    closes_at: datetime | None = None  # homework: open until then


@dataclass(frozen=True)
class TeacherView:
    id: int
    name: str
    email: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime
    has_password: bool


@dataclass(frozen=True)
class MyGameRow:
    """A line of My games: what the teacher needs to find a game again."""

    code: str
    title: str
    created_at: datetime
    players: int
    state: str  # lobby | open | closed | revealed (of the latest started round) | homework | homework_closed
    round_number: int | None
    closes_at: datetime | None = None  # homework
    deleted_on: datetime | None = None  # when retention deletes it (game/retention.py)


@dataclass(frozen=True)
class PlayerView:
    id: int
    game_id: int
    nickname: str


@dataclass(frozen=True)
class RoundView:
    id: int
    game_id: int
    number: int
    status: str  # draft | open | closed | revealed (timer already applied)
    target_source: str
    target_status: str
    target_error: str | None
    target_image_id: int | None
    seed: int
    image_size: int
    engine: str | None
    started_at: datetime | None
    ends_at: datetime | None
    # None unless the round is revealed or the viewer is the host.
    secret_prompt: str | None
    # The AI opponent: None (not added), pending, writing, done, failed (with ai_error).
    ai_status: str | None = None
    ai_error: str | None = None
    # The round's score scale in raw similarity (game/scoring.py), once the target is ready.
    score_floor: float | None = None
    score_ceiling: float | None = None
    # Attempts each player has in this round (the round's own, else the game's), and the
    # lesson's question for the class after the reveal (shown once revealed, or to the host).
    attempts_allowed: int = 3
    question: str | None = None


@dataclass(frozen=True)
class ConsoleRounds:
    """The rounds as the host's console shows them."""

    # The round the class plays or last played: the latest one started. Start, Close, Reveal
    # and the AI act on it; preparing another round never takes its place.
    current: RoundView | None
    # Rounds created and not yet started (the teacher prepares the next picture), oldest first.
    prepared: list[RoundView]


@dataclass(frozen=True)
class WordEffect:
    word: str
    # helped | hurt | neutral (CLIP: leave-one-word-out), understood | ignored | filler (sketch)
    effect: str
    value: float | None = None  # CLIP: how much the word moved the prompt toward the target


@dataclass(frozen=True)
class Hint:
    key: str  # an i18n key: hint_colour, hint_shape, hint_subject, hint_more_words
    params: dict[str, str]


@dataclass(frozen=True)
class Feedback:
    kind: str  # clip | sketch
    words: list[WordEffect]
    hint: Hint | None  # None when the host turned hints off, or there is nothing to say


@dataclass(frozen=True)
class SubmissionView:
    id: int
    round_id: int
    player_id: int
    attempt_no: int
    prompt: str
    status: str
    score: float | None
    error: str | None
    image_id: int | None
    created_at: datetime
    finished_at: datetime | None
    queue_position: int | None  # 1 = next to be generated; None unless queued
    feedback: Feedback | None = None
    # Similarity of the prompt to the secret prompt: None until the reveal (it would leak it).
    prompt_similarity: float | None = None
    engine_prompt: str | None = None  # what the engine drew, when not the prompt (translation)


@dataclass(frozen=True)
class PlayerRoundState:
    """Everything a student's page shows for the current round."""

    game: GameView
    player: PlayerView
    round: RoundView | None
    attempts_used: int
    attempts_left: int
    submissions: list[SubmissionView]
    attempts_allowed: int = 3  # in this round (a lesson's round may give its own)
    homework: HomeworkView | None = None  # a homework game: where the student is in it


@dataclass(frozen=True)
class RoundRow:
    rank: int
    player_id: int
    nickname: str
    best_score: float | None
    attempts_used: int
    is_ai: bool = False


@dataclass(frozen=True)
class GameRow:
    rank: int
    player_id: int
    nickname: str
    total_score: float
    rounds_scored: int
    is_ai: bool = False


@dataclass(frozen=True)
class GalleryItem:
    nickname: str
    prompt: str
    score: float
    image_id: int
    attempt_no: int
    is_ai: bool = False
    prompt_similarity: float | None = None
    rank: int = 1  # shared by equal scores, as on the leaderboards
    raw_score: float | None = None  # the raw similarity under the match score


@dataclass(frozen=True)
class RevealView:
    """The reveal, side by side: target and secret prompt, the best student, the AI."""

    round_number: int
    target_image_id: int | None
    secret_prompt: str | None
    best_student: GalleryItem | None
    ai: GalleryItem | None


@dataclass(frozen=True)
class ModeratedPlayer:
    id: int
    nickname: str
    kicked: bool
    extra_time_percent: int = 0


@dataclass(frozen=True)
class ModeratedAttempt:
    id: int
    round_number: int
    nickname: str
    prompt: str
    status: str
    score: float | None
    hidden: bool
    image_id: int | None


@dataclass(frozen=True)
class ModerationView:
    players: list[ModeratedPlayer]
    attempts: list[ModeratedAttempt]
    blocked_words: str
    joining_locked: bool = False
    player_cap: int = 60


@dataclass(frozen=True)
class LessonRoundView:
    id: int
    position: int  # 1, 2, ... in playing order
    source: str  # prompt | preset | upload
    secret_prompt: str | None  # a preset's prompt too; None for a picture
    preset_id: str | None
    image_id: int | None
    seed: int
    attempts: int | None  # None: the game's
    seconds: int | None  # None: the game's
    question: str | None


@dataclass(frozen=True)
class LessonView:
    id: int
    title: str
    language: str
    note: str
    shared: bool
    owner_name: str | None  # None: a starter lesson
    mine: bool  # the viewer may change it (others start it, or copy it to change)
    rounds: list[LessonRoundView]


@dataclass(frozen=True)
class ClassStudentView:
    id: int
    name: str


@dataclass(frozen=True)
class ClassView:
    id: int
    name: str
    students: list[ClassStudentView]  # the roster, in its order; empty: students type a nickname


@dataclass(frozen=True)
class ClassGame:
    code: str
    title: str
    created_at: datetime
    rounds: int


@dataclass(frozen=True)
class StudentRound:
    """One student's record of one round the class played."""

    game_code: str
    round_number: int
    first_score: float | None
    best_score: float | None


@dataclass(frozen=True)
class StudentRecord:
    name: str
    rounds: list[StudentRound]


@dataclass(frozen=True)
class ClassRecord:
    class_: ClassView
    games: list[ClassGame]
    students: list[StudentRecord]


@dataclass(frozen=True)
class HomeworkRoundResult:
    """One round of an assignment as a student sees it in their summary."""

    round_id: int
    number: int
    finished: bool
    best_score: float | None
    secret_prompt: str | None  # once they finished the round


@dataclass(frozen=True)
class HomeworkView:
    """Where a student is in an assignment: the round shown is their current one."""

    closes_at: datetime | None
    closed: bool
    round_count: int
    opened: bool  # the current round has been opened (its clock, if any, runs)
    finished: bool  # the current round is done for them: its secret is shown
    next_number: int | None  # the next round to open, once this one is done
    rounds: list[HomeworkRoundResult]

    @property
    def all_done(self) -> bool:
        return self.finished and self.next_number is None


@dataclass(frozen=True)
class HomeworkRow:
    """A student's progress on the assignment's console."""

    player_id: int
    nickname: str
    reached: int  # the round they are on (0: not opened yet)
    done: bool  # every round finished
    best_scores: list[float | None]  # per round, in order

"""The tables, as SQLAlchemy 2.x typed models.

Images live in their own table as compressed bytes so that every web process and every worker,
on whatever machine, sees the same pictures through the database alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.statuses import AttemptStatus, RoundStatus
from db.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Teacher(Base):
    """A teacher's account (migration 0009). Students never have one."""

    __tablename__ = "teachers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    # The name folded like a nickname (case, width, lookalike letters): one account per name.
    name_key: Mapped[str] = mapped_column(String(240), unique=True)
    # argon2id (game/passwords.py); None for an account that signs in only with the school's
    # provider (OpenID Connect, by e-mail address).
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True, unique=True)
    # The server's administrator: the first teacher, and whoever they make one.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeacherSession(Base):
    """A signed-in browser (`kind` "session", whose random id is the cookie) or a one-time
    ticket the sign-in page hands its browser to exchange for that cookie (`kind` "ticket").
    Only SHA-256 hashes are stored."""

    __tablename__ = "teacher_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInFailure(Base):
    """A wrong password, by the name it was typed for, the browser it came from when that
    browser had signed in as that teacher before (the hash of its device cookie, else None),
    and the client's address (game/accounts.py, sign_in)."""

    __tablename__ = "signin_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(240), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Migration 0013.
    device_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class ServerSetting(Base):
    """The administrator's settings for this server (e.g. who may sign in with the school's
    provider), one row each."""

    __tablename__ = "server_settings"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Game(Base):
    __tablename__ = "games"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    # The host key of a game made before accounts ('' for every game since, and once claimed).
    host_token_hash: Mapped[str] = mapped_column(String(64))
    # The teacher whose game it is; None only for a game from before accounts, not yet claimed.
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    engine: Mapped[str] = mapped_column(String(20))
    scorer: Mapped[str] = mapped_column(String(20))
    attempts_per_round: Mapped[int] = mapped_column(Integer)
    round_seconds: Mapped[int] = mapped_column(Integer)
    image_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The host's own blocked words for this game, one per line, on top of the defaults.
    blocked_words: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Whether students get a hint after each attempt (the host can turn hints off).
    hints_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Moved by every committed change to the game (db/changes.py): open pages compare it and
    # rerun only when it moved. `shared_version` moves only for what every player sees
    # (rounds, the game's settings), so a student's page ignores other students' attempts.
    # Room control (migration 0006): late joiners are turned away, and at most this many play.
    joining_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    player_cap: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shared_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Migration 0010: the class it was played by (its roster is the join form's list), and the
    # lesson it was started from. Plain ids: deleting a class or a lesson keeps its games.
    class_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    lesson_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Migration 0011: "live" (the teacher runs the rounds) or "homework" (each student plays
    # alone, at their own pace, until `closes_at`).
    kind: Mapped[str] = mapped_column(String(12), default="live", server_default="live")
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Migration 0012: kept at least until then, whatever the retention (game/retention.py).
    keep_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Player(Base):
    __tablename__ = "players"
    __table_args__ = (UniqueConstraint("game_id", "nickname_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    nickname: Mapped[str] = mapped_column(String(24))
    # Case- and width-folded nickname: "Mina" and "ｍｉｎａ" are the same player name.
    nickname_key: Mapped[str] = mapped_column(String(96))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the host removes the player: their token stops working.
    kicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The AI opponent: a player no one can log in as, whose prompts the worker writes.
    is_ai: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A hash of the browser's cookie at join (migration 0006): a removed player cannot come
    # back under another name from the same browser, and one browser joins a few times at most.
    browser_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Moved when this player's own attempts or name change (db/changes.py).
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The console's let-back-in code (migration 0009): hashed, valid until it expires, used
    # once; a few wrong tries void it.
    rejoin_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rejoin_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rejoin_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The class roster's student this player is (migration 0010): the same student in every
    # game of the class, for the class's records over the term.
    student_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # More time for this student in every timed round (migration 0011; WCAG 2.2.1): 50 means
    # their deadline is half the round's time later than the class's.
    extra_time_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PlayerToken(Base):
    """More keys to the same player: one for each time they came back (same browser, or the
    console's code), so a tab still open keeps working beside the new one."""

    __tablename__ = "player_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImageBlob(Base):
    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(20), default="image/png")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class ServerSecret(Base):
    """Random values made once per database and shared by every process that uses it."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("game_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # draft -> open -> closed -> revealed
    status: Mapped[str] = mapped_column(String(12), default=RoundStatus.DRAFT)
    target_source: Mapped[str] = mapped_column(String(12))  # prompt | preset | upload
    secret_prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    seed: Mapped[int] = mapped_column(Integer)
    image_size: Mapped[int] = mapped_column(Integer)
    # Resolved by the first worker that touches the round, so that every attempt in the round
    # uses the same engine and scorer (fairness), even when the game says "auto".
    engine: Mapped[str | None] = mapped_column(String(20), nullable=True)
    scorer: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # How its pictures are computed, e.g. "openvino-bf16" or "torch-float16" (migration 0007):
    # every image of a round, the target included, goes through the same runtime and precision.
    runtime: Mapped[str | None] = mapped_column(String(24), nullable=True)
    # The match score's scale (game/scoring.py), in raw similarity, measured by the worker when
    # the target is ready (migration 0008); None on older rounds, whose score is the raw one.
    score_floor: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_ceiling: Mapped[float | None] = mapped_column(Float, nullable=True)
    # pending -> generating -> ready | failed
    target_status: Mapped[str] = mapped_column(String(12))
    target_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    target_worker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    target_image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The AI opponent, once the host adds it: pending -> writing -> done | failed. A worker
    # writes its prompt from the target image, then queues it like a student's attempt.
    ai_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    ai_worker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Why the AI's job failed, for the host (who can add the AI again).
    ai_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A lesson's round (migration 0010) may set its own attempts and minutes, and a question
    # for the class after the reveal. `seed_kept`: an uploaded picture keeps the seed the
    # lesson stored instead of searching one again, so the same round comes back.
    attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    question: Mapped[str | None] = mapped_column(Text, nullable=True)
    seed_kept: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    game: Mapped[Game] = relationship()


_QUEUED = text("status = 'queued'")
_RUNNING = text("status = 'running'")


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # The queue: small partial indexes over the few queued and running rows. An index on
        # `status` alone would also cover the many `done` rows, and SQLite, with no statistics,
        # then prefers it to the round index for leaderboards and reads every game's rows.
        Index("ix_submissions_queued", "id", sqlite_where=_QUEUED, postgresql_where=_QUEUED),
        Index("ix_submissions_running", "worker_id", sqlite_where=_RUNNING, postgresql_where=_RUNNING),
        # Leaderboards and "my attempts".
        Index("ix_submissions_round_player", "round_id", "player_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"))
    attempt_no: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[str] = mapped_column(Text)
    # queued -> running -> done | failed | blocked (image flagged);
    # refused: the prompt filter stopped it before generation (not counted as an attempt)
    status: Mapped[str] = mapped_column(String(10), default=AttemptStatus.QUEUED)
    # The match score shown (0-100 between the round's floor and ceiling, game/scoring.py) and
    # the raw similarity it comes from (the experiment's measure, e.g. CLIP cosine x 100).
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    raw_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"), nullable=True)
    worker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the engine was given when it is not the prompt itself (a Korean prompt translated).
    engine_prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JSON written with the score: each word's effect and at most one hint (engine/feedback.py).
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True)
    # How close the prompt's meaning is to the secret prompt (0-100); shown after the reveal.
    prompt_similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The worker claims lower first (migration 0011): 0 a live round's, 1 homework's, so a
    # class playing live is not slowed by homework elsewhere on the server.
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PlayerRound(Base):
    """A homework round a player opened (migration 0011): their own clock (`ends_at`, when the
    lesson gives the round minutes) and when they finished it (their attempts used, or
    *I'm done with this round*); then they see its secret and go on to the next."""

    __tablename__ = "player_rounds"
    __table_args__ = (UniqueConstraint("player_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Lesson(Base):
    """A teacher's set of rounds to play again with every class (migration 0010). No owner:
    one of the starter lessons every teacher sees."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Seen, started and copied by every teacher of the server; changed only by its owner.
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LessonRound(Base):
    """One round of a lesson: its target as data (a secret prompt, a preset or a picture) and
    its seed, so that the round drawn from it is the same round every time."""

    __tablename__ = "lesson_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(12))  # prompt | preset | upload
    secret_prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    preset_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # An uploaded picture: the lesson's own copy (a game's deletion takes the game's pictures).
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"), nullable=True)
    seed: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    question: Mapped[str | None] = mapped_column(Text, nullable=True)


class SchoolClass(Base):
    """A teacher's class (5-1, period 3), with an optional roster (migration 0010)."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClassStudent(Base):
    """A name on a class's roster: the same student in every game the class plays."""

    __tablename__ = "class_students"
    __table_args__ = (UniqueConstraint("class_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(24))
    # Folded like a nickname: "Mina" and "ｍｉｎａ" are one name on a roster.
    name_key: Mapped[str] = mapped_column(String(96))
    position: Mapped[int] = mapped_column(Integer)
    # False once taken off the roster: their past records stay with the class.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class WorkerStatus(Base):
    """One row per running worker: what engine it resolved and when it was last alive."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Human-readable notes, e.g. why "auto" fell back to the sketch engine.
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

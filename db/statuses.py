"""Every status a row can be in, one `StrEnum` each. They are `str`s, so a status read from
the database (a plain string) compares equal to its member, and a member is stored as its text.
Migrations do not import these (they freeze what they need)."""

from __future__ import annotations

from enum import StrEnum


class AttemptStatus(StrEnum):
    """A submission: queued -> running -> done | failed | blocked (the picture was flagged);
    refused: the word filter stopped it before generation (not counted as an attempt)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"
    REFUSED = "refused"


# Waiting for a worker or being drawn; and what uses up one of the student's attempts.
PENDING_ATTEMPTS = (AttemptStatus.QUEUED, AttemptStatus.RUNNING)
COUNTED_ATTEMPTS = (AttemptStatus.QUEUED, AttemptStatus.RUNNING, AttemptStatus.DONE, AttemptStatus.BLOCKED)


class GameKind(StrEnum):
    """live: the teacher runs the rounds for the class; homework: each student plays the
    rounds alone, at their own pace, until the assignment closes."""

    LIVE = "live"
    HOMEWORK = "homework"


# An attempt's place in the worker's order (submissions.priority): lower first.
LIVE_PRIORITY = 0
HOMEWORK_PRIORITY = 1


class RoundStatus(StrEnum):
    """draft -> open -> closed -> revealed (an open round past its deadline reads as closed)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REVEALED = "revealed"


class TargetStatus(StrEnum):
    """A round's target picture: pending -> generating -> ready | failed."""

    PENDING = "pending"
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"


class AIStatus(StrEnum):
    """The AI opponent of a round, once added: pending -> writing -> playing -> … -> done | failed."""

    PENDING = "pending"
    WRITING = "writing"
    PLAYING = "playing"
    DONE = "done"
    FAILED = "failed"

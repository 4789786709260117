"""Host exports: the CSVs, the report, and a ZIP of them plus every image, built on request."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImageBlob, Player, Round, Submission
from db.statuses import AttemptStatus
from game.games import require_host
from game.ranking import game_leaderboard
from game.records import RECORD_COLUMNS, learning_records, record_rows
from game.report import Label, report_html

SUBMISSION_COLUMNS = (
    "game_code",
    "game_title",
    "round",
    "player",
    "attempt",
    "prompt",
    # Two scores, named plainly: what the student saw, and the experiment's measure under it.
    "match_score_0_100",
    "raw_similarity",
    "scorer",
    "status",
    "error",
    "submitted_at",
    "finished_at",
)
# The total is the sum of each round's best match score: easy and hard rounds weigh the same.
STANDINGS_COLUMNS = ("rank", "player", "total_match_score", "rounds_scored")

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _csv(header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    # UTF-8 with BOM so spreadsheet programs read Korean nicknames correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _submission_rows(session: Session, game_id: int) -> list[tuple[Submission, Player, Round]]:
    return list(
        session.execute(
            select(Submission, Player, Round)
            .join(Player, Player.id == Submission.player_id)
            .join(Round, Round.id == Submission.round_id)
            .where(Round.game_id == game_id, Submission.hidden.is_(False))
            .order_by(Round.number, Player.nickname, Submission.attempt_no)
        ).tuples()
    )


# Failure reasons the worker stores as message keys (worker/runner.py, db/queue.py).
REASON_PREFIX = "reason_"


def reason_text(stored: str | None, label: Label | None) -> str | None:
    """A stored failure reason in the reader's language, where it is a message key."""
    if stored and label is not None and stored.startswith(REASON_PREFIX):
        return label(stored)
    return stored


def submissions_csv(session: Session, code: str, credential: str | None, label: Label | None = None) -> bytes:
    game = require_host(session, code, credential)
    rows = [
        (
            game.code,
            game.title,
            r.number,
            p.nickname,
            s.attempt_no,
            s.prompt,
            s.score,
            s.raw_score,
            r.scorer,
            s.status,
            reason_text(s.error, label),
            s.created_at,
            s.finished_at,
        )
        for s, p, r in _submission_rows(session, game.id)
    ]
    return _csv(SUBMISSION_COLUMNS, rows)


def standings_csv(session: Session, code: str, credential: str | None) -> bytes:
    game = require_host(session, code, credential)
    rows = [(row.rank, row.nickname, row.total_score, row.rounds_scored) for row in game_leaderboard(session, game.id)]
    return _csv(STANDINGS_COLUMNS, rows)


def learning_records_csv(session: Session, code: str, credential: str | None) -> bytes:
    return _csv(RECORD_COLUMNS, record_rows(learning_records(session, code, credential)))


def _file_part(text: str) -> str:
    """A name safe in any file system and ZIP tool, keeping letters of any script."""
    cleaned = re.sub(r"[^\w-]+", "_", text, flags=re.UNICODE).strip("_")
    return cleaned[:40] or "player"


# What the results page offers, by the file name in its address: (content type, file suffix).
DOWNLOADS = {
    "submissions.csv": ("text/csv; charset=utf-8", "submissions.csv"),
    "standings.csv": ("text/csv; charset=utf-8", "standings.csv"),
    "learning_records.csv": ("text/csv; charset=utf-8", "learning-records.csv"),
    "report.html": ("text/html; charset=utf-8", "report.html"),
    "results.zip": ("application/zip", "results.zip"),
}
_EXTENSIONS = {"image/png": "png", "image/webp": "webp", "image/jpeg": "jpg"}


def _documents(session: Session, code: str, credential: str | None, report_label: Label | None) -> dict[str, bytes]:
    documents = {
        "submissions.csv": submissions_csv(session, code, credential, report_label),
        "standings.csv": standings_csv(session, code, credential),
        "learning_records.csv": learning_records_csv(session, code, credential),
    }
    if report_label is not None:
        documents["report.html"] = report_html(session, code, credential, report_label).encode("utf-8")
    return documents


def document(session: Session, code: str, credential: str | None, name: str, report_label: Label) -> bytes:
    """One of the single-file downloads, built when it is asked for."""
    if name == "report.html":
        return report_html(session, code, credential, report_label).encode("utf-8")
    if name == "submissions.csv":
        return submissions_csv(session, code, credential, report_label)
    makers = {"standings.csv": standings_csv, "learning_records.csv": learning_records_csv}
    return makers[name](session, code, credential)


class _Chunks(io.RawIOBase):
    """Where the ZIP writer writes; the bytes are handed on as they come (not seekable, so
    zipfile writes each entry's sizes after its data)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _image_entries(session: Session, game_id: int) -> Iterator[tuple[str, int]]:
    """(path in the ZIP without extension, image id): each round's target, then every attempt."""
    for round_ in session.scalars(select(Round).where(Round.game_id == game_id).order_by(Round.number)):
        if round_.target_image_id is not None:
            yield f"round{round_.number:02d}/target", round_.target_image_id
    for submission, player, round_ in _submission_rows(session, game_id):
        if submission.image_id is not None and submission.status == AttemptStatus.DONE:
            name = f"round{round_.number:02d}/{_file_part(player.nickname)}-p{player.id}-attempt{submission.attempt_no}"
            yield name, submission.image_id


def zip_chunks(
    session: Session, code: str, credential: str | None, report_label: Label | None = None
) -> Iterator[bytes]:
    """The CSVs, the learning records, the report (when the caller gives its label function, in the
    UI's language) and every image, as a ZIP written piece by piece: one picture is in memory
    at a time, whatever the game's size. Pictures are stored, not deflated (they are
    compressed already)."""
    game = require_host(session, code, credential)
    documents = _documents(session, code, credential, report_label)
    entries = list(_image_entries(session, game.id))
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in documents.items():
            archive.writestr(name, data)
        yield sink.take()
        for name, image_id in entries:
            row = session.execute(select(ImageBlob.data, ImageBlob.mime).where(ImageBlob.id == image_id)).first()
            if row is None:
                continue
            extension = _EXTENSIONS.get(row.mime, "png")
            archive.writestr(f"{name}.{extension}", row.data, compress_type=zipfile.ZIP_STORED)
            yield sink.take()
    yield sink.take()


def results_zip(session: Session, code: str, credential: str | None, report_label: Label | None = None) -> bytes:
    """The whole ZIP in memory (tests and small games; the server streams `zip_chunks`)."""
    return b"".join(zip_chunks(session, code, credential, report_label))

"""Host exports: submissions CSV, standings CSV, and a ZIP with both plus every image."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImageBlob, Player, Round, Submission
from game.games import require_host
from game.ranking import game_leaderboard
from game.records import RECORD_COLUMNS, learning_records, record_rows
from game.report import report_html

SUBMISSION_COLUMNS = (
    "game_code",
    "game_title",
    "round",
    "player",
    "attempt",
    "prompt",
    "score",
    "status",
    "error",
    "submitted_at",
    "finished_at",
)
STANDINGS_COLUMNS = ("rank", "player", "total_score", "rounds_scored")

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


def _csv(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> bytes:
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


def submissions_csv(session: Session, code: str, host_token: str | None) -> bytes:
    game = require_host(session, code, host_token)
    rows = [
        (
            game.code,
            game.title,
            r.number,
            p.nickname,
            s.attempt_no,
            s.prompt,
            s.score,
            s.status,
            s.error,
            s.created_at,
            s.finished_at,
        )
        for s, p, r in _submission_rows(session, game.id)
    ]
    return _csv(SUBMISSION_COLUMNS, rows)


def standings_csv(session: Session, code: str, host_token: str | None) -> bytes:
    game = require_host(session, code, host_token)
    rows = [(row.rank, row.nickname, row.total_score, row.rounds_scored) for row in game_leaderboard(session, game.id)]
    return _csv(STANDINGS_COLUMNS, rows)


def learning_records_csv(session: Session, code: str, host_token: str | None) -> bytes:
    return _csv(RECORD_COLUMNS, record_rows(learning_records(session, code, host_token)))


def _file_part(text: str) -> str:
    """A name safe in any file system and ZIP tool, keeping letters of any script."""
    cleaned = re.sub(r"[^\w-]+", "_", text, flags=re.UNICODE).strip("_")
    return cleaned[:40] or "player"


@dataclass(frozen=True)
class ResultFiles:
    """Every download of the results page, each made once (the ZIP holds the others)."""

    submissions_csv: bytes
    standings_csv: bytes
    learning_records_csv: bytes
    report_html: str
    zip: bytes


def _documents(
    session: Session, code: str, host_token: str | None, report_labels: Mapping[str, str] | None
) -> dict[str, bytes]:
    documents = {
        "submissions.csv": submissions_csv(session, code, host_token),
        "standings.csv": standings_csv(session, code, host_token),
        "learning_records.csv": learning_records_csv(session, code, host_token),
    }
    if report_labels is not None:
        documents["report.html"] = report_html(session, code, host_token, report_labels).encode("utf-8")
    return documents


def result_files(session: Session, code: str, host_token: str | None, report_labels: Mapping[str, str]) -> ResultFiles:
    documents = _documents(session, code, host_token, report_labels)
    return ResultFiles(
        submissions_csv=documents["submissions.csv"],
        standings_csv=documents["standings.csv"],
        learning_records_csv=documents["learning_records.csv"],
        report_html=documents["report.html"].decode("utf-8"),
        zip=_zip(session, require_host(session, code, host_token).id, documents),
    )


def results_zip(
    session: Session, code: str, host_token: str | None, report_labels: Mapping[str, str] | None = None
) -> bytes:
    """Both CSVs, the learning records, every image, and the HTML report when the caller
    gives its labels (the UI's language)."""
    game = require_host(session, code, host_token)
    return _zip(session, game.id, _documents(session, code, host_token, report_labels))


def _zip(session: Session, game_id: int, documents: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in documents.items():
            archive.writestr(name, data)
        rounds = session.scalars(select(Round).where(Round.game_id == game_id).order_by(Round.number))
        for round_ in rounds:
            if round_.target_image_id is not None:
                blob = session.get(ImageBlob, round_.target_image_id)
                if blob is not None:
                    archive.writestr(f"round{round_.number:02d}/target.png", blob.data)
        for submission, player, round_ in _submission_rows(session, game_id):
            if submission.image_id is None or submission.status != "done":
                continue
            blob = session.get(ImageBlob, submission.image_id)
            if blob is None:
                continue
            name = (
                f"round{round_.number:02d}/{_file_part(player.nickname)}-p{player.id}"
                f"-attempt{submission.attempt_no}.png"
            )
            archive.writestr(name, blob.data)
    return buffer.getvalue()

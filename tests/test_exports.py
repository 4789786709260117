"""What the host downloads: submissions CSV, standings CSV, and the ZIP."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from helpers import Classroom, drain
from PIL import Image

from game.errors import NotAllowed
from game.exports import results_zip, standings_csv, submissions_csv, zip_chunks
from game.submissions import submit_prompt


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def played(db, worker) -> Classroom:
    classroom = Classroom(db)
    classroom.round(worker, prompt="a big red circle on a blue background")
    for nickname, prompt in (("Mina", "red circle on blue"), ("지우", '=HYPERLINK("http://x")')):
        token = classroom.join(nickname)
        with db.write() as s:
            submit_prompt(s, classroom.code, token, prompt)
    drain(worker)
    return classroom


def test_submissions_csv_holds_every_attempt(db, played: Classroom) -> None:
    with db.read() as s:
        data = rows(submissions_csv(s, played.code, played.host))
    assert [r["player"] for r in data] == ["Mina", "지우"]
    assert set(data[0]) >= {
        "game_code",
        "round",
        "player",
        "attempt",
        "prompt",
        "match_score_0_100",
        "raw_similarity",
        "scorer",
        "status",
        "submitted_at",
        "finished_at",
    }
    assert data[0]["prompt"] == "red circle on blue" and data[0]["status"] == "done"
    assert 0 < float(data[0]["match_score_0_100"]) <= 100 and 0 < float(data[0]["raw_similarity"]) <= 100
    assert data[0]["scorer"] == "layout"  # the sketch engine's default


def test_csv_cells_cannot_run_as_spreadsheet_formulas(db, played: Classroom) -> None:
    with db.read() as s:
        data = rows(submissions_csv(s, played.code, played.host))
    assert data[1]["prompt"].startswith("'=HYPERLINK")


def test_standings_csv_is_ranked(db, played: Classroom) -> None:
    with db.read() as s:
        data = rows(standings_csv(s, played.code, played.host))
    assert [r["rank"] for r in data] == ["1", "2"]
    assert float(data[0]["total_match_score"]) >= float(data[1]["total_match_score"])


def test_zip_holds_both_csvs_the_target_and_every_image(db, played: Classroom) -> None:
    with db.read() as s:
        archive = zipfile.ZipFile(io.BytesIO(results_zip(s, played.code, played.host)))
    names = set(archive.namelist())
    assert {"submissions.csv", "standings.csv", "round01/target.png"} <= names
    images = sorted(n for n in names if "attempt" in n)
    assert len(images) == 2
    # Attempts are kept as WebP (compact), the target as lossless PNG; both open as pictures.
    assert any(n.startswith("round01/Mina-") and n.endswith("-attempt1.webp") for n in images)
    assert Image.open(io.BytesIO(archive.read(images[0]))).format == "WEBP"
    assert Image.open(io.BytesIO(archive.read("round01/target.png"))).size == (256, 256)


def test_the_zip_is_written_a_picture_at_a_time(db, played: Classroom) -> None:
    """The server streams the ZIP: each picture leaves as its own piece, so memory holds
    one picture at a time however large the game is."""
    with db.read() as s:
        pieces = list(zip_chunks(s, played.code, played.host))
    assert len([p for p in pieces if p]) >= 1 + 3  # the documents, then the target and two attempts
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.testzip() is None


def test_exports_are_host_only(db, played: Classroom) -> None:
    for export in (submissions_csv, standings_csv, results_zip):
        with pytest.raises(NotAllowed), db.read() as s:
            export(s, played.code, "not-the-host")

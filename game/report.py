"""A one-page printable HTML report of a game, images embedded, for the class wall or a
parent evening. Labels come from the UI's string table (the caller passes them), so the
report is in the host's language; every piece of user text is escaped."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImageBlob
from game.games import require_host
from game.ranking import game_leaderboard, reveal_summary, round_leaderboard
from game.records import LearningRecord, learning_records
from game.rounds import host_rounds
from game.views import GalleryItem

# The labels the report needs; ui/i18n.py has them in every language.
REPORT_KEYS = (
    "report_title",
    "report_generated",
    "game_leaderboard",
    "round_header",
    "target_caption",
    "reveal_secret",
    "reveal_best_student",
    "reveal_ai",
    "image_score",
    "prompt_similarity",
    "uploaded_target",
    "col_rank",
    "col_player",
    "col_best",
    "col_total",
    "col_attempts",
    "records_header",
    "col_first",
    "col_improvement",
    "col_words",
    "ai_badge",
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0; } .muted { color: #666; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } td, th { border: 1px solid #ccc; padding: 4px 8px; }
.side { display: flex; gap: 1.5em; flex-wrap: wrap; } .side figure { margin: 0; width: 220px; }
.side img { width: 220px; height: 220px; object-fit: cover; border: 1px solid #ccc; }
section { page-break-inside: avoid; }
@media print { body { margin: 0.5cm; } }
"""


def _img(session: Session, image_id: int | None, alt: str) -> str:
    if image_id is None:
        return ""
    stored = session.execute(select(ImageBlob.data, ImageBlob.mime).where(ImageBlob.id == image_id)).first()
    if stored is None:
        return ""
    data = base64.b64encode(stored.data).decode("ascii")
    return f'<img src="data:{stored.mime};base64,{data}" alt="{escape(alt)}">'


def _figure(session: Session, labels: Mapping[str, str], title: str, item: GalleryItem | None) -> str:
    if item is None:
        return ""
    name = escape(_name(labels, item.nickname, item.is_ai))
    similarity = "—" if item.prompt_similarity is None else f"{item.prompt_similarity:.2f}"
    return (
        f"<figure>{_img(session, item.image_id, item.nickname)}<figcaption><b>{escape(title)}</b>: {name}<br>"
        f"{escape(labels['image_score'])}: {item.score:.2f} · {escape(labels['prompt_similarity'])}: {similarity}"
        f"<br><q>{escape(item.prompt)}</q></figcaption></figure>"
    )


def _name(labels: Mapping[str, str], nickname: str, is_ai: bool) -> str:
    """The AI opponent by its badge (as on every page), a student by their nickname."""
    return f"🤖 {labels['ai_badge']}" if is_ai else nickname


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _records_table(labels: Mapping[str, str], records: list[LearningRecord]) -> str:
    rows = [
        [
            _name(labels, r.nickname, r.is_ai),
            len(r.attempts),
            " → ".join(f"{a.score:.2f}" for a in r.attempts),
            " → ".join(str(a.word_count) for a in r.attempts),
            f"{r.first_score:.2f}",
            f"{r.best_score:.2f}",
            f"{r.improvement:+.2f}",
        ]
        for r in records
    ]
    header = ["col_player", "col_attempts", "image_score", "col_words", "col_first", "col_best", "col_improvement"]
    return _table([labels[k] for k in header], rows)


def report_html(session: Session, code: str, host_token: str | None, labels: Mapping[str, str]) -> str:
    game = require_host(session, code, host_token)
    records = learning_records(session, code, host_token)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(game.title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(labels['report_title'])}: {escape(game.title)}</h1>",
        f"<p class='muted'>{escape(labels['report_generated'])} · {escape(game.code)}</p>",
        f"<h2>{escape(labels['game_leaderboard'])}</h2>",
        _table(
            [labels["col_rank"], labels["col_player"], labels["col_total"]],
            [
                [row.rank, _name(labels, row.nickname, row.is_ai), f"{row.total_score:.2f}"]
                for row in game_leaderboard(session, game.id)
            ],
        ),
    ]
    for round_ in host_rounds(session, code, host_token):
        if round_.status == "draft":
            continue
        summary = reveal_summary(session, code, round_.id, host_token)
        secret = round_.secret_prompt or labels["uploaded_target"]
        target = (
            f"<figure>{_img(session, round_.target_image_id, labels['target_caption'])}<figcaption><b>"
            f"{escape(labels['target_caption'])}</b><br>{escape(labels['reveal_secret'])}: <q>{escape(secret)}</q>"
            "</figcaption></figure>"
        )
        board = [
            [
                r.rank,
                _name(labels, r.nickname, r.is_ai),
                "—" if r.best_score is None else f"{r.best_score:.2f}",
                r.attempts_used,
            ]
            for r in round_leaderboard(session, round_.id)
        ]
        parts += [
            f"<section><h2>{escape(labels['round_header'].format(number=round_.number))}</h2>",
            "<div class='side'>",
            target,
            _figure(session, labels, labels["reveal_best_student"], summary.best_student),
            _figure(session, labels, labels["reveal_ai"], summary.ai),
            "</div>",
            _table([labels[k] for k in ("col_rank", "col_player", "col_best", "col_attempts")], board),
            f"<h3>{escape(labels['records_header'])}</h3>",
            _records_table(labels, [r for r in records if r.round_number == round_.number]),
            "</section>",
        ]
    parts.append("</body></html>")
    return "".join(parts)

"""A one-page printable HTML report of a game, images embedded, for the class wall or a
parent evening. The words come from the UI's catalogs through the `label` function the caller
passes (so the report is in the host's language); the page is rendered by Jinja2 with
autoescaping, so no nickname, prompt or title can become markup."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImageBlob
from db.statuses import RoundStatus
from game.games import require_host
from game.ranking import game_leaderboard, reveal_summary, round_leaderboard
from game.records import LearningRecord, learning_records
from game.rounds import host_rounds
from game.views import GalleryItem

# label(key, **params) -> the words in the host's language (ui.i18n.translate, bound).
Label = Callable[..., str]


@dataclass(frozen=True)
class Figure:
    name: str
    picture: str | None  # a data: address
    score: float
    raw: str  # the raw similarity under the match score
    similarity: str
    prompt: str


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("game", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return environment.get_template("report.html.j2")


def _picture(session: Session, image_id: int | None) -> str | None:
    if image_id is None:
        return None
    stored = session.execute(select(ImageBlob.data, ImageBlob.mime).where(ImageBlob.id == image_id)).first()
    if stored is None:
        return None
    return f"data:{stored.mime};base64,{base64.b64encode(stored.data).decode('ascii')}"


def _name(label: Label, nickname: str, is_ai: bool) -> str:
    """The AI opponent by its badge (as on every page), a student by their nickname."""
    return f"🤖 {label('ai_badge')}" if is_ai else nickname


def _figure(session: Session, label: Label, item: GalleryItem | None) -> Figure | None:
    if item is None:
        return None
    similarity = "—" if item.prompt_similarity is None else f"{item.prompt_similarity:.2f}"
    return Figure(
        _name(label, item.nickname, item.is_ai),
        _picture(session, item.image_id),
        item.score,
        _score(item.raw_score),
        similarity,
        item.prompt,
    )


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _record_rows(label: Label, records: list[LearningRecord]) -> list[list[object]]:
    return [
        [
            _name(label, r.nickname, r.is_ai),
            len(r.attempts),
            " → ".join(f"{a.score:.2f}" for a in r.attempts),
            " → ".join(str(a.word_count) for a in r.attempts),
            f"{r.first_score:.2f}",
            f"{r.best_score:.2f}",
            f"{r.improvement:+.2f}",
        ]
        for r in records
    ]


def report_html(session: Session, code: str, credential: str | None, label: Label) -> str:
    game = require_host(session, code, credential)
    records = learning_records(session, code, credential)
    standings = [
        [row.rank, _name(label, row.nickname, row.is_ai), f"{row.total_score:.2f}"]
        for row in game_leaderboard(session, game.id)
    ]
    rounds = []
    for round_ in host_rounds(session, code, credential):
        if round_.status == RoundStatus.DRAFT:
            continue
        summary = reveal_summary(session, code, round_.id, credential)
        board = [
            [r.rank, _name(label, r.nickname, r.is_ai), _score(r.best_score), r.attempts_used]
            for r in round_leaderboard(session, round_.id)
        ]
        rounds.append(
            {
                "number": round_.number,
                "target": _picture(session, round_.target_image_id),
                "secret": round_.secret_prompt or label("uploaded_target"),
                "best_student": _figure(session, label, summary.best_student),
                "ai": _figure(session, label, summary.ai),
                "board": board,
                "records": _record_rows(label, [r for r in records if r.round_number == round_.number]),
            }
        )
    return _template().render(game=game, label=label, standings=standings, rounds=rounds)

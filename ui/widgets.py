"""Streamlit pieces shared by the pages. User text is shown through tables, st.text and
captions-as-text only, never as markdown or HTML: a nickname is never markup."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from db.session import Database
from game.errors import GameError
from game.rounds import image_bytes
from game.views import Feedback, GalleryItem, GameRow, RevealView, RoundRow, RoundView
from ui.i18n import t

T = TypeVar("T")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^])")


def md(text: str) -> str:
    """Escape user text for st.markdown/st.title: `**bold**` and `:red[x]` stay literal."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def show_error(error: GameError) -> None:
    params = {k: md(v) if isinstance(v, str) else v for k, v in error.params.items()}
    st.error(t(error.key, **params))


def write(db: Database, action: Callable[[Session], T]) -> T | None:
    """Run one write transaction; on a GameError show its message and return None.

    Callers rerun the page only after this returns: st.rerun() inside the transaction would
    roll it back.
    """
    try:
        with db.write() as session:
            return action(session)
    except GameError as error:
        show_error(error)
        return None


def image(db: Database, image_id: int | None, caption: str | None = None, width: int | str = "stretch") -> None:
    if image_id is None:
        return
    with db.read() as session:
        data = image_bytes(session, image_id)
    st.image(data, caption=caption, width=width)


def countdown(round_: RoundView) -> None:
    if round_.status == "open" and round_.seconds_left is not None:
        minutes, seconds = divmod(round_.seconds_left, 60)
        st.subheader(t("time_left", minutes=minutes, seconds=seconds))
    elif round_.status in ("closed", "revealed"):
        st.subheader(t("time_up"))


def status_text(status: str) -> str:
    return t(f"status_{status}")


def _ranked_table(columns: dict[str, list[object]]) -> None:
    """A static table (crisp on a projector), ranked. st.table renders its cells as markdown
    (a browser test saw "**Joon**" turn bold), so every text cell is escaped: names show
    literally."""
    if not columns[t("col_rank")]:
        st.caption(t("no_players_yet"))
        return
    escaped = {name: [md(v) if isinstance(v, str) else v for v in values] for name, values in columns.items()}
    st.table(pd.DataFrame(escaped).set_index(t("col_rank")))


def player_name(nickname: str, is_ai: bool) -> str:
    """The AI opponent is shown as such, in the page's language."""
    return f"🤖 {t('ai_badge')}" if is_ai else nickname


def round_table(rows: list[RoundRow]) -> None:
    _ranked_table(
        {
            t("col_rank"): [r.rank for r in rows],
            t("col_player"): [player_name(r.nickname, r.is_ai) for r in rows],
            t("col_best"): [f"{r.best_score:.2f}" if r.best_score is not None else "—" for r in rows],
            t("col_attempts"): [r.attempts_used for r in rows],
        }
    )


def game_table(rows: list[GameRow]) -> None:
    _ranked_table(
        {
            t("col_rank"): [r.rank for r in rows],
            t("col_player"): [player_name(r.nickname, r.is_ai) for r in rows],
            t("col_total"): [f"{r.total_score:.2f}" for r in rows],
            t("col_rounds"): [r.rounds_scored for r in rows],
        }
    )


def gallery(db: Database, items: list[GalleryItem], columns: int = 4) -> None:
    for start in range(0, len(items), columns):
        for column, item in zip(st.columns(columns), items[start : start + columns], strict=False):
            with column:
                image(db, item.image_id)
                st.text(f"{player_name(item.nickname, item.is_ai)} — {item.score:.2f}")
                st.text(item.prompt)


def _similarity(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _contender(db: Database, title: str, item: GalleryItem | None) -> None:
    st.markdown(f"**{md(title)}**")
    if item is None:
        st.caption("—")
        return
    image(db, item.image_id)
    st.text(player_name(item.nickname, item.is_ai))
    st.text(item.prompt)
    st.text(f"{t('image_score')}: {item.score:.2f}")
    st.text(f"{t('prompt_similarity')}: {_similarity(item.prompt_similarity)}")


def reveal_side_by_side(db: Database, summary: RevealView) -> None:
    """Target and secret prompt, the best student, the AI: image score beside prompt similarity."""
    with st.container(key="reveal_compare"):
        target_column, student_column, ai_column = st.columns(3)
        with target_column:
            st.markdown(f"**{md(t('reveal_secret'))}**")
            image(db, summary.target_image_id)
            st.text(summary.secret_prompt if summary.secret_prompt else t("uploaded_target"))
        with student_column:
            _contender(db, t("reveal_best_student"), summary.best_student)
        with ai_column:
            _contender(db, t("reveal_ai"), summary.ai)
        st.caption(t("reveal_compare_caption"))


WORD_COLOURS = {
    "helped": "green",
    "understood": "green",
    "hurt": "red",
    "ignored": "red",
    "neutral": "gray",
    "filler": "gray",
}


def coloured_words(feedback: Feedback) -> str:
    """Markdown with each (escaped) word in its colour; CLIP words carry their effect."""
    parts = []
    for word in feedback.words:
        label = md(word.word) + (f" {word.value:+.1f}" if word.value is not None else "")
        parts.append(f":{WORD_COLOURS.get(word.effect, 'gray')}[{label}]")
    return " ".join(parts)


def word_feedback(feedback: Feedback, key: str) -> None:
    with st.container(key=key):
        st.markdown(coloured_words(feedback))
        st.caption(t("word_feedback_clip" if feedback.kind == "clip" else "word_feedback_sketch"))


def hint(feedback: Feedback) -> None:
    if feedback.hint is not None:
        with st.container(key="hint"):
            st.info(t(feedback.hint.key, **{k: md(v) for k, v in feedback.hint.params.items()}), icon="💡")

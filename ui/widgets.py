"""Streamlit pieces shared by the pages. User text is shown through tables, st.text and
captions-as-text only, never as markdown or HTML: a nickname is never markup."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from db.session import Database
from db.statuses import RoundStatus
from game.exports import REASON_PREFIX
from game.media import image_path, image_secret
from game.scoring import band
from game.text import has_hangul
from game.views import Feedback, GalleryItem, GameRow, RevealView, RoundRow, RoundView
from ui.i18n import catalogs, t, t_plain
from ui.links import page_origin
from ui.live import Countdown
from ui.markup import Safe, md
from ui.markup import html_text as _html_text


def big_code(code: str) -> None:
    """The join code in type a class reads from the back of the room."""
    st.html(
        '<div data-testid="join-code" style="font-size:9rem;font-weight:800;letter-spacing:.12em;'
        f'font-family:ui-monospace,monospace;line-height:1">{_html_text(code)}</div>'
    )


def text_language(text: str) -> str:
    """The language a prompt is written in, for its `lang` (a screen reader's voice): Korean
    when it has Hangul, else English (the model's language)."""
    return "ko" if has_hangul(text) else "en"


def big_text(text: str, *, prompt: bool = False) -> None:
    lang = f' lang="{text_language(text)}"' if prompt else ""
    st.html(f'<div{lang} style="font-size:2.6rem;font-weight:700;line-height:1.2">{_html_text(text)}</div>')


def prompt_text(text: str) -> None:
    """A prompt as plain text (never markup), marked with its own language: an English prompt
    on a Korean page is read with an English voice (WCAG 3.1.2)."""
    st.html(
        f'<div class="pm-prompt" lang="{text_language(text)}" style="white-space:pre-wrap">{_html_text(text)}</div>'
    )


def name_chips(nicknames: list[str]) -> None:
    chips = "".join(
        '<span style="display:inline-block;margin:.3rem;padding:.35rem .9rem;border-radius:2rem;'
        f'background:rgba(128,128,128,.18);font-size:1.7rem">{_html_text(name)}</span>'
        for name in nicknames
    )
    st.html(f'<div data-testid="joined-names">{chips}</div>')


def reason(stored: str | None) -> str:
    """A failure's reason as stored by the worker: a message key (translated here) or, from
    older rows and the engines' own errors, a text as it is."""
    if not stored:
        return "?"
    # A catalog's sentence is ours (Safe); an engine's own text is escaped like any other.
    return Safe(t(stored)) if stored.startswith(REASON_PREFIX) and stored in catalogs()["en"] else stored


def image_url(db: Database, image_id: int) -> str:
    return page_origin() + image_path(image_secret(db), image_id)


def image(
    db: Database,
    image_id: int | None,
    *,
    alt: str,
    caption: str | None = None,
    width: int | Literal["stretch", "content"] = "stretch",
) -> None:
    """A stored picture by its signed address: the browser fetches it once and keeps it, so a
    page that reruns sends no picture again (server/routes.py). `alt` says what it is to a
    screen reader, and never more than the page may tell (no secret before the reveal)."""
    if image_id is None:
        return
    st.image(image_url(db, image_id), caption=caption, width=width, alt=alt)


def target_alt(round_number: int, secret: str | None = None) -> str:
    """The target: its round until the reveal, then also its secret prompt."""
    if secret:
        return t_plain("alt_target_revealed", number=round_number, prompt=secret)
    return t("alt_target", number=round_number)


def picture_alt(item: GalleryItem) -> str:
    """Someone's picture, shown after the reveal (or to the host): who made it, from what."""
    return t_plain("alt_picture_of", name=player_name(item.nickname, item.is_ai), prompt=item.prompt)


def countdown(round_: RoundView, size: str = "normal") -> Countdown | None:
    """The round's countdown, run by the browser (ui/live.py); None when no timer runs."""
    if round_.status != RoundStatus.OPEN or round_.ends_at is None:
        return None
    return Countdown(
        round_.ends_at,
        t_plain("time_left", minutes="{minutes}", seconds="{seconds}"),  # filled in by the browser
        t("time_up"),
        size,
        last_minute=t("announce_last_minute"),
    )


def status_text(status: str) -> str:
    return t(f"status_{status}")


_TABLE_STYLE = (
    "<style>.pm-table{width:100%;border-collapse:collapse;font-size:var(--pm-table-size,1rem)}"
    ".pm-table th{text-align:left;font-weight:600;opacity:.7;border-bottom:2px solid rgba(128,128,128,.35);"
    "padding:.3em .6em}.pm-table td{padding:.3em .6em;border-bottom:1px solid rgba(128,128,128,.2)}"
    ".pm-table td.num,.pm-table th.num{text-align:right;font-variant-numeric:tabular-nums}</style>"
)


def _ranked_table(columns: dict[str, list[object]], big: bool = False) -> None:
    """A static, ranked table (crisp on a projector): no index column, a one-line header,
    and every cell escaped HTML text, so a nickname is never markup and never a link."""
    if not columns[t("col_rank")]:
        st.caption(t("no_players_yet"))
        return
    names = list(columns)
    numeric = {name for name in names if all(isinstance(v, int | float) or _is_number(v) for v in columns[name])}

    def cell(tag: str, name: str, value: object) -> str:
        kind = ' class="num"' if name in numeric else ""
        return f"<{tag}{kind}>{_html_text(str(value))}</{tag}>"

    header = "".join(cell("th", name, name) for name in names)
    rows = "".join(
        "<tr>" + "".join(cell("td", name, columns[name][i]) for name in names) + "</tr>"
        for i in range(len(columns[names[0]]))
    )
    size = "1.6rem" if big else "1rem"
    st.html(
        f'{_TABLE_STYLE}<table class="pm-table" style="--pm-table-size:{size}"><thead><tr>{header}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _is_number(value: object) -> bool:
    return isinstance(value, str) and (value == "—" or value.replace(".", "", 1).isdigit())


def player_name(nickname: str, is_ai: bool) -> str:
    """The AI opponent is shown as such, in the page's language."""
    return f"🤖 {t('ai_badge')}" if is_ai else nickname


def round_table(rows: list[RoundRow], big: bool = False) -> None:
    _ranked_table(
        {
            t("col_rank"): [r.rank for r in rows],
            t("col_player"): [player_name(r.nickname, r.is_ai) for r in rows],
            t("col_best"): [f"{r.best_score:.2f}" if r.best_score is not None else "—" for r in rows],
            t("col_attempts"): [r.attempts_used for r in rows],
        },
        big,
    )
    st.caption(t("score_explained"))


def game_table(rows: list[GameRow], big: bool = False) -> None:
    _ranked_table(
        {
            t("col_rank"): [r.rank for r in rows],
            t("col_player"): [player_name(r.nickname, r.is_ai) for r in rows],
            t("col_total"): [f"{r.total_score:.2f}" for r in rows],
            t("col_rounds"): [r.rounds_scored for r in rows],
        },
        big,
    )


def gallery(db: Database, items: list[GalleryItem], columns: int = 4) -> None:
    for start in range(0, len(items), columns):
        for column, item in zip(st.columns(columns), items[start : start + columns], strict=False):
            with column:
                image(db, item.image_id, alt=picture_alt(item))
                st.text(f"{player_name(item.nickname, item.is_ai)} — {item.score:.2f}")
                prompt_text(item.prompt)


MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def podium(db: Database, items: list[GalleryItem], big: bool = False) -> None:
    """The top three of a revealed round with their pictures and prompts (ties share a medal)."""
    top = items[:3]
    if not top:
        return
    st.subheader(t("podium_header"))
    for column, item in zip(st.columns(3), top, strict=False):
        with column, st.container(border=True, key=f"podium_{item.rank}_{item.attempt_no}_{item.image_id}"):
            name = md(player_name(item.nickname, item.is_ai))
            st.markdown(f"{'## ' if big else '#### '}{MEDALS.get(item.rank, '')} {name}")
            image(db, item.image_id, alt=picture_alt(item), width=320 if big else "stretch")  # names above the fold
            st.markdown(f"{'### ' if big else '**'}{item.score:.2f}{'' if big else '**'}")
            prompt_text(item.prompt)


def score_metric(label: str, score: float, *, explain: bool = True) -> None:
    """A match score as a student reads it: out of 100, with its band and what the band means."""
    st.metric(label, t_plain("score_out_of", score=f"{score:.2f}"))
    name = band(score)
    if explain:
        st.caption(f"**{t('band_' + name)}** — {t('band_' + name + '_line')}")
    else:
        st.caption(f"**{t('band_' + name)}**")


def _similarity(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _contender(db: Database, title: str, item: GalleryItem | None) -> None:
    st.markdown(f"**{md(title)}**")
    if item is None:
        st.caption("—")
        return
    image(db, item.image_id, alt=picture_alt(item))
    st.text(player_name(item.nickname, item.is_ai))
    prompt_text(item.prompt)
    st.text(f"{t('image_score')}: {item.score:.2f}")
    st.text(f"{t('prompt_similarity')}: {_similarity(item.prompt_similarity)}")


def reveal_side_by_side(db: Database, summary: RevealView) -> None:
    """Target and secret prompt, the best student, the AI: image score beside prompt similarity."""
    with st.container(key="reveal_compare"):
        target_column, student_column, ai_column = st.columns(3)
        with target_column:
            st.markdown(f"**{md(t('reveal_secret'))}**")
            image(db, summary.target_image_id, alt=target_alt(summary.round_number, summary.secret_prompt))
            if summary.secret_prompt:
                prompt_text(summary.secret_prompt)
            else:
                st.text(t("uploaded_target"))
        with student_column:
            _contender(db, t("reveal_best_student"), summary.best_student)
        with ai_column:
            _contender(db, t("reveal_ai"), summary.ai)
        st.caption(t("reveal_compare_caption"))


WORD_COLOURS = {
    "helped": "green",
    "drawn": "green",
    "understood": "green",  # attempts scored before "drawn" and "unseen" were told apart
    "unseen": "orange",
    "hurt": "red",
    "ignored": "red",
    "neutral": "gray",
    "filler": "gray",
}


# Colour is never the only cue (WCAG 1.4.1): each word also carries a mark, explained in the
# legend under the words; CLIP's words carry their value with its sign as well.
WORD_MARKS = {
    "helped": "✓",
    "drawn": "✓",
    "understood": "✓",
    "unseen": "~",
    "hurt": "✗",
    "ignored": "✗",
    "neutral": "·",
    "filler": "·",
}


def coloured_words(feedback: Feedback) -> str:
    """Markdown with each (escaped) word in its colour and mark; CLIP words carry their effect."""
    parts = []
    for word in feedback.words:
        label = md(word.word) + (f" {word.value:+.1f}" if word.value is not None else "")
        parts.append(f":{WORD_COLOURS.get(word.effect, 'gray')}[{WORD_MARKS.get(word.effect, '·')} {label}]")
    return " ".join(parts)


def word_feedback(feedback: Feedback, key: str) -> None:
    with st.container(key=key):
        st.markdown(coloured_words(feedback))
        st.caption(t("word_feedback_clip" if feedback.kind == "clip" else "word_feedback_sketch"))
        cannot = list(dict.fromkeys(w.word for w in feedback.words if w.effect == "ignored"))
        if feedback.kind == "sketch" and cannot:
            st.caption(t("sketch_cannot_draw", words=md(", ".join(cannot))))


def hint(feedback: Feedback) -> None:
    if feedback.hint is not None:
        with st.container(key="hint"):
            st.info(t(feedback.hint.key, **{k: md(v) for k, v in feedback.hint.params.items()}), icon="💡")


def discussion_question(question: str, size: str = "1.3rem") -> None:
    """The lesson's question for the class, after the reveal."""
    st.html(
        f'<div data-testid="discussion-question" role="note" style="font-size:{size};font-weight:600;'
        'padding:.6rem 1rem;border-left:.35rem solid #1c6dd0;margin:.5rem 0">'
        f"💬 {_html_text(t('discussion_question'))} {_html_text(question)}</div>"
    )

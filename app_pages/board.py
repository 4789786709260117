"""Projector board: target, countdown, live leaderboards; prompts and images only after the reveal."""

import streamlit as st

from game.errors import GameError
from game.games import find_game
from game.ranking import game_leaderboard, reveal_gallery, reveal_summary, round_leaderboard
from game.rounds import current_round
from game.views import RoundView
from ui import widgets
from ui.i18n import t
from ui.identity import game_code
from ui.links import join_link
from ui.services import database

db = database()
code = game_code()
if not code:
    st.info(t("board_need_code"))
    st.stop()
try:
    with db.read() as session:
        game = find_game(session, code)
except GameError as error:
    widgets.show_error(error)
    st.stop()


def round_signature(round_: RoundView | None) -> tuple[int, str, int | None] | None:
    return (round_.id, round_.status, round_.target_image_id) if round_ else None


@st.fragment(run_every="1s")
def live_tables(shown: tuple[int, str, int | None] | None) -> None:
    """Polls every second with text only (countdown, leaderboards); reruns the page, which
    redraws the target and the gallery once, when the round changes."""
    with db.read() as session:
        round_ = current_round(session, game.id)
        round_rows = round_leaderboard(session, round_.id) if round_ else []
        game_rows = game_leaderboard(session, game.id)
    if round_signature(round_) != shown:
        st.rerun(scope="app")
    round_column, game_column = st.columns([3, 2])
    with round_column:
        if round_ is not None:
            widgets.countdown(round_)
            st.subheader(t("round_leaderboard"))
            with st.container(key="round_leaderboard"):
                widgets.round_table(round_rows)
    with game_column:
        st.subheader(t("game_leaderboard"))
        with st.container(key="game_leaderboard"):
            widgets.game_table(game_rows)


with db.read() as session:
    shown_round = current_round(session, game.id)
    revealed = shown_round is not None and shown_round.status == "revealed"
    gallery = reveal_gallery(session, code, shown_round.id) if revealed else []
    summary = reveal_summary(session, code, shown_round.id) if revealed else None
st.title(widgets.md(game.title))
st.caption(join_link(game.code))
if shown_round is None:
    st.info(t("waiting_for_round"))
    live_tables(None)
    st.stop()
st.header(t("round_header", number=shown_round.number) + " — " + widgets.status_text(shown_round.status))
target_column, tables_column = st.columns([2, 3])
with target_column:
    widgets.image(db, shown_round.target_image_id, caption=t("target_caption"))
with tables_column:
    live_tables(round_signature(shown_round))
if shown_round.status == "revealed":
    with st.container(key="reveal"):
        widgets.reveal_side_by_side(db, summary)
        st.subheader(t("gallery_header"))
        widgets.gallery(db, gallery)

"""Projector board: target, countdown, live leaderboards; prompts and images only after the reveal."""

import streamlit as st

from game.errors import GameError
from game.games import find_game
from game.ranking import game_leaderboard, reveal_gallery, round_leaderboard
from game.rounds import current_round
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


@st.fragment(run_every="1s")
def live_board() -> None:
    with db.read() as session:
        round_ = current_round(session, game.id)
        round_rows = round_leaderboard(session, round_.id) if round_ else []
        game_rows = game_leaderboard(session, game.id)
        gallery = reveal_gallery(session, code, round_.id) if round_ and round_.status == "revealed" else []
    st.title(widgets.md(game.title))
    st.caption(join_link(game.code))
    if round_ is None:
        st.info(t("waiting_for_round"))
        widgets.game_table(game_rows)
        return
    st.header(t("round_header", number=round_.number) + " — " + widgets.status_text(round_.status))
    target_column, round_column, game_column = st.columns([2, 2, 1])
    with target_column:
        widgets.image(db, round_.target_image_id, caption=t("target_caption"))
    with round_column:
        widgets.countdown(round_)
        st.subheader(t("round_leaderboard"))
        with st.container(key="round_leaderboard"):
            widgets.round_table(round_rows)
    with game_column:
        st.subheader(t("game_leaderboard"))
        with st.container(key="game_leaderboard"):
            widgets.game_table(game_rows)
    if round_.status == "revealed":
        with st.container(key="reveal"):
            widgets.reveal(round_)
            st.subheader(t("gallery_header"))
            widgets.gallery(db, gallery)


live_board()

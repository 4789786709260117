"""The projector's one page for the whole lesson (1920×1080, read from the back of the room):
the lobby with the join code, then the round (target, countdown, who has played, the live
leaderboard), time's up, and the reveal (secret, podium, gallery, standings). It shows no
prompt and no student's picture before the reveal, and reruns only when the game changes."""

import streamlit as st

from db.statuses import RoundStatus
from game.errors import GameError
from game.games import find_game, lobby_players
from game.live import game_versions
from game.ranking import game_leaderboard, reveal_gallery, reveal_summary, round_leaderboard
from game.rounds import current_round
from game.views import GameView, RoundView
from ui import faults, widgets
from ui.i18n import t, t_plain
from ui.identity import game_code
from ui.links import join_link, qr_png
from ui.live import live_page
from ui.markup import Safe
from ui.services import database

st.set_page_config(layout="wide", initial_sidebar_state="collapsed")
db = database()
code = game_code()
if not code:
    st.info(t("board_need_code"))
    st.stop()
with db.read() as session:
    # Counters first: a change that lands while the page is drawn makes it draw once more.
    versions = game_versions(session, code)
    try:
        game = find_game(session, code)
    except GameError as error:
        faults.show_error(error)
        st.stop()
    shown = current_round(session, game.id)
    players = lobby_players(session, code)
    round_rows = round_leaderboard(session, shown.id) if shown else []
    game_rows = game_leaderboard(session, game.id)
    revealed = shown is not None and shown.status == RoundStatus.REVEALED
    gallery = reveal_gallery(session, code, shown.id) if revealed else []
    summary = reveal_summary(session, code, shown.id) if revealed else None


def lobby(game: GameView) -> None:
    """Before the first round: what students need to join, and who already has."""
    link = join_link(game.code)
    st.title(widgets.md(game.title))
    code_column, qr_column = st.columns([3, 2], vertical_alignment="center")
    with code_column:
        st.markdown(f"### {widgets.md(t('board_join_with'))}")
        widgets.big_code(game.code)
        st.markdown(f"#### {widgets.md(t('board_or_open'))}")
        st.code(link, language=None)
    with qr_column:
        st.image(qr_png(link), width=380, alt=t_plain("alt_qr", link=link))
    joined_list(players)


def joined_list(nicknames: list[str]) -> None:
    with st.container(key="joined"):
        st.subheader(t("board_joined", count=len(nicknames)))
        if nicknames:
            widgets.name_chips(nicknames)
        else:
            st.caption(t("board_nobody_yet"))


def join_strip(game: GameView) -> None:
    """Between rounds, latecomers can still read the code off the wall."""
    st.caption(t("board_join_strip", code=game.code, link=Safe(join_link(game.code))))


def playing(round_: RoundView) -> None:
    st.header(t("round_header", number=round_.number) + " — " + widgets.status_text(round_.status))
    target_column, side_column = st.columns([5, 4])
    with target_column:
        widgets.image(db, round_.target_image_id, alt=widgets.target_alt(round_.number), width=720)
    with side_column:
        live_page(code, versions, countdown=widgets.countdown(round_, size="huge"))
        if round_.status == RoundStatus.CLOSED:
            st.markdown(f"# ⏰ {widgets.md(t('time_up'))}")
        played = [r for r in round_rows if r.attempts_used > 0 and not r.is_ai]
        st.caption(t("board_played", count=len(played), joined=len(players)))
        with st.container(key="round_leaderboard"):
            widgets.round_table(round_rows, big=True)


def reveal(round_: RoundView) -> None:
    st.header(t("round_header", number=round_.number) + " — " + widgets.status_text(round_.status))
    target_column, secret_column = st.columns([1, 2], vertical_alignment="center")
    with target_column:
        secret = summary.secret_prompt if summary else None
        widgets.image(db, round_.target_image_id, alt=widgets.target_alt(round_.number, secret), width=360)
    with secret_column, st.container(key="secret"):
        st.caption(t("reveal_secret"))
        if summary and summary.secret_prompt:
            widgets.big_text(summary.secret_prompt, prompt=True)
        else:
            widgets.big_text(t("uploaded_target"))
    if round_.question:
        widgets.discussion_question(round_.question, size="2rem")
    widgets.podium(db, gallery, big=True)
    with st.container(key="reveal"):
        widgets.reveal_side_by_side(db, summary)
        st.subheader(t("gallery_header"))
        widgets.gallery(db, gallery)
    st.subheader(t("game_leaderboard"))
    with st.container(key="game_leaderboard"):
        widgets.game_table(game_rows, big=True)


if shown is None:
    lobby(game)
    live_page(code, versions)
elif shown.status == RoundStatus.REVEALED:
    join_strip(game)
    reveal(shown)
    live_page(code, versions)
else:
    st.title(widgets.md(game.title))
    playing(shown)  # with the countdown beside the target
    with st.container(key="game_leaderboard"):
        st.subheader(t("game_leaderboard"))
        widgets.game_table(game_rows, big=True)

"""Student page: join with a nickname, then write prompts for the current round."""

import streamlit as st

from game.errors import GameError
from game.games import find_game, join_game
from game.ranking import reveal_gallery
from game.submissions import player_state, submit_prompt
from game.views import PlayerRoundState
from ui import widgets
from ui.i18n import t
from ui.identity import game_code, player_token, remember
from ui.services import database

db = database()
code, token = game_code(), player_token()


def join_form() -> None:
    st.title(f"🎯 {t('app_title')}")
    typed_code = code
    if not code:
        st.write(t("play_enter_code"))
        typed_code = st.text_input(t("join_code_label"), key="join_code", max_chars=12)
    else:
        try:
            with db.read() as session:
                st.header(widgets.md(find_game(session, code).title))
        except GameError as error:
            widgets.show_error(error)
            typed_code = st.text_input(t("join_code_label"), key="join_code", max_chars=12)
    nickname = st.text_input(t("nickname_label"), key="nickname", max_chars=24)
    if st.button(t("join_button"), key="join", type="primary"):
        joined = widgets.write(db, lambda session: join_game(session, typed_code or "", nickname))
        if joined is not None:
            remember(code=find_code(typed_code or ""), token=joined.token)
            st.rerun()


def find_code(raw: str) -> str:
    with db.read() as session:
        return find_game(session, raw).code


def load_state() -> PlayerRoundState | None:
    if not (code and token):
        return None
    try:
        with db.read() as session:
            return player_state(session, code, token)
    except GameError:
        return None


def attempt_list(state: PlayerRoundState) -> None:
    if not state.submissions:
        return
    st.subheader(t("your_attempts"))
    for submission in reversed(state.submissions):
        with st.container(border=True):
            image_column, text_column = st.columns([1, 2])
            with text_column:
                st.caption(t("col_attempt") + f" {submission.attempt_no}")
                st.text(submission.prompt)
                if submission.status == "done" and submission.score is not None:
                    st.metric(t("col_score"), f"{submission.score:.2f}")
                elif submission.status == "queued":
                    st.info(t("queued", position=submission.queue_position))
                elif submission.status == "running":
                    st.info(t("running"))
                elif submission.status == "failed":
                    st.warning(t("failed", error=submission.error or "?"))
                elif submission.status == "blocked":
                    st.warning(t("blocked"))
            with image_column:
                widgets.image(db, submission.image_id)


@st.fragment(run_every="1s")
def live_round() -> None:
    """Target, countdown and attempts left; reruns the whole page when the round changes."""
    state = load_state()
    if state is None:
        st.rerun()
    round_ = state.round
    signature = (round_.id, round_.status) if round_ else None
    if st.session_state.get("round_signature", signature) != signature:
        st.session_state["round_signature"] = signature
        st.rerun()
    st.session_state["round_signature"] = signature
    if round_ is None:
        st.info(t("waiting_for_round"))
        return
    st.subheader(t("round_header", number=round_.number))
    target_column, status_column = st.columns([1, 1])
    with target_column:
        widgets.image(db, round_.target_image_id, caption=t("target_caption"))
    with status_column:
        widgets.countdown(round_)
        st.write(t("attempts_left", left=state.attempts_left, total=state.game.attempts_per_round))
        if round_.status == "closed":
            st.info(t("round_closed_wait"))
        if round_.status == "revealed":
            widgets.reveal(round_)


@st.fragment(run_every="1s")
def live_attempts() -> None:
    """Queue position, then image and score, of each of my attempts; the gallery after the reveal."""
    state = load_state()
    if state is None or state.round is None:
        return
    attempt_list(state)
    if state.round.status == "revealed":
        with db.read() as session:
            items = reveal_gallery(session, code, state.round.id)
        st.subheader(t("gallery_header"))
        widgets.gallery(db, items)


def prompt_form(state: PlayerRoundState) -> None:
    if state.round is None or state.round.status != "open":
        return
    with st.form("prompt_form", clear_on_submit=True, border=True):
        prompt = st.text_area(t("prompt_label"), key="prompt", max_chars=300)
        submitted = st.form_submit_button(t("submit_button"), key="submit", type="primary")
    if submitted:
        queued = widgets.write(db, lambda session: submit_prompt(session, code, token, prompt))
        if queued is not None:
            st.toast(t("queued", position=queued.queue_position))


state = load_state()
if state is None:
    if code and token:
        widgets.show_error(GameError("unknown_player"))
    join_form()
    st.stop()

st.caption(t("welcome", nickname=widgets.md(state.player.nickname), title=widgets.md(state.game.title)))
live_round()
prompt_form(state)
live_attempts()

"""The host's moderation panel: blocked words, players, every attempt, deleting the game.

Each button calls game/moderation.py, which checks the teacher's session again on the server.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from db.session import Database
from game.games import PLAYER_CAP_MAX, new_rejoin_code, set_room
from game.moderation import (
    delete_game,
    erase_player,
    kick_player,
    rename_player,
    set_blocked_words,
    set_extra_time,
    set_submission_hidden,
)
from game.rounds import EXTRA_TIME_CHOICES
from game.views import ModerationView
from ui import services, widgets
from ui.i18n import t


def room_panel(db: Database, code: str, token: str | None, view: ModerationView) -> None:
    """Lock joining and the player cap, saved together (game.games.set_room checks them)."""
    with st.expander(t("room_header") + (" 🔒" if view.joining_locked else ""), expanded=view.joining_locked):
        if st.session_state.pop("room_saved", False):  # said after the rerun the save causes
            st.success(t("room_saved"))
        with st.form("room"):
            locked = st.toggle(t("joining_locked_label"), value=view.joining_locked, key="joining_locked")
            cap = st.number_input(
                t("player_cap_label"), min_value=1, max_value=PLAYER_CAP_MAX, value=view.player_cap, key="player_cap"
            )
            if st.form_submit_button(t("room_save")):
                change = lambda session: set_room(session, code, token, joining_locked=locked, player_cap=int(cap))  # noqa: E731
                if services.write(db, change) is not None:
                    st.session_state["room_saved"] = True
                    st.rerun()


def let_back_code(nickname: str, rejoin: str) -> None:
    """The one-time code a student types with their nickname on another device."""
    with st.container(border=True):
        st.write(t("let_back_for", nickname=widgets.md(nickname), minutes=10))
        with st.container(key="let_back_code"):
            st.markdown(f"## `{rejoin}`")


def moderation_panel(db: Database, code: str, token: str | None, view: ModerationView) -> None:
    """Blocked words, players (rename, remove), every attempt (hide), and deleting the game,
    from the console's snapshot (`view`). Each action goes through game/moderation.py, which
    checks the teacher's session again."""
    room_panel(db, code, token, view)
    with st.expander(t("moderation_header")):
        words = st.text_area(t("blocked_words_label"), value=view.blocked_words, key="blocked_words")
        if st.button(t("blocked_words_save"), key="save_blocked_words"):
            saved = services.write(db, lambda session: set_blocked_words(session, code, token, words))
            if saved is not None:
                st.success(t("blocked_words_saved", count=len(saved)))

        st.subheader(t("players_header"))
        if erased_name := st.session_state.pop("erased", None):
            st.success(t("erased_done", nickname=widgets.md(erased_name)))
        if shown := st.session_state.get("let_back"):
            let_back_code(*shown)
        for player in view.players:
            name_column, rename_column, actions = st.columns([2, 2, 2])
            name_column.text(player.nickname + (f"  ({t('kicked_label')})" if player.kicked else ""))
            if player.kicked:
                continue
            new_name = rename_column.text_input(
                t("rename_label"), key=f"rename_{player.id}", label_visibility="collapsed", max_chars=24
            )
            rename_now = actions.button(t("rename_button"), key=f"rename_button_{player.id}")
            kick_now = actions.button(t("kick_button"), key=f"kick_{player.id}")
            with actions.popover(t("erase_button"), icon="🧹"):
                st.caption(t("erase_explain", nickname=widgets.md(player.nickname)))
                sure = st.checkbox(t("erase_confirm"), key=f"erase_confirm_{player.id}")
                erase_now = st.button(t("erase_button"), key=f"erase_{player.id}", disabled=not sure, type="primary")
            let_back_now = actions.button(t("let_back_button"), key=f"let_back_{player.id}", help=t("let_back_help"))
            pid = player.id
            extra = name_column.selectbox(
                t("extra_time_label"),
                list(EXTRA_TIME_CHOICES),
                index=list(EXTRA_TIME_CHOICES).index(player.extra_time_percent)
                if player.extra_time_percent in EXTRA_TIME_CHOICES
                else 0,
                format_func=lambda pct: t("extra_time_none") if pct == 0 else t("extra_time_more", percent=pct),
                key=f"extra_time_{player.id}",
                help=t("extra_time_help"),
            )
            if extra != player.extra_time_percent and services.done(
                db, partial(set_extra_time, code=code, credential=token, player_id=pid, percent=int(extra))
            ):
                st.rerun()
            if let_back_now:
                rejoin = services.write(db, partial(new_rejoin_code, code=code, credential=token, player_id=pid))
                if rejoin is not None:
                    st.session_state["let_back"] = (player.nickname, rejoin)
                    st.rerun()
            rename = partial(rename_player, code=code, credential=token, player_id=pid, nickname=new_name)
            if rename_now and services.done(db, rename):
                st.rerun()
            if kick_now and services.done(db, partial(kick_player, code=code, credential=token, player_id=pid)):
                st.rerun()
            erased = (
                services.write(db, partial(erase_player, code=code, credential=token, player_id=pid))
                if erase_now
                else None
            )
            if erased is not None:
                db.checkpoint()  # nothing of theirs stays in the WAL file either
                st.session_state["erased"] = erased
                st.rerun()

        st.subheader(t("attempts_header"))
        for attempt in view.attempts[:200]:
            info, prompt_column, action = st.columns([2, 4, 1])
            score = f"{attempt.score:.2f}" if attempt.score is not None else "—"
            hidden = f" · {t('hidden_label')}" if attempt.hidden else ""
            status = widgets.status_text(attempt.status)
            info.text(f"R{attempt.round_number} · {attempt.nickname} · {status} · {score}{hidden}")
            prompt_column.text(attempt.prompt)
            label = t("unhide_button") if attempt.hidden else t("hide_button")
            hide = partial(
                set_submission_hidden, code=code, credential=token, submission_id=attempt.id, hidden=not attempt.hidden
            )
            if action.button(label, key=f"hide_{attempt.id}") and services.done(db, hide):
                st.rerun()

        st.subheader(t("delete_header"))
        st.caption(t("delete_explain"))
        confirmed = st.checkbox(t("delete_confirm"), key="delete_confirm")
        delete_now = st.button(t("delete_button"), key="delete_game", type="primary", disabled=not confirmed)
        if delete_now and services.done(db, lambda session: delete_game(session, code, token)):
            st.query_params.clear()
            st.session_state["game_deleted"] = True
            st.rerun()

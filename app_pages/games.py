"""My games: the signed-in teacher's games, newest first, from any computer."""

import streamlit as st

from game.games import my_games
from game.moderation import delete_game
from game.views import MyGameRow
from ui import services, widgets
from ui.account import require_teacher_page
from ui.i18n import current_language, t
from ui.identity import host_credential
from ui.services import database

db = database()
teacher = require_teacher_page()
credential = host_credential()


def state_text(row: MyGameRow) -> str:
    if row.state == "homework" and row.closes_at is not None:
        return t("my_games_state_homework", date=row.closes_at.astimezone().strftime("%Y-%m-%d %H:%M"))
    if row.state == "homework_closed":
        return t("my_games_state_homework_closed")
    if row.state == "lobby" or row.round_number is None:
        return t("my_games_state_lobby")
    return t(f"my_games_state_{row.state}", number=row.round_number)


def game_panel(row: MyGameRow) -> None:
    language = current_language()
    with st.container(border=True, key=f"game_{row.code}"):
        info, actions = st.columns([3, 2])
        with info:
            st.subheader(widgets.md(row.title))
            if row.deleted_on is not None:
                st.caption(t("game_deleted_on", date=row.deleted_on.astimezone().strftime("%Y-%m-%d")))
            st.caption(
                t(
                    "my_games_line",
                    code=row.code,
                    date=row.created_at.strftime("%Y-%m-%d %H:%M"),
                    count=row.players,
                    state=state_text(row),
                )
            )
        with actions:
            where = {"code": row.code, "lang": language}
            with st.container(key=f"open_game_{row.code}"):
                st.page_link("app_pages/host.py", label=t("my_games_console"), icon="🧑‍🏫", query_params=where)
            st.page_link("app_pages/board.py", label=t("my_games_board"), icon="📺", query_params=where)
            st.page_link("app_pages/results.py", label=t("my_games_results"), icon="📊", query_params=where)
            with st.popover(t("my_games_delete"), icon="🗑️"):
                st.caption(t("delete_explain"))
                confirmed = st.checkbox(t("delete_confirm"), key=f"delete_confirm_{row.code}")
                if st.button(
                    t("delete_button"), key=f"delete_game_{row.code}", type="primary", disabled=not confirmed
                ) and services.done(db, lambda session: delete_game(session, row.code, credential)):
                    st.toast(t("game_deleted"))
                    st.rerun()


st.title(t("my_games_title"))
with st.container(key="new_game"):
    st.page_link("app_pages/host.py", label=t("my_games_new"), icon="➕", query_params={"lang": current_language()})
with db.read() as session:
    rows = my_games(session, credential)
if not rows:
    st.info(t("my_games_empty"))
for row in rows:
    game_panel(row)

"""Prompt Match: page config, navigation over app_pages/, and the shared sidebar. Nothing else.

The sidebar shows each visitor the pages they use: a signed-in teacher (known by the session
cookie, never by the address) My games, the game's Host, Board and Results, Teachers for the
administrator, and Sign out; a student their Play page, whose link keeps their player key.
The game code and the language travel in the address (`lang=`), so a reload or a new tab
keeps them.
"""

import streamlit as st

from db.faults import STORAGE_ERRORS
from ui.account import sign_out_button, signed_in
from ui.faults import show_storage_fault
from ui.i18n import languages, t
from ui.navigation import app_pages
from ui.page_setup import page_setup
from ui.services import settings

st.set_page_config(page_title="Prompt Match", page_icon="🎯", layout="wide")

params = st.query_params
if params.get("lang") in languages():
    st.session_state.setdefault("language", params["lang"])
if "language" not in st.session_state:
    st.session_state["language"] = settings().language if settings().language in languages() else "en"

pages = app_pages(st.session_state["language"])
home, host, play, board, results = (pages[name] for name in ("home", "host", "play", "board", "results"))
signin, games, teachers, lessons = (pages[name] for name in ("signin", "games", "teachers", "lessons"))
classes, privacy = pages["classes"], pages["privacy"]
page = st.navigation(
    [home, host, play, board, results, signin, games, teachers, lessons, classes, privacy], position="hidden"
)


def link_params(target: st.Page) -> dict[str, str]:
    """What a sidebar link keeps of the address: the game, the language, and the visitor's
    own key only on the pages that use it."""
    keep = {"code": params.get("code"), "lang": st.session_state["language"]}
    if target in (games, teachers, signin, home, lessons, classes, privacy):
        keep.pop("code")
    if target is play:
        keep["token"] = params.get("token")
    return {name: value for name, value in keep.items() if value}


def remember_language() -> None:
    st.query_params["lang"] = st.session_state["language"]


try:
    teacher = signed_in()
except STORAGE_ERRORS as error:
    show_storage_fault(error)
    st.stop()
if params.get("token"):
    visible = [play, board]
elif teacher is not None:
    game_pages = [host, board, results] if params.get("code") else [host]
    visible = [games, lessons, classes, *game_pages, *([teachers] if teacher.is_admin else [])]
else:
    visible = [home, signin, play]
visible.append(privacy)  # every visitor may read what is kept about students
with st.sidebar:
    page_setup(st.session_state["language"], t("skip_to_main"))
    for target in visible:
        st.page_link(target, query_params=link_params(target))
    names = languages()
    st.selectbox(t("language"), list(names), format_func=names.get, key="language", on_change=remember_language)
    if teacher is not None:
        sign_out_button(teacher)
try:
    page.run()
except STORAGE_ERRORS as error:  # a full disk, a read-only or damaged database, PostgreSQL gone
    show_storage_fault(error)

"""Prompt Match: page config, navigation over app_pages/, and the shared sidebar. Nothing else.

The sidebar shows each visitor the pages they use, and its links carry who they are: a
teacher keeps the host key on Host and Results (never on the Board, which is projected), a
student keeps their player key on Play. The language travels in the address too (`lang=`),
so a reload or a new tab keeps it.
"""

import streamlit as st

from db.faults import STORAGE_ERRORS
from ui.faults import show_storage_fault
from ui.i18n import languages, t
from ui.services import settings

st.set_page_config(page_title="Prompt Match", page_icon="🎯", layout="wide")

params = st.query_params
if params.get("lang") in languages():
    st.session_state.setdefault("language", params["lang"])
if "language" not in st.session_state:
    st.session_state["language"] = settings().language if settings().language in languages() else "en"

home = st.Page("app_pages/home.py", title=t("nav_home"), icon="🏠", url_path="", default=True)
host = st.Page("app_pages/host.py", title=t("nav_host"), icon="🧑‍🏫", url_path="host")
play = st.Page("app_pages/play.py", title=t("nav_play"), icon="✏️", url_path="play")
board = st.Page("app_pages/board.py", title=t("nav_board"), icon="📺", url_path="board")
results = st.Page("app_pages/results.py", title=t("nav_results"), icon="📊", url_path="results")
page = st.navigation([home, host, play, board, results], position="hidden")


def link_params(target: st.Page) -> dict[str, str]:
    """What a sidebar link keeps of the address: the game, the language, and the visitor's
    own key only on the pages that use it."""
    keep = {"code": params.get("code"), "lang": st.session_state["language"]}
    if target in (host, results):
        keep["host"] = params.get("host")
    if target is play:
        keep["token"] = params.get("token")
    return {name: value for name, value in keep.items() if value}


def remember_language() -> None:
    st.query_params["lang"] = st.session_state["language"]


if params.get("host"):
    visible = [host, board, results]
elif params.get("token"):
    visible = [play, board]
else:
    visible = [home, host, play]
with st.sidebar:
    for target in visible:
        st.page_link(target, query_params=link_params(target))
    names = languages()
    st.selectbox(t("language"), list(names), format_func=names.get, key="language", on_change=remember_language)
try:
    page.run()
except STORAGE_ERRORS as error:  # a full disk, a read-only or damaged database, PostgreSQL gone
    show_storage_fault(error)

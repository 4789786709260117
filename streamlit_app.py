"""Prompt Match: page config, navigation over pages/, and the shared sidebar. Nothing else."""

import streamlit as st

from ui.i18n import LANGUAGES, t
from ui.services import settings

st.set_page_config(page_title="Prompt Match", page_icon="🎯", layout="wide")

if "language" not in st.session_state:
    st.session_state["language"] = settings().language if settings().language in LANGUAGES else "en"

pages = [
    st.Page("app_pages/home.py", title=t("nav_home"), icon="🏠", url_path="", default=True),
    st.Page("app_pages/host.py", title=t("nav_host"), icon="🧑‍🏫", url_path="host"),
    st.Page("app_pages/play.py", title=t("nav_play"), icon="✏️", url_path="play"),
    st.Page("app_pages/board.py", title=t("nav_board"), icon="📺", url_path="board"),
    st.Page("app_pages/results.py", title=t("nav_results"), icon="📊", url_path="results"),
]
page = st.navigation(pages)
with st.sidebar:
    st.selectbox(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="language")
page.run()

"""Home: host a game, or join one with its code."""

import streamlit as st

from ui.account import school_login_configured, signed_in
from ui.i18n import current_language, t
from ui.services import database, offline_engine

if school_login_configured() and st.user.is_logged_in and signed_in() is None:
    # Back from the school's sign-in (Streamlit's callback opens the home page): the sign-in
    # page maps the account to a teacher and sets the session cookie.
    st.switch_page("app_pages/signin.py", query_params={"lang": current_language()})

st.title(f"🎯 {t('app_title')}")
st.caption(t("tagline"))
# Promise Stable Diffusion only when it is what draws the pictures.
st.write(t("home_intro_sketch" if offline_engine(database()) else "home_intro"))

host_column, join_column = st.columns(2)
with host_column:
    st.subheader(t("home_host_header"))
    # Teachers sign in first (the sign-in page sends a signed-in teacher on to My games).
    st.page_link("app_pages/signin.py", label=t("home_host_button"), icon="🧑‍🏫")
with join_column:
    st.subheader(t("home_join_header"))
    code = st.text_input(t("join_code_label"), key="join_code", max_chars=12)
    if st.button(t("join_button"), key="join", type="primary") and code.strip():
        st.switch_page("app_pages/play.py", query_params={"code": code.strip().upper()})
st.page_link("app_pages/privacy.py", label=t("privacy_link"), icon="🔒", query_params={"lang": current_language()})

"""The signed-in teacher, for the pages: who it is, sign-out, and the pages only teachers see."""

from __future__ import annotations

import streamlit as st

from game.accounts import sign_out, signed_in_teacher
from game.views import TeacherView
from ui import services, widgets
from ui.i18n import current_language, t
from ui.identity import host_credential
from ui.services import database
from ui.session_cookie import clear_cookie


def signed_in() -> TeacherView | None:
    """The teacher whose session cookie this browser holds, checked in the database on every
    run: a session that was signed out, expired or whose teacher was disabled counts for nothing."""
    credential = host_credential()
    if not credential:
        return None
    with database().read() as session:
        return signed_in_teacher(session, credential)


def school_login_configured() -> bool:
    """Whether `[auth]` in .streamlit/secrets.toml sets up Streamlit's st.login (OIDC)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_out_button(teacher: TeacherView) -> None:
    st.caption(t("signed_in_as", name=widgets.md(teacher.name)))
    if st.button(t("sign_out_button"), key="sign_out"):
        services.write(database(), lambda session: sign_out(session, host_credential()))
        if school_login_configured() and st.user.is_logged_in:
            st.logout()  # the school provider's own session in Streamlit's cookie
        clear_cookie(f"/signin?lang={current_language()}", t("signing_out"), t("sign_out_failed"))


def require_teacher_page() -> TeacherView:
    """The signed-in teacher, or a kind word and a link to sign in (the page stops)."""
    teacher = signed_in()
    if teacher is None:
        st.info(t("please_sign_in"))
        st.page_link("app_pages/signin.py", label=t("nav_signin"), icon="🔑", query_params={"lang": current_language()})
        st.stop()
    return teacher

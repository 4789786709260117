"""Sign in: the first run's administrator account, a teacher's name and password, or the
school's own sign-in (st.login). The rules check everything (game/accounts.py); this page
only hands its browser the one-time ticket that becomes the session cookie."""

import streamlit as st

from game.accounts import SignIn, create_first_teacher, has_teachers, new_ticket, school_sign_in, sign_in
from ui import services
from ui.account import school_login_configured, signed_in
from ui.i18n import current_language, t
from ui.identity import client_address, device_cookie
from ui.services import database
from ui.session_cookie import adopt_ticket

db = database()


def go_on_with(ticket: str) -> None:
    """The browser exchanges the ticket for its cookie, then opens My games."""
    adopt_ticket(ticket, f"/games?lang={current_language()}", t("signing_in"), t("sign_in_failed"))
    st.stop()


def first_teacher_form() -> None:
    st.title(t("first_run_title"))
    st.write(t("first_run_intro"))
    with st.form("first_teacher"):
        name = st.text_input(t("teacher_name_label"), key="teacher_name", max_chars=60, autocomplete="username")
        password = st.text_input(
            t("teacher_password_label"), type="password", key="teacher_password", autocomplete="new-password"
        )
        repeat = st.text_input(
            t("teacher_password_repeat_label"),
            type="password",
            key="teacher_password_repeat",
            autocomplete="new-password",
        )
        st.caption(t("password_rule", minimum=8))
        submitted = st.form_submit_button(t("create_teacher_button"), key="create_teacher", type="primary")
    if submitted:

        def create(session):  # type: ignore[no-untyped-def]
            teacher = create_first_teacher(session, name, password, repeat)
            return new_ticket(session, teacher.id)

        ticket = services.write(db, create)
        if ticket is not None:
            go_on_with(ticket)


def sign_in_form() -> None:
    st.title(t("signin_title"))
    with st.form("sign_in"):
        name = st.text_input(t("teacher_name_label"), key="teacher_name", max_chars=60, autocomplete="username")
        password = st.text_input(
            t("teacher_password_label"), type="password", key="teacher_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("sign_in_button"), key="sign_in", type="primary")
    if submitted:
        device, client = device_cookie(), client_address()
        answer = services.write(db, lambda session: sign_in(session, name, password, device=device, client=client))
        show(answer)
    st.caption(t("signin_students_note"))


def show(answer: SignIn | None) -> None:
    if answer is None:  # a storage failure, already said
        return
    if answer.ticket:
        go_on_with(answer.ticket)
    elif answer.error:
        st.error(t(answer.error, minutes=answer.minutes))


def school_sign_in_panel() -> None:
    """Streamlit's own OpenID Connect sign-in (Google Workspace, Microsoft 365, …), mapped to
    a teacher account by e-mail address."""
    if not school_login_configured():
        return
    st.divider()
    if st.user.is_logged_in:
        email, name = st.user.get("email"), st.user.get("name")
        verified = st.user.get("email_verified", True) is not False
        answer = services.write(db, lambda session: school_sign_in(session, email, name, verified))
        show(answer)
        if st.button(t("school_signout_button"), key="school_sign_out"):
            st.logout()
        return
    st.subheader(t("school_signin_header"))
    if st.button(t("school_signin_button"), key="school_sign_in"):
        st.login()


if signed_in() is not None:
    st.switch_page("app_pages/games.py", query_params={"lang": current_language()})
with db.read() as session:
    first_run = not has_teachers(session)
if first_run:
    first_teacher_form()
else:
    sign_in_form()
    school_sign_in_panel()

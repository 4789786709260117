"""Teachers (the administrator's page): add teachers, disable them, set a new password, and
say who may sign in with the school's provider. game/accounts.py checks the administrator
again on every action."""

from functools import partial

import streamlit as st

from game.accounts import allowed_logins, create_teacher, list_teachers, manage_teacher, set_allowed_logins
from game.privacy import privacy_facts, set_contact
from game.retention import keep_max_days, retention_days, set_retention
from game.views import TeacherView
from ui import services, widgets
from ui.account import require_teacher_page
from ui.i18n import t
from ui.identity import host_credential
from ui.services import database

db = database()
me = require_teacher_page()
credential = host_credential()
if not me.is_admin:
    st.warning(t("admin_only"))
    st.stop()


def add_teacher_form() -> None:
    st.subheader(t("add_teacher_header"))
    form_no = st.session_state.setdefault("add_teacher_form_no", 0)
    with st.form(f"add_teacher_{form_no}"):
        name = st.text_input(t("teacher_name_label"), key="new_teacher_name", max_chars=60)
        password = st.text_input(
            t("new_teacher_password_label"), type="password", key="new_teacher_password", autocomplete="new-password"
        )
        st.caption(t("password_rule", minimum=8))
        submitted = st.form_submit_button(t("add_teacher_button"), key="add_teacher", type="primary")
    if submitted:
        added = services.write(db, lambda session: create_teacher(session, credential, name, password))
        if added is not None:
            st.session_state["add_teacher_form_no"] = form_no + 1
            st.session_state["teacher_added"] = added.name
            st.rerun()


def teacher_row(teacher: TeacherView) -> None:
    with st.container(border=True, key=f"teacher_{teacher.id}"):
        info, password_column, actions = st.columns([2, 2, 1])
        marks = [t("teacher_admin")] if teacher.is_admin else []
        if teacher.disabled:
            marks.append(t("teacher_disabled_mark"))
        if teacher.email:
            marks.append(teacher.email)
        info.text(teacher.name + (f" ({', '.join(marks)})" if marks else ""))
        new_password = password_column.text_input(
            t("reset_password_label", name=teacher.name),
            type="password",
            key=f"reset_password_{teacher.id}",
            autocomplete="new-password",
        )
        if password_column.button(t("reset_password_button"), key=f"reset_password_button_{teacher.id}"):
            done = services.write(
                db, lambda session: manage_teacher(session, credential, teacher.id, password=new_password)
            )
            if done is not None:
                st.success(t("password_was_reset", name=teacher.name))
        unlock = actions.button(t("unlock_teacher_button"), key=f"unlock_{teacher.id}", help=t("unlock_teacher_help"))
        lift = partial(manage_teacher, admin_credential=credential, teacher_id=teacher.id, unlocked=True)
        if unlock and services.write(db, lift):
            st.success(t("teacher_unlocked", name=teacher.name))
        if teacher.id == me.id:
            return
        label = t("enable_teacher_button") if teacher.disabled else t("disable_teacher_button")
        if actions.button(label, key=f"disable_teacher_{teacher.id}") and services.write(
            db, lambda session: manage_teacher(session, credential, teacher.id, disabled=not teacher.disabled)
        ):
            st.rerun()


def school_logins_form() -> None:
    st.subheader(t("school_logins_header"))
    st.caption(t("school_logins_explain"))
    with db.read() as session:
        current = allowed_logins(session)
    with st.form("school_logins"):
        entries = st.text_area(t("school_logins_label"), value="\n".join(current), key="school_logins")
        if st.form_submit_button(t("save_button"), key="save_school_logins"):
            saved = services.write(db, lambda session: set_allowed_logins(session, credential, entries))
            if saved is not None:
                st.success(t("school_logins_saved", count=len(saved)))


def retention_form() -> None:
    """How long games (and every student's data in them) are kept after their last activity."""
    st.subheader(t("retention_header"))
    st.caption(t("retention_explain"))
    with db.read() as session:
        days, keep_max = retention_days(session), keep_max_days(session)
    with st.form("retention"):
        new_days = st.number_input(t("retention_days_label"), 1, 3650, days, key="retention_days")
        new_max = st.number_input(t("retention_keep_max_label"), 1, 3650, keep_max, key="retention_keep_max")
        if st.form_submit_button(t("save_button"), key="save_retention"):
            saved = services.write(db, lambda session: set_retention(session, credential, int(new_days), int(new_max)))
            if saved is not None:
                st.success(t("retention_saved", days=saved[0]))


def privacy_contact_form() -> None:
    """Whom families ask about their child's data: shown on the privacy notice (/privacy)."""
    st.subheader(t("privacy_contact_header"))
    with db.read() as session:
        current = privacy_facts(session).contact
    with st.form("privacy_contact"):
        contact = st.text_input(t("privacy_contact_label"), value=current, max_chars=300, key="privacy_contact")
        pressed = st.form_submit_button(t("save_button"), key="save_privacy_contact")
        if pressed and services.done(db, lambda session: set_contact(session, credential, contact)):
            st.success(t("privacy_contact_saved"))


st.title(t("teachers_title"))
if added_name := st.session_state.pop("teacher_added", None):
    st.success(t("teacher_added", name=widgets.md(added_name)))
with db.read() as session:
    teachers = list_teachers(session, credential)
for teacher in teachers:
    teacher_row(teacher)
add_teacher_form()
school_logins_form()
retention_form()
privacy_contact_form()

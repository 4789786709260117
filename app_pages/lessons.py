"""Lessons: rounds a teacher prepares once and starts again with every class; shared with the
server's teachers, and moved between servers as a file."""

import streamlit as st

from game import lessons as rules
from game.classes import my_classes
from game.errors import GameError
from game.lesson_file import import_lesson
from ui import faults, services
from ui.account import require_teacher_page
from ui.i18n import current_language, languages, t
from ui.identity import host_credential
from ui.lessons import EDITING, editor, lesson_card
from ui.services import database

db = database()
teacher = require_teacher_page()
credential = host_credential()


def new_lesson_form() -> None:
    with st.expander(t("lesson_new"), icon="➕"), st.form("new_lesson", clear_on_submit=True):
        title = st.text_input(t("lesson_title_label"), max_chars=rules.TITLE_MAX, key="new_lesson_title")
        names = languages()
        language = st.selectbox(
            t("lesson_language_label"),
            list(names),
            index=list(names).index(current_language()),
            format_func=lambda key: names[key],
            key="new_lesson_language",
        )
        if st.form_submit_button(t("lesson_create"), key="create_lesson", type="primary"):
            created = services.write(
                db, lambda session: rules.create_lesson(session, credential, title, language or current_language())
            )
            if created is not None:
                st.session_state[EDITING] = created.id
                st.rerun()


def import_form() -> None:
    """A lesson file is imported as soon as it is chosen: all of it, or nothing and a message."""
    upload = st.file_uploader(t("lesson_import_label"), type=["zip"], key="import_lesson", help=t("lesson_import_help"))
    if upload is None or st.session_state.get("lesson_imported") == upload.file_id:
        return
    imported = services.write(db, lambda session: import_lesson(session, credential, upload.getvalue()))
    st.session_state["lesson_imported"] = upload.file_id  # the same file is not imported twice
    if imported is not None:
        st.session_state["lesson_said"] = t("lesson_imported", title=imported.title, count=len(imported.rounds))
        st.rerun()


st.title(t("lessons_title"))
if said := st.session_state.pop("lesson_said", None):
    st.success(said)
editing = st.session_state.get(EDITING)
if editing is not None:
    try:
        with db.read() as session:
            lesson = rules.lesson_view(session, credential, editing)
    except GameError as error:  # deleted meanwhile, or no longer the teacher's
        st.session_state.pop(EDITING, None)
        faults.show_error(error)
    else:
        if lesson.mine:
            editor(db, credential, lesson)
            st.stop()
        st.session_state.pop(EDITING, None)

st.caption(t("lessons_explain"))
new_lesson_form()
import_form()
with db.read() as session:
    lessons = rules.my_lessons(session, credential)
    classes = my_classes(session, credential)
for lesson in lessons:
    lesson_card(db, credential, lesson, classes)

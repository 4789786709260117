"""The pieces of the Lessons page: a lesson's card (start, edit, share, export, copy, delete)
and its editor (title, language, note; rounds added, changed, moved and removed). Every
action goes through game/lessons.py, which checks who may do it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

import streamlit as st
from sqlalchemy.orm import Session

from db.session import Database
from game import homework
from game import lessons as rules
from game.games import IMAGE_SIZES, GameSettings
from game.presets import PRESETS
from game.views import ClassView, LessonRoundView, LessonView
from ui import services, widgets
from ui.i18n import current_language, languages, t, t_plain
from ui.links import page_origin
from ui.services import settings

EDITING = "editing_lesson"  # session state: the lesson whose editor is open
ASSIGNING = "assigning_lesson"  # session state: the lesson whose homework form is open


def export_path(lesson_id: int) -> str:
    """The lesson file's address: the teacher's session cookie says who may have it."""
    return f"/api/lessons/{lesson_id}/export"


def round_summary(round_: LessonRoundView) -> str:
    # Shown with st.text (plain text): nothing to escape.
    kinds = {"prompt": t("source_prompt"), "preset": t("source_preset"), "upload": t("source_upload")}
    what = round_.secret_prompt if round_.source != "upload" else t("lesson_round_picture")
    return t_plain(
        "lesson_round_line", number=round_.position, kind=kinds.get(round_.source, round_.source), what=what or ""
    )


def round_settings_line(round_: LessonRoundView) -> str:
    parts = [t("lesson_seed", seed=round_.seed)]
    if round_.attempts is not None:
        parts.append(t("lesson_round_attempts", count=round_.attempts))
    if round_.seconds is not None:
        parts.append(t("lesson_round_minutes", minutes=f"{round_.seconds / 60:g}"))
    return " · ".join(parts)


def _write(db: Database, action: Callable[[Session], object], said: str | None = None) -> None:
    if services.write(db, action) is not None:
        if said:
            st.session_state["lesson_said"] = said
        st.rerun()


def lesson_card(db: Database, credential: str | None, lesson: LessonView, classes: list[ClassView]) -> None:
    with st.container(border=True, key=f"lesson_{lesson.id}"):
        info, actions = st.columns([3, 2])
        with info:
            st.subheader(widgets.md(lesson.title))
            if lesson.owner_name is None:
                owner = t("lesson_starter")
            elif lesson.mine:
                owner = t("lesson_yours_shared") if lesson.shared else t("lesson_yours")
            else:
                owner = t("lesson_shared_by", name=lesson.owner_name)
            st.caption(
                t("lesson_line", count=len(lesson.rounds), spoken=languages().get(lesson.language, "?"), owner=owner)
            )
            if lesson.note:
                st.text(lesson.note)
            with st.expander(t("lesson_rounds_header", count=len(lesson.rounds))):
                for round_ in lesson.rounds:
                    st.text(round_summary(round_))
                    st.caption(round_settings_line(round_))
        with actions:
            start_controls(db, credential, lesson, classes)
            other_actions(db, credential, lesson)


def start_controls(db: Database, credential: str | None, lesson: LessonView, classes: list[ClassView]) -> None:
    """Start a game with every round prepared, for one of the teacher's classes or none."""
    names = {0: t("lesson_no_class")} | {c.id: c.name for c in classes}
    class_id = st.selectbox(
        t("lesson_for_class"), list(names), format_func=lambda key: names[key], key=f"lesson_class_{lesson.id}"
    )
    if st.button(
        t("lesson_start", count=len(lesson.rounds)),
        key=f"start_lesson_{lesson.id}",
        type="primary",
        icon="▶️",
        disabled=not lesson.rounds,
    ):
        started = services.write(
            db,
            lambda session: rules.start_lesson(
                session, credential, lesson.id, game_settings(), class_id=class_id or None
            ),
        )
        if started is not None:
            st.switch_page("app_pages/host.py", query_params={"code": started.code, "lang": current_language()})
    assign_controls(db, credential, lesson, class_id or None)


def game_settings() -> GameSettings:
    """A game started from a lesson draws with the server's engine and image size."""
    defaults = settings()
    return GameSettings(
        engine=defaults.engine,
        image_size=defaults.image_size if defaults.image_size in IMAGE_SIZES else 512,
    )


def assign_controls(db: Database, credential: str | None, lesson: LessonView, class_id: int | None) -> None:
    """Homework: the lesson for each student to play alone, open some days (or until a date)."""
    if st.button(t("lesson_assign"), key=f"assign_lesson_{lesson.id}", icon="🏠", disabled=not lesson.rounds):
        st.session_state[ASSIGNING] = None if st.session_state.get(ASSIGNING) == lesson.id else lesson.id
        st.rerun()
    if st.session_state.get(ASSIGNING) != lesson.id:
        return
    with st.container(border=True, key=f"assign_form_{lesson.id}"):
        days = st.number_input(
            t("assignment_days_label"), min_value=1, max_value=homework.DAYS_MAX, value=7, step=1, key="assignment_days"
        )
        end = st.date_input(t("assignment_end_label"), value=None, key="assignment_end", help=t("assignment_end_help"))
        if st.button(t("assignment_create"), key="create_assignment", type="primary"):
            # The end of the chosen day where the teacher is; else `days` from now.
            closes_at = None
            if end is not None:
                closes_at = datetime.combine(end, time(23, 59)).astimezone().astimezone(UTC)
            made = services.write(
                db,
                lambda session: homework.assign_lesson(
                    session,
                    credential,
                    lesson.id,
                    game_settings(),
                    days=None if closes_at else int(days),
                    closes_at=closes_at,
                    class_id=class_id,
                ),
            )
            if made is not None:
                st.session_state.pop(ASSIGNING, None)
                st.switch_page("app_pages/host.py", query_params={"code": made.code, "lang": current_language()})


def other_actions(db: Database, credential: str | None, lesson: LessonView) -> None:
    columns = st.columns(2)
    if lesson.mine:
        if columns[0].button(t("lesson_edit"), key=f"edit_lesson_{lesson.id}", icon="✏️"):
            st.session_state[EDITING] = lesson.id
            st.rerun()
        shared = st.toggle(
            t("lesson_share"), value=lesson.shared, key=f"share_lesson_{lesson.id}", help=t("lesson_share_help")
        )
        if shared != lesson.shared:
            _write(db, lambda session: rules.share_lesson(session, credential, lesson.id, shared))
    copy_label = t("lesson_duplicate") if lesson.mine else t("lesson_copy_to_edit")
    if columns[1].button(copy_label, key=f"duplicate_lesson_{lesson.id}", icon="📄"):
        copied = services.write(db, lambda session: rules.duplicate_lesson(session, credential, lesson.id))
        if copied is not None:
            st.session_state[EDITING] = copied.id
            st.rerun()
    with st.container(key=f"export_lesson_{lesson.id}"):
        st.markdown(
            f"[⬇️ {widgets.md(t('lesson_export'))}]({page_origin()}{export_path(lesson.id)})",
            help=t("lesson_export_help"),
        )
    if lesson.mine:
        with st.popover(t("lesson_delete"), icon="🗑️"):
            st.caption(t("lesson_delete_explain"))
            confirmed = st.checkbox(t("delete_confirm"), key=f"delete_lesson_confirm_{lesson.id}")
            if st.button(t("delete_button"), key=f"delete_lesson_{lesson.id}", type="primary", disabled=not confirmed):
                _write(db, lambda session: rules.delete_lesson(session, credential, lesson.id), t("lesson_deleted"))


# -- the editor --------------------------------------------------------------------------------
def editor(db: Database, credential: str | None, lesson: LessonView) -> None:
    st.header(t("lesson_editing", title=widgets.md(lesson.title)))
    if st.button(t("lesson_done_editing"), key="close_lesson_editor", icon="✅"):
        st.session_state.pop(EDITING, None)
        st.rerun()
    names = languages()
    with st.form(f"lesson_details_{lesson.id}"):
        title = st.text_input(
            t("lesson_title_label"), value=lesson.title, max_chars=rules.TITLE_MAX, key="lesson_title"
        )
        language = st.selectbox(
            t("lesson_language_label"),
            list(names),
            index=list(names).index(lesson.language) if lesson.language in names else 0,
            format_func=lambda key: names[key],
            key="lesson_language",
        )
        note = st.text_area(t("lesson_note_label"), value=lesson.note, max_chars=rules.NOTE_MAX, key="lesson_note")
        if st.form_submit_button(t("lesson_save"), key="save_lesson", type="primary"):
            _write(
                db,
                lambda session: rules.update_lesson(
                    session, credential, lesson.id, title=title, language=language or lesson.language, note=note
                ),
                t("lesson_saved"),
            )
    st.subheader(t("lesson_rounds_header", count=len(lesson.rounds)))
    for round_ in lesson.rounds:
        round_editor(db, credential, lesson, round_)
    add_round_form(db, credential, lesson)


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / 60


def round_editor(db: Database, credential: str | None, lesson: LessonView, round_: LessonRoundView) -> None:
    with st.container(border=True, key=f"lesson_round_{round_.id}"):
        picture, fields = st.columns([1, 3])
        with picture:
            if round_.image_id is not None:
                alt = t("alt_lesson_picture", number=round_.position)
                widgets.image(db, round_.image_id, alt=alt, caption=t("lesson_round_picture"), width=140)
            st.text(round_summary(round_))
            moves = st.columns(3)
            if moves[0].button(
                "⬆", key=f"round_up_{round_.id}", help=t("lesson_round_up"), disabled=round_.position == 1
            ):
                _write(db, lambda session: rules.move_lesson_round(session, credential, round_.id, -1))
            if moves[1].button(
                "⬇",
                key=f"round_down_{round_.id}",
                help=t("lesson_round_down"),
                disabled=round_.position == len(lesson.rounds),
            ):
                _write(db, lambda session: rules.move_lesson_round(session, credential, round_.id, +1))
            if moves[2].button("🗑", key=f"round_delete_{round_.id}", help=t("lesson_round_delete")):
                _write(db, lambda session: rules.delete_lesson_round(session, credential, round_.id))
        with fields, st.form(f"lesson_round_form_{round_.id}"):
            seed, attempts, minutes, question = round_setting_inputs(f"_{round_.id}", round_)
            if st.form_submit_button(t("lesson_round_save"), key=f"save_round_{round_.id}"):
                _write(
                    db,
                    lambda session: rules.update_lesson_round(
                        session,
                        credential,
                        round_.id,
                        seed=round_.seed if seed is None else seed,
                        attempts=None if attempts is None else int(attempts),
                        seconds=None if minutes is None else round(minutes * 60),
                        question=question,
                    ),
                    t("lesson_round_saved", number=round_.position),
                )


def round_setting_inputs(
    suffix: str, round_: LessonRoundView | None = None
) -> tuple[int | None, int | None, float | None, str]:
    left, middle, right = st.columns(3)
    seed = left.number_input(
        t("lesson_seed_label"),
        min_value=0,
        max_value=rules.SEED_LIMIT - 1,
        value=round_.seed if round_ else None,
        step=1,
        key=f"round_seed{suffix}",
        help=t("lesson_seed_help"),
    )
    attempts = middle.number_input(
        t("lesson_attempts_label"),
        min_value=1,
        max_value=20,
        value=round_.attempts if round_ else None,
        step=1,
        key=f"round_attempts{suffix}",
        help=t("lesson_empty_means_game"),
    )
    minutes = right.number_input(
        t("lesson_minutes_label"),
        min_value=0.25,
        max_value=60.0,
        value=_minutes(round_.seconds) if round_ else None,
        step=0.5,
        key=f"round_minutes{suffix}",
        help=t("lesson_empty_means_game"),
    )
    question = st.text_input(
        t("lesson_question_label"),
        value=(round_.question or "") if round_ else "",
        max_chars=rules.QUESTION_MAX,
        key=f"round_question{suffix}",
    )
    return (
        None if seed is None else int(seed),
        None if attempts is None else int(attempts),
        None if minutes is None else float(minutes),
        question,
    )


def add_round_form(db: Database, credential: str | None, lesson: LessonView) -> None:
    """A new round at the end: the boxes empty after use (the editor may be projected)."""
    st.subheader(t("lesson_add_round"))
    form_no = st.session_state.setdefault("lesson_round_form_no", 0)
    sources = {"prompt": t("source_prompt"), "preset": t("source_preset"), "upload": t("source_upload")}
    source = st.radio(
        t("target_source_label"), list(sources), format_func=sources.get, horizontal=True, key="lesson_round_source"
    )
    secret: str | None = None
    preset_id: str | None = None
    upload = None
    if source == "prompt":
        secret = st.text_area(t("target_prompt_label"), key=f"lesson_round_prompt_{form_no}", max_chars=300)
    elif source == "preset":
        labels = {p.id: f"[{p.difficulty}] {p.prompt}" for p in PRESETS}
        preset_id = st.selectbox(
            t("target_preset_label"), list(labels), format_func=lambda key: labels[key], key="lesson_round_preset"
        )
    else:
        upload = st.file_uploader(
            t("target_upload_label"), type=["png", "jpg", "jpeg", "webp"], key=f"lesson_round_upload_{form_no}"
        )
    seed, attempts, minutes, question = round_setting_inputs(f"_new_{form_no}")
    st.caption(t("lesson_seed_new_help"))
    if st.button(t("lesson_add_round_button"), key="add_lesson_round", type="primary"):
        if source == "upload" and upload is None:
            st.error(t("upload_missing"))
            return
        data = upload.getvalue() if upload is not None else None

        def add(session: Session) -> LessonView:
            checked = rules.check_round(
                source,
                secret_prompt=secret,
                preset_id=preset_id,
                upload=data,
                seed=seed,
                attempts=attempts,
                seconds=None if minutes is None else round(minutes * 60),
                question=question,
            )
            return rules.add_lesson_round(session, credential, lesson.id, checked)

        if services.write(db, add) is not None:
            st.session_state["lesson_round_form_no"] = form_no + 1
            st.session_state["lesson_said"] = t("lesson_round_added")
            st.rerun()

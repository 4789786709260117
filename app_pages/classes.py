"""Classes: a teacher's classes and their rosters, and what each class played over the term."""

from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from game.classes import (
    class_record,
    class_record_csv,
    delete_class,
    erase_student_everywhere,
    my_classes,
    save_class,
)
from game.views import ClassRecord, ClassView
from ui import services, widgets
from ui.account import require_teacher_page
from ui.i18n import t, t_plain
from ui.identity import host_credential
from ui.services import database

db = database()
teacher = require_teacher_page()
credential = host_credential()


def roster_text(class_: ClassView | None) -> str:
    return "\n".join(s.name for s in class_.students) if class_ else ""


def class_form(class_: ClassView | None = None) -> None:
    """A new class, or one's name and roster: names one per line, pasted or from a CSV file."""
    suffix = f"_{class_.id}" if class_ else ""
    if class_ is None and st.session_state.pop("class_form_saved", False):
        for key in ("class_name", "class_roster"):  # a new class: empty boxes for the next one
            st.session_state.pop(key, None)
    with st.form(f"class_form{suffix}"):
        name = st.text_input(
            t("class_name_label"), value=class_.name if class_ else "", max_chars=60, key=f"class_name{suffix}"
        )
        roster = st.text_area(
            t("class_roster_label"), value=roster_text(class_), key=f"class_roster{suffix}", help=t("class_roster_help")
        )
        roster_file = st.file_uploader(t("class_roster_file"), type=["csv", "txt"], key=f"class_roster_file{suffix}")
        if st.form_submit_button(t("class_save"), key=f"save_class{suffix}", type="primary"):
            if roster_file is not None:
                roster = roster_file.getvalue().decode("utf-8-sig", errors="replace")
            saved = services.write(
                db,
                lambda session: save_class(session, credential, name, roster, class_.id if class_ else None),
            )
            if saved is not None:
                st.session_state["class_form_saved"] = class_ is None
                st.session_state["class_said"] = t("class_saved", name=saved.name, count=len(saved.students))
                st.rerun()


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def round_label(game_code: str, number: int) -> str:
    return t_plain("class_col_round", game=game_code, number=number)  # a table header: plain text


def record_table(record: ClassRecord) -> pd.DataFrame:
    """One row per student; for every round the class played (oldest first), their first and
    best match score ("—": not played)."""
    rows = []
    for student in record.students:
        row: dict[str, object] = {t("class_col_student"): student.name}
        for r in student.rounds:
            label = round_label(r.game_code, r.round_number)
            row[f"{label} · {t('class_col_first')}"] = score_text(r.first_score)
            row[f"{label} · {t('class_col_best')}"] = score_text(r.best_score)
        rows.append(row)
    return pd.DataFrame(rows)


def progress_chart(record: ClassRecord) -> None:
    """Each student's best score round after round, in the order the class played them: who
    is improving over the term. Points as well as lines: a student who played one round has a
    point to see."""
    order = [round_label(r.game_code, r.round_number) for r in record.students[0].rounds]
    points = pd.DataFrame(
        [
            {"round": round_label(r.game_code, r.round_number), "student": student.name, "best": r.best_score}
            for student in record.students
            for r in student.rounds
            if r.best_score is not None
        ]
    )
    if points.empty:
        return
    chart = (
        alt.Chart(points)
        .mark_line(point=alt.OverlayMarkDef(size=80, filled=True))
        .encode(
            x=alt.X("round:N", sort=order, title=t("class_chart_x")),
            y=alt.Y("best:Q", scale=alt.Scale(domain=[0, 100]), title=t("class_chart_y")),
            color=alt.Color("student:N", title=t("class_col_student")),
            tooltip=[
                alt.Tooltip("student:N", title=t("class_col_student")),
                alt.Tooltip("round:N", title=t("class_col_round_short")),
                alt.Tooltip("best:Q", title=t("class_col_best"), format=".2f"),
            ],
        )
    )
    st.altair_chart(chart)
    st.caption(t("class_chart_caption"))


def erase_student_form(class_: ClassView) -> None:
    """A family's request for the whole class: one student out of the roster and every game."""
    st.markdown(f"**{t('erase_student_header')}**")
    st.caption(t("erase_student_explain"))
    names = {student.id: student.name for student in class_.students}
    chosen = st.selectbox(
        t("erase_student_label"), list(names), format_func=names.__getitem__, key=f"erase_student_pick_{class_.id}"
    )
    sure = st.checkbox(t("erase_student_confirm"), key=f"erase_student_confirm_{class_.id}")
    pressed = st.button(t("erase_student_button"), key=f"erase_student_{class_.id}", disabled=not sure, icon="🧹")
    if pressed and chosen is not None:
        erased = services.write(
            db, partial(erase_student_everywhere, credential=credential, class_id=class_.id, student_id=chosen)
        )
        if erased is not None:
            db.checkpoint()  # nothing of theirs stays in the WAL file either
            st.session_state["class_said"] = t("erase_student_done", name=erased)
            st.rerun()


def class_panel(class_: ClassView) -> None:
    with st.container(border=True, key=f"class_{class_.id}"):
        st.subheader(widgets.md(class_.name))
        if class_.students:
            st.caption(t("class_roster_line", count=len(class_.students)))
        else:
            st.caption(t("class_no_roster"))
        with db.read() as session:
            record = class_record(session, credential, class_.id)
        if record.games:
            st.markdown(f"**{widgets.md(t('class_games_header', count=len(record.games)))}**")
            for game in record.games:
                st.page_link(
                    "app_pages/host.py",
                    label=t(
                        "class_game_line",
                        title=game.title,
                        code=game.code,
                        date=game.created_at.strftime("%Y-%m-%d"),
                        count=game.rounds,
                    ),
                    query_params={"code": game.code},
                )
        else:
            st.caption(t("class_no_games"))
        if record.students and any(r.best_score is not None for s in record.students for r in s.rounds):
            st.dataframe(record_table(record), hide_index=True, key=f"class_record_{class_.id}")
            progress_chart(record)
            header = {k: t(f"class_csv_{k}") for k in ("student", "game", "round", "first", "best")}
            st.download_button(
                t("class_download"),
                class_record_csv(record, header),
                file_name=f"class-{class_.id}.csv",
                mime="text/csv",
                key=f"class_csv_{class_.id}",
                icon="⬇️",
            )
        with st.expander(t("class_edit")):
            class_form(class_)
            if class_.students:
                erase_student_form(class_)
            confirmed = st.checkbox(t("class_delete_confirm"), key=f"delete_class_confirm_{class_.id}")
            if st.button(t("class_delete"), key=f"delete_class_{class_.id}", disabled=not confirmed) and services.done(
                db, lambda session: delete_class(session, credential, class_.id)
            ):
                st.session_state["class_said"] = t("class_deleted", name=class_.name)
                st.rerun()


st.title(t("classes_title"))
if said := st.session_state.pop("class_said", None):
    st.success(said)
st.caption(t("classes_explain"))
with db.read() as session:
    classes = my_classes(session, credential)
with st.expander(t("class_new"), icon="➕", expanded=not classes):
    class_form()
if not classes:
    st.info(t("classes_empty"))
for class_ in classes:
    class_panel(class_)

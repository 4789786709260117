"""The assignment's console (a homework game): how long it stays open, closing it early or
extending it, and each student's progress, live. Every action goes through game/homework.py,
which checks the teacher's session again."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from db.session import Database
from db.types import utcnow
from game import homework as rules
from game.views import GameView, HomeworkRow
from ui import services
from ui.i18n import t


def when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def deadline_panel(db: Database, code: str, credential: str | None, game: GameView) -> None:
    closed = game.closes_at is not None and game.closes_at <= utcnow()
    with st.container(border=True, key="assignment_status"):
        if game.closes_at is None:
            st.write(t("assignment_no_end"))
        elif closed:
            st.warning(t("assignment_closed_on", date=when(game.closes_at)))
        else:
            st.success(t("assignment_open_until", date=when(game.closes_at)))
        left, right = st.columns(2)
        if closed:
            # The secrets have been shown to everyone: the rule refuses to open it again.
            st.caption(t("assignment_closed_no_extend"))
            return
        with left:
            pressed = st.button(t("assignment_close_now"), key="close_assignment", icon="🔒")
            # Said before the press: closing shows every secret, so it cannot be undone.
            st.caption(t("assignment_close_warning"))
            if pressed and services.done(db, lambda session: rules.close_assignment(session, code, credential)):
                st.rerun()
        with right:
            days = st.number_input(
                t("assignment_extend_days"), min_value=1, max_value=rules.DAYS_MAX, value=2, step=1, key="extend_days"
            )
            if st.button(t("assignment_extend"), key="extend_assignment", icon="⏩"):
                extended = services.write(
                    db, lambda session: rules.extend_assignment(session, code, credential, int(days))
                )
                if extended is not None:
                    st.rerun()


def progress_table(rows: list[HomeworkRow]) -> None:
    """One row per student: the round they are on, whether they are done, and their best
    score in each round ("—": not played yet)."""
    st.subheader(t("assignment_progress_header", count=len(rows)))
    if not rows:
        st.info(t("assignment_nobody_yet"))
        return
    table = []
    round_count = len(rows[0].best_scores)
    for row in rows:
        line: dict[str, object] = {
            t("class_col_student"): row.nickname,
            t("assignment_col_reached"): t("assignment_done")
            if row.done
            else (t("assignment_reached", number=row.reached, total=round_count) if row.reached else "—"),
        }
        for number, best in enumerate(row.best_scores, start=1):
            line[t("assignment_col_best", number=number)] = "—" if best is None else f"{best:.2f}"
        table.append(line)
    with st.container(key="assignment_progress"):
        st.dataframe(pd.DataFrame(table), hide_index=True)

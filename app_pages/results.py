"""Results for the host: tables per round and for the game, and the downloads."""

from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from game.errors import GameError
from game.exports import DOWNLOADS
from game.games import find_game, require_host
from game.ranking import game_leaderboard, round_leaderboard
from game.records import LearningRecord, learning_records
from game.rounds import host_rounds
from ui import faults, widgets
from ui.account import require_teacher_page
from ui.i18n import current_language, t
from ui.identity import game_code, host_credential
from ui.links import page_origin
from ui.services import database

db = database()
code, token = game_code(), host_credential()
require_teacher_page()  # not signed in: a link to sign in
try:
    with db.read() as session:
        require_host(session, code or "", token)
except GameError as error:  # another teacher's game, or no such game
    faults.show_error(error)
    st.stop()

with db.read() as session:
    game = find_game(session, code)
    rounds = host_rounds(session, code, token)
    standings = game_leaderboard(session, game.id)
    per_round = {r.id: round_leaderboard(session, r.id) for r in rounds}
    records = learning_records(session, code, token)


def records_frame(round_records: list[LearningRecord]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("col_player"): widgets.player_name(r.nickname, r.is_ai),
                t("col_attempt"): a.attempt_no,
                t("col_score"): a.score,
                t("raw_similarity"): a.raw_score,
                t("col_words"): a.word_count,
            }
            for r in round_records
            for a in r.attempts
        ]
    )


def round_charts(round_records: list[LearningRecord]) -> None:
    """Score per attempt, a line per student; and the round's score distribution."""
    frame = records_frame(round_records)
    player, attempt, score = t("col_player"), t("col_attempt"), t("col_score")
    lines = (
        alt.Chart(frame, title=t("chart_scores_header"))
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{attempt}:O", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{score}:Q"),
            color=f"{player}:N",
            tooltip=[player, attempt, score],
        )
    )
    distribution = (
        alt.Chart(frame, title=t("chart_distribution_header"))
        .mark_bar()
        .encode(
            x=alt.X(f"{score}:Q", bin=alt.Bin(maxbins=10)),
            y=alt.Y("count()", title=t("chart_count"), axis=alt.Axis(tickMinStep=1, format="d")),
        )
    )
    left, right = st.columns(2)
    left.altair_chart(lines, width="stretch")
    right.altair_chart(distribution, width="stretch")


def records_table(round_records: list[LearningRecord]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("col_player"): [widgets.player_name(r.nickname, r.is_ai) for r in round_records],
                t("col_attempts"): [len(r.attempts) for r in round_records],
                t("col_words"): [" → ".join(str(a.word_count) for a in r.attempts) for r in round_records],
                t("col_first"): [r.first_score for r in round_records],
                t("col_best"): [r.best_score for r in round_records],
                t("col_improvement"): [r.improvement for r in round_records],
            }
        ),
        hide_index=True,
    )


def download_links() -> None:
    """Each file is built by the server when its link is clicked (server/routes.py), so this
    page opens at once whatever the game's size; the ZIP streams one picture at a time."""
    labels = {
        "results.zip": t("download_zip"),
        "submissions.csv": t("download_submissions"),
        "standings.csv": t("download_standings"),
        "learning_records.csv": t("download_records"),
        "report.html": t("download_report"),
    }
    query = urlencode({"lang": current_language()})  # the session cookie authorises it
    columns = st.columns(3)
    for i, name in enumerate(DOWNLOADS):
        url = f"{page_origin()}/api/games/{game.code}/download/{name}?{query}"
        columns[i % 3].link_button(labels[name], url, icon="⬇️", width="stretch")


st.title(t("results_header") + " — " + widgets.md(game.title))
download_links()

st.header(t("game_leaderboard"))
widgets.game_table(standings)
for round_ in rounds:
    st.subheader(t("round_header", number=round_.number) + " — " + widgets.status_text(round_.status))
    if round_.secret_prompt:
        widgets.prompt_text(round_.secret_prompt)
    widgets.round_table(per_round[round_.id])
    round_records = [r for r in records if r.round_number == round_.number]
    st.markdown(f"**{widgets.md(t('records_header'))}**")
    if not round_records:
        st.caption(t("no_records_yet"))
        continue
    records_table(round_records)
    round_charts(round_records)

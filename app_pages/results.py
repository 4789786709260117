"""Results for the host: tables per round and for the game, and the downloads."""

import streamlit as st

from game.exports import results_zip, standings_csv, submissions_csv
from game.games import find_game, is_host
from game.ranking import game_leaderboard, round_leaderboard
from game.rounds import host_rounds
from ui import widgets
from ui.i18n import t
from ui.identity import game_code, host_token
from ui.services import database

db = database()
code, token = game_code(), host_token()
with db.read() as session:
    authorized = bool(code) and is_host(session, code, token)
if not authorized:
    st.warning(t("host_only"))
    st.stop()

with db.read() as session:
    game = find_game(session, code)
    rounds = host_rounds(session, code, token)
    standings = game_leaderboard(session, game.id)
    per_round = {r.id: round_leaderboard(session, r.id) for r in rounds}
    submissions = submissions_csv(session, code, token)
    standings_file = standings_csv(session, code, token)
    archive = results_zip(session, code, token)

st.title(t("results_header") + " — " + widgets.md(game.title))
downloads = st.columns(3)
downloads[0].download_button(
    t("download_submissions"),
    submissions,
    f"promptmatch-{game.code}-submissions.csv",
    "text/csv",
    key="download_submissions_csv",
)
downloads[1].download_button(
    t("download_standings"),
    standings_file,
    f"promptmatch-{game.code}-standings.csv",
    "text/csv",
    key="download_standings_csv",
)
downloads[2].download_button(
    t("download_zip"),
    archive,
    f"promptmatch-{game.code}.zip",
    "application/zip",
    key="download_zip",
)

st.header(t("game_leaderboard"))
widgets.game_table(standings)
for round_ in rounds:
    st.subheader(t("round_header", number=round_.number) + " — " + widgets.status_text(round_.status))
    if round_.secret_prompt:
        st.text(round_.secret_prompt)
    widgets.round_table(per_round[round_.id])

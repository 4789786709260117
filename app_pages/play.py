"""Student page: join with a nickname, then write prompts for the current round."""

import pandas as pd
import streamlit as st

from db.faults import STORAGE_ERRORS
from db.statuses import AttemptStatus, RoundStatus
from game.errors import GameError
from game.games import find_game, join_game, rejoin_same_browser, roster_names
from game.homework import finish_round, next_round, open_round
from game.live import GameVersions, game_versions
from game.ranking import game_leaderboard, reveal_gallery, reveal_summary
from game.submissions import player_state, submit_prompt
from game.text import has_hangul
from game.views import PlayerRoundState, SubmissionView
from ui import faults, services, widgets
from ui.faults import show_storage_fault
from ui.i18n import t, t_plain
from ui.identity import browser_id, game_code, player_token, remember
from ui.live import QueueLine, live_page
from ui.services import database, wake_worker

# What this run's submit became: stored, refused by a rule, a storage failure, or no submit.
Submitted = GameError | SubmissionView | BaseException | None

db = database()
code, token = game_code(), player_token()


def same_browser_player() -> str | None:
    """A new key to the player this browser already is in this game (the tab was closed, the
    laptop slept): they continue as themselves. None for a new browser or a removed player."""
    browser = browser_id()
    try:
        return db.transaction(lambda session: rejoin_same_browser(session, code or "", browser))
    except (GameError, *STORAGE_ERRORS):  # no such game, or the database is down: the join form says so
        return None


if code and not token and (token := same_browser_player()):
    remember(token=token)


def join_form() -> None:
    st.title(f"🎯 {t('app_title')}")
    typed_code = code
    if not code:
        st.write(t("play_enter_code"))
        typed_code = st.text_input(t("join_code_label"), key="join_code", max_chars=12)
    else:
        try:
            with db.read() as session:
                st.header(widgets.md(find_game(session, code).title))
        except GameError as error:
            faults.show_error(error)
            typed_code = st.text_input(t("join_code_label"), key="join_code", max_chars=12)
    roster = game_roster(typed_code or "")
    name_column, rejoin_column = st.columns([3, 2])
    nickname, student_id = "", None
    if roster:  # a class's game: each student picks their own name, none is made up
        ids = {name: student_id for student_id, name in roster}
        picked = name_column.selectbox(
            t("roster_name_label"),
            list(ids),
            index=None,
            placeholder=t("roster_name_placeholder"),
            key="roster_name",
        )
        student_id = ids.get(picked) if picked else None
    else:
        nickname = name_column.text_input(t("nickname_label"), key="nickname", max_chars=24)
    rejoin = rejoin_column.text_input(
        t("rejoin_code_label"), key="rejoin_code", max_chars=12, help=t("rejoin_code_help"), autocomplete="off"
    )
    if st.button(t("join_button"), key="join", type="primary"):
        browser = browser_id()
        joined = services.write(
            db,
            lambda session: join_game(
                session, typed_code or "", nickname, browser=browser, rejoin_code=rejoin, student_id=student_id
            ),
        )
        if joined is not None:
            remember(code=find_code(typed_code or ""), token=joined.token)
            st.rerun()
    st.page_link("app_pages/privacy.py", label=t("privacy_link"), icon="🔒")


def game_roster(raw_code: str) -> list[tuple[int, str]]:
    """The class roster of the game with this code, if it has one (else: type a nickname)."""
    if not raw_code.strip():
        return []
    try:
        with db.read() as session:
            return roster_names(session, raw_code)
    except (GameError, *STORAGE_ERRORS):  # the code is wrong: joining says so
        return []


def find_code(raw: str) -> str:
    with db.read() as session:
        return find_game(session, raw).code


def load_state() -> PlayerRoundState | GameError | None:
    if not (code and token):
        return None
    try:
        with db.read() as session:
            return player_state(session, code, token)
    except GameError as error:  # an unknown or removed player, or a deleted game
        return error


def latest_scored(state: PlayerRoundState) -> SubmissionView | None:
    scored = [s for s in state.submissions if s.status == AttemptStatus.DONE and s.feedback is not None]
    return scored[-1] if scored else None


def attempt_feedback(submission: SubmissionView, latest: bool) -> None:
    """Coloured words for every scored attempt; the hint for the latest one only."""
    if submission.feedback is None:
        return
    st.caption(t("word_feedback_header"))
    widgets.word_feedback(submission.feedback, "word_feedback" if latest else f"word_feedback_{submission.attempt_no}")
    if latest:
        widgets.hint(submission.feedback)


def attempt_list(state: PlayerRoundState) -> None:
    if not state.submissions:
        return
    st.subheader(t("your_attempts"))
    latest = latest_scored(state)
    for submission in reversed(state.submissions):
        with st.container(border=True):
            image_column, text_column = st.columns([1, 2])
            with text_column:
                st.caption(t("col_attempt") + f" {submission.attempt_no}")
                widgets.prompt_text(submission.prompt)
                if has_hangul(submission.prompt):
                    st.caption(t("korean_prompt_note"))
                if submission.engine_prompt:
                    st.caption(t("translated_as", text=widgets.md(submission.engine_prompt)))
                if submission.status == AttemptStatus.DONE and submission.score is not None:
                    widgets.score_metric(t("col_score"), submission.score, explain=False)
                    if submission.prompt_similarity is not None:
                        st.caption(t("your_prompt_similarity", value=f"{submission.prompt_similarity:.2f}"))
                    attempt_feedback(submission, latest is not None and submission.id == latest.id)
                elif submission.status in (AttemptStatus.QUEUED, AttemptStatus.RUNNING):
                    st.info(t("waiting_in_queue"))  # the live line at the top says where it is
                elif submission.status == AttemptStatus.FAILED:
                    st.warning(t("failed", error=widgets.reason(submission.error)))
                elif submission.status == AttemptStatus.BLOCKED:
                    st.warning(t("blocked"))
                elif submission.status == AttemptStatus.REFUSED:
                    st.warning(t("refused"))
            with image_column:
                widgets.image(db, submission.image_id, alt=t_plain("alt_your_picture", prompt=submission.prompt))


def best_attempt(state: PlayerRoundState) -> SubmissionView | None:
    scored = [s for s in state.submissions if s.status == AttemptStatus.DONE and s.score is not None]
    return max(scored, key=lambda s: s.score or 0.0) if scored else None


def pending_attempt(state: PlayerRoundState) -> SubmissionView | None:
    return next((s for s in state.submissions if s.status in (AttemptStatus.QUEUED, AttemptStatus.RUNNING)), None)


def announcement(state: PlayerRoundState) -> str | None:
    """What a screen reader says of this drawing of the page: the reveal, the time up, or
    the newest score (said once: the live part keeps what it said)."""
    round_ = state.round
    if round_ is None:
        return None
    if round_.status == RoundStatus.REVEALED:
        return t("announce_reveal", number=round_.number)
    if round_.status == RoundStatus.CLOSED:
        return t("time_up")
    latest = latest_scored(state)
    if latest is not None and latest.score is not None:
        return t_plain("announce_score", attempt=latest.attempt_no, score=f"{latest.score:.2f}")
    return None


def status_bar(state: PlayerRoundState, versions: GameVersions | None) -> None:
    """Always at the top, never greyed out: the countdown (run by the browser), attempts
    left, and a queued attempt's live place in line."""
    round_ = state.round
    timer_column, attempts_column = st.columns([3, 2], vertical_alignment="center")
    pending = pending_attempt(state)
    queue = None
    if pending is not None:
        position = pending.queue_position or 0  # 0: a worker is drawing it
        queue = QueueLine(pending.id, position, t_plain("queued", position="{position}"), t("running"))
    with timer_column:
        # The live part first, whatever the round's state: in the same place on every run, so
        # a rerun updates it rather than drawing a second one beside the old.
        live_page(
            code,
            versions,
            watch=("shared", "player"),
            player_id=state.player.id,
            countdown=widgets.countdown(round_) if round_ else None,
            queue=queue,
            announce=announcement(state),
        )
        if (
            state.homework is None
            and round_ is not None
            and round_.status in (RoundStatus.CLOSED, RoundStatus.REVEALED)
        ):
            st.subheader(t("time_up"))
    with attempts_column:
        if round_ is not None and round_.status == RoundStatus.OPEN:
            st.metric(t("attempts_left_label"), f"{state.attempts_left} / {state.attempts_allowed}")


def round_panel(state: PlayerRoundState, submitted: Submitted) -> None:
    """The target beside what the student can do now: write, wait, or see their best."""
    round_ = state.round
    if round_ is None:
        st.info(t("waiting_for_round"))
        return
    target_column, action_column = st.columns([1, 1])
    with target_column:
        st.subheader(t("round_header", number=round_.number))
        alt = widgets.target_alt(round_.number, round_.secret_prompt)  # the secret only once revealed to them
        widgets.image(db, round_.target_image_id, alt=alt, caption=t("target_caption"))
    with action_column:
        if round_.status == RoundStatus.OPEN and state.attempts_left > 0:
            latest = latest_scored(state)
            if latest is not None:  # the newest picture beside the target, with its score
                picture, score = st.columns([1, 1], vertical_alignment="center")
                with picture:
                    widgets.image(db, latest.image_id, alt=t_plain("alt_your_picture", prompt=latest.prompt))
                with score:
                    widgets.score_metric(t("your_latest_score"), latest.score)
            prompt_form(submitted)
            if state.homework is not None:
                finish_button(state)
            return
        best = best_attempt(state)
        if round_.status == RoundStatus.OPEN:
            st.success(t("all_attempts_used"))
        elif round_.status == RoundStatus.CLOSED:
            st.info(t("round_closed_wait"))
        if best is not None:
            st.caption(t("your_best"))
            widgets.image(db, best.image_id, alt=t_plain("alt_your_picture", prompt=best.prompt))
            widgets.score_metric(t("col_score"), best.score)


def attempts_panel(state: PlayerRoundState) -> None:
    """After the reveal: the secret and the podium first; then my attempts; then the gallery."""
    round_ = state.round
    if round_ is None:
        return
    items = []
    if round_.status == RoundStatus.REVEALED:
        with db.read() as session:
            summary = reveal_summary(session, code, round_.id)
            items = reveal_gallery(session, code, round_.id)
        st.caption(t("reveal_secret"))
        widgets.big_text(summary.secret_prompt or t("uploaded_target"), prompt=bool(summary.secret_prompt))
        if round_.question:
            widgets.discussion_question(round_.question)
        widgets.podium(db, items)
        widgets.reveal_side_by_side(db, summary)
    attempt_list(state)
    if round_.status == RoundStatus.REVEALED:
        # Folded: on a phone the whole class's pictures would make the page very long.
        with st.expander(t("gallery_header")):
            widgets.gallery(db, items)


def finish_button(state: PlayerRoundState) -> None:
    """Homework: the student may stop a round before their attempts are used."""
    if st.button(
        t("homework_finish"), key="finish_round", icon="✅", disabled=pending_attempt(state) is not None
    ) and services.done(db, lambda session: finish_round(session, code or "", token)):
        st.rerun()


def homework_line(state: PlayerRoundState) -> None:
    progress = state.homework
    if progress is None or state.round is None:
        return
    if progress.closed:
        st.info(t("homework_closed"))
    elif progress.closes_at is not None:
        st.caption(
            t(
                "homework_where",
                number=state.round.number,
                total=progress.round_count,
                date=progress.closes_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            )
        )


def homework_summary(state: PlayerRoundState) -> None:
    """Their best score in every round, and each secret they have seen."""
    progress = state.homework
    if progress is None:
        return
    st.subheader(t("homework_summary_header"))
    rows = [
        {
            t("homework_col_round"): result.number,
            t("col_score"): "—" if result.best_score is None else f"{result.best_score:.2f}",
            t("reveal_secret"): result.secret_prompt or ("—" if result.finished else t("homework_not_yet")),
        }
        for result in progress.rounds
    ]
    with st.container(key="homework_summary"):
        st.dataframe(pd.DataFrame(rows), hide_index=True)


def homework_done_with_round(state: PlayerRoundState) -> None:
    """A round they are done with: its secret (for them only), then the next round."""
    progress, round_ = state.homework, state.round
    if progress is None or round_ is None:
        return
    st.caption(t("reveal_secret"))
    with st.container(key="homework_secret"):
        widgets.big_text(round_.secret_prompt or t("uploaded_target"), prompt=bool(round_.secret_prompt))
    if round_.question:
        widgets.discussion_question(round_.question)
    if progress.next_number is not None:
        if st.button(
            t("homework_next", number=progress.next_number), key="next_round", type="primary", icon="➡️"
        ) and services.done(db, lambda session: next_round(session, code or "", token)):
            st.rerun()
    else:
        st.success(t("homework_all_done"))
        homework_summary(state)


def homework_class_results(state: PlayerRoundState) -> None:
    """Once the assignment has closed: the class's standings and each round's gallery."""
    progress = state.homework
    if progress is None:
        return
    homework_summary(state)
    with db.read() as session:
        standings = game_leaderboard(session, state.game.id)
        galleries = [(r, reveal_gallery(session, code or "", r.round_id)) for r in progress.rounds]
    st.subheader(t("game_leaderboard"))
    widgets.game_table(standings)
    for result, items in galleries:
        with st.expander(t("homework_gallery", number=result.number)):
            st.caption(t("reveal_secret"))
            widgets.prompt_text(result.secret_prompt or t("uploaded_target"))
            widgets.gallery(db, items)


def homework_page(state: PlayerRoundState, versions: GameVersions | None, submitted: Submitted) -> None:
    """A homework game: the student's own round, their clock, and what comes after it."""
    homework_line(state)
    status_bar(state, versions)
    progress = state.homework
    if progress is not None and progress.closed:
        homework_class_results(state)
        attempt_list(state)
        return
    round_panel(state, submitted)
    if state.round is not None and state.round.status == RoundStatus.REVEALED:
        homework_done_with_round(state)
    attempt_list(state)


def form_keys() -> tuple[str, str]:
    """The keys of the prompt box and its button. They change after every stored attempt, so
    the next form starts empty and a submit can be taken only once (see take_submission)."""
    generation = st.session_state.setdefault("prompt_form_generation", 0)
    return f"prompt_{generation}", f"submit_{generation}"


def take_submission() -> Submitted:
    """A submitted prompt is stored before anything is drawn, so this one run shows the new
    attempt, the attempts left and the counters after it (no second run). When it cannot be
    stored (a rule, or the storage failing), the student's words stay in the box.

    A live update can ask for a rerun at the moment a student clicks: Streamlit then merges
    the two requests, keeping the click but the newer value of the box. With a form that
    cleared itself on submit, that newer value was empty and the student's words were lost
    (a browser test caught it). So the box is never cleared by the browser: after a stored
    attempt the form gets new keys, which both empties it and makes a merged click on the old
    form count once."""
    prompt_key, submit_key = form_keys()
    if not (code and token and st.session_state.get(submit_key)):
        return None
    prompt = st.session_state.get(prompt_key, "")
    try:
        queued = db.transaction(lambda session: submit_prompt(session, code, token, prompt))
    except (GameError, *STORAGE_ERRORS) as error:
        return error
    st.session_state["prompt_form_generation"] += 1
    wake_worker()
    return queued


def prompt_form(submitted: Submitted) -> None:
    """The prompt box, with what became of the last submit (refused, or a rule's message)."""
    if isinstance(submitted, GameError):
        faults.show_error(submitted)
    elif isinstance(submitted, STORAGE_ERRORS):
        show_storage_fault(submitted)
    elif submitted is not None and submitted.status == AttemptStatus.REFUSED:
        st.warning(t("refused"))
    prompt_key, submit_key = form_keys()
    with st.form("prompt_form", border=True):
        st.text_area(t("prompt_label"), key=prompt_key, max_chars=300)
        st.form_submit_button(t("submit_button"), key=submit_key, type="primary")


submitted = take_submission()
with db.read() as session:
    versions = game_versions(session, code) if code else None  # first: see board.py
state = load_state()
if isinstance(state, GameError):
    if state.key != "game_not_found":  # the join form says that one itself
        faults.show_error(state)
    if state.key == "player_kicked":
        st.stop()
    state = None
if state is None:
    join_form()
    st.stop()

# Homework: the round the student is on opens as they arrive (its clock, if any, starts now).
unopened = state.homework is not None and not state.homework.opened and not state.homework.closed
if unopened and services.done(db, lambda session: open_round(session, code or "", token)):
    state = load_state()
    assert isinstance(state, PlayerRoundState)

st.caption(t("welcome", nickname=widgets.md(state.player.nickname), title=widgets.md(state.game.title)))
if state.homework is not None:
    homework_page(state, versions, submitted)
else:
    status_bar(state, versions)
    round_panel(state, submitted)
    attempts_panel(state)

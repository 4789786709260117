"""Teacher console: create a game, then run its rounds."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import streamlit as st
from sqlalchemy.orm import Session

from config import ENGINES, SCORERS
from db.statuses import AIStatus, GameKind, RoundStatus, TargetStatus
from engine.models import model_preset
from game.accounts import claim_game
from game.ai_opponent import add_ai_player
from game.difficulty import PlayedDifficulty, played_difficulty
from game.errors import GameError
from game.games import IMAGE_SIZES, GameSettings, create_game, find_game, require_host
from game.hints import hints_enabled, set_hints
from game.homework import homework_progress
from game.lessons import save_as_lesson
from game.live import GameVersions, game_versions
from game.moderation import moderation_view
from game.presets import PRESETS
from game.ranking import host_gallery, reveal_summary, round_leaderboard
from game.retention import deletion_date, keep_longer
from game.rounds import (
    add_time,
    close_round,
    console_rounds,
    create_round,
    remove_timer,
    retry_target,
    reveal_round,
    start_round,
    upload_preview,
)
from game.views import (
    ConsoleRounds,
    GalleryItem,
    GameView,
    HomeworkRow,
    ModerationView,
    RevealView,
    RoundRow,
    RoundView,
)
from ui import faults, services, widgets
from ui.account import require_teacher_page
from ui.homework import deadline_panel, progress_table
from ui.i18n import current_language, t, t_plain
from ui.identity import game_code, host_credential, old_host_key, remember
from ui.links import board_link, is_loopback, join_link, qr_png, results_link
from ui.live import live_page
from ui.moderation import moderation_panel
from ui.services import database, settings, worker_notes

db = database()
code, token = game_code(), host_credential()


@dataclass
class Console:
    """Everything the console shows, read in one transaction: one consistent picture of the
    game (the board does the same) instead of a read session per panel."""

    versions: GameVersions
    game: GameView
    hints: bool
    rounds: ConsoleRounds
    moderation: ModerationView
    played: dict[str, PlayedDifficulty]
    board: list[RoundRow] = field(default_factory=list)
    progress: list[HomeworkRow] | None = None  # homework: each student's progress
    deleted_on: datetime | None = None  # the retention's date for this game
    gallery: list[GalleryItem] = field(default_factory=list)
    reveal: RevealView | None = None


def read_console(session: Session, code: str) -> Console:
    require_host(session, code, token)
    versions = game_versions(session, code)  # first: a change landing meanwhile reruns the page
    rounds = console_rounds(session, code, token)
    console = Console(
        versions=versions,
        game=find_game(session, code),
        hints=hints_enabled(session, code, token),
        rounds=rounds,
        moderation=moderation_view(session, code, token),
        # Only while the preset list is open: it reads every revealed round's attempts.
        played=played_difficulty(session) if st.session_state.get("target_source") == "preset" else {},
        deleted_on=deletion_date(session, code, token),
    )
    if console.game.kind == GameKind.HOMEWORK:
        console.progress = homework_progress(session, code, token)
        return console
    if (current := rounds.current) is not None:
        console.board = round_leaderboard(session, current.id)
        if current.status == RoundStatus.REVEALED:
            console.gallery = host_gallery(session, code, token, current.id)
            console.reveal = reveal_summary(session, code, current.id, token)
    return console


def create_game_form() -> None:
    st.header(t("host_create_header"))
    defaults = settings()
    title = st.text_input(t("game_title_label"), key="game_title", max_chars=120)
    left, right = st.columns(2)
    engine = left.selectbox(t("engine_label"), ENGINES, index=ENGINES.index(defaults.engine), key="game_engine")
    scorer = right.selectbox(t("scorer_label"), SCORERS, key="game_scorer")
    attempts = left.number_input(t("attempts_label"), 1, 20, 3, key="game_attempts")
    minutes = right.number_input(t("round_minutes_label"), 0.5, 60.0, 3.0, step=0.5, key="game_minutes")
    size_default = defaults.image_size if defaults.image_size in IMAGE_SIZES else 512
    size = left.selectbox(t("image_size_label"), IMAGE_SIZES, index=IMAGE_SIZES.index(size_default), key="game_size")
    if st.button(t("create_game_button"), key="create_game", type="primary"):
        game_settings = GameSettings(
            engine=engine,
            scorer=scorer,
            attempts_per_round=int(attempts),
            round_seconds=int(minutes * 60),
            image_size=int(size),
        )
        created = services.write(db, lambda session: create_game(session, token, title, game_settings))
        if created is not None:
            remember(code=created.code)
            st.rerun()


def join_panel(game_code_: str, *, board: bool = True) -> None:
    link = join_link(game_code_)
    code_column, qr_column = st.columns([2, 1])
    with code_column:
        with st.container(key="join_code_display"):
            st.markdown(f"# `{game_code_}`")
        st.caption(t("join_link_caption"))
        st.code(link, language=None)
        if is_loopback(link):
            st.warning(t("loopback_warning"))
        st.info(t("host_link_warning"))
        links = st.columns(2)
        # Both open in a new tab: the console stays where it is. (Homework has no board.)
        if board:
            links[0].link_button(t("board_link"), board_link(game_code_), icon="📺", type="primary")
        links[1].link_button(t("results_link"), results_link(game_code_), icon="📊")
    with qr_column:
        st.image(qr_png(link), width=220, alt=t_plain("alt_qr", link=link))


def engine_banner() -> None:
    model = model_preset(settings().model)
    with st.container(key="model_line"):
        st.caption(t("model_line", model=model.repository, licence=model.licence or t("model_licence_unknown")))
        if model.notice_key:
            st.caption(t(model.notice_key))
    alive, notes = worker_notes(db)
    if settings().worker == "external":
        st.caption(t("workers_alive", count=alive))
        if alive == 0:
            st.warning(t("no_worker"))
    for note in notes:
        st.warning(t("engine_banner", note=note))


def preset_label(preset_id: str, played: dict[str, PlayedDifficulty]) -> str:
    """The preset's own label, and how hard it was for the students who played it here."""
    preset = next(p for p in PRESETS if p.id == preset_id)
    label = f"[{preset.difficulty}] {preset.prompt}"
    measured = played.get(preset_id)
    if measured is None:
        return label
    attempts = "—" if measured.attempts is None else f"{measured.attempts:.1f}"
    return label + " — " + t_plain("preset_played", count=measured.players, reached=measured.reached, attempts=attempts)


def new_round_form(console: Console) -> None:
    """Creates a round to start now or later; its boxes empty after use (the console may be
    projected, and the secret must not stay on screen)."""
    st.subheader(t("new_round_header"))
    form_no = st.session_state.setdefault("new_round_form_no", 0)
    sources = {"prompt": t("source_prompt"), "preset": t("source_preset"), "upload": t("source_upload")}
    source = st.radio(
        t("target_source_label"), list(sources), format_func=sources.get, horizontal=True, key="target_source"
    )
    secret, preset_id, upload = None, None, None
    if source == "prompt":
        secret = st.text_area(t("target_prompt_label"), key=f"target_prompt_{form_no}", max_chars=300)
    elif source == "preset":
        preset_id = st.selectbox(
            t("target_preset_label"),
            [p.id for p in PRESETS],
            key="target_preset",
            format_func=lambda pid: preset_label(pid, console.played),
        )
    else:
        upload = st.file_uploader(
            t("target_upload_label"), type=["png", "jpg", "jpeg", "webp"], key=f"target_upload_{form_no}"
        )
        if upload is not None:
            # Decoded by the upload rules only: a damaged file is their message, the console stays.
            try:
                preview = upload_preview(upload.getvalue(), console.game.image_size)
            except GameError as error:
                faults.show_error(error)
            else:
                st.image(preview, caption=t("upload_preview"), width=220, alt=t("alt_upload_preview"))
    if st.button(t("create_round_button"), key="create_round", type="primary"):
        if source == "upload" and upload is None:
            st.error(t("upload_missing"))
            return
        data = upload.getvalue() if upload is not None else None
        created = services.write(
            db,
            lambda session: create_round(
                session, code, token, source=source, secret_prompt=secret, preset_id=preset_id, upload=data
            ),
        )
        if created is not None:
            st.session_state["new_round_form_no"] = form_no + 1
            st.toast(t("round_created", number=created.number))
            st.rerun()


def run_action(action: Callable[..., RoundView], round_id: int) -> None:
    if services.write(db, lambda session: action(session, code, token, round_id)) is not None:
        st.rerun()


def ai_controls(round_: RoundView, key: str) -> None:
    """The AI opponent: a button until it is added, then what it is doing."""
    if round_.ai_status in (None, AIStatus.FAILED):
        if round_.ai_status == AIStatus.FAILED:
            st.warning(t("ai_failed_reason", error=widgets.reason(round_.ai_error)))
        if st.button(t("add_ai_button"), key=key, help=t("ai_explain"), disabled=round_.status == RoundStatus.REVEALED):
            run_action(add_ai_player, round_.id)
    else:
        st.caption("🤖 " + t(f"ai_status_{round_.ai_status}"))


def target_and_secret(round_: RoundView, width: int | str = "stretch") -> None:
    """The target, and the secret only when the host asks (the console may be projected)."""
    if round_.target_status == TargetStatus.READY:
        # The console may be projected: its target never names the secret.
        alt = widgets.target_alt(round_.number)
        widgets.image(db, round_.target_image_id, alt=alt, caption=t("target_caption"), width=width)
        if round_.target_source == "upload" and round_.score_ceiling is not None:
            st.caption(t("upload_seed_found", seed=round_.seed, similarity=f"{round_.score_ceiling:.2f}"))
        elif round_.score_floor is not None and round_.score_ceiling is not None:
            st.caption(t("round_scale", floor=f"{round_.score_floor:.2f}", ceiling=f"{round_.score_ceiling:.2f}"))
    elif round_.target_status == TargetStatus.FAILED:
        st.error(t("target_failed", error=widgets.reason(round_.target_error)))
        if st.button(t("retry_target_button"), key=f"retry_target_{round_.id}"):
            run_action(retry_target, round_.id)
    else:
        st.info(t("target_pending"))
    if round_.secret_prompt and st.toggle(t("show_secret"), key=f"show_secret_{round_.id}"):
        widgets.prompt_text(round_.secret_prompt)


def current_round_panel(current: RoundView, console: Console) -> None:
    """The round the class is playing: its controls act on it, whatever is prepared next."""
    st.subheader(t("round_header", number=current.number) + " — " + widgets.status_text(current.status))
    target_column, board_column = st.columns([1, 1])
    with target_column:
        target_and_secret(current)
    with board_column:
        live_page(code, console.versions, countdown=widgets.countdown(current))
        if current.status in (RoundStatus.CLOSED, RoundStatus.REVEALED):
            st.subheader(t("time_up"))
        buttons = st.columns(2)
        is_open = current.status == RoundStatus.OPEN
        if buttons[0].button(t("close_round_button"), key="close_round", disabled=not is_open):
            run_action(close_round, current.id)
        revealed = current.status == RoundStatus.REVEALED
        if buttons[1].button(t("reveal_round_button"), key="reveal_round", disabled=revealed):
            run_action(reveal_round, current.id)
        timing = st.columns(2)  # timing adjustable (WCAG 2.2.1)
        timed = is_open and current.ends_at is not None
        if timing[0].button(t("add_time_button"), key="add_time", icon="⏱️", disabled=not timed):
            run_action(add_time, current.id)
        if timing[1].button(t("remove_timer_button"), key="remove_timer", icon="♾️", disabled=not timed):
            run_action(remove_timer, current.id)
        if is_open and current.ends_at is None:
            st.caption(t("round_untimed"))
        ai_controls(current, key="add_ai_player")
        widgets.round_table(console.board)
    if console.reveal is not None:
        if current.question:
            widgets.discussion_question(current.question)
        widgets.reveal_side_by_side(db, console.reveal)
        st.subheader(t("gallery_header"))
        widgets.gallery(db, console.gallery)


def prepared_round_panel(round_: RoundView, current: RoundView | None) -> None:
    """A round created ahead: its target, and Start (refused by the server while another
    round is open, with the open round's number)."""
    with st.container(border=True, key=f"prepared_{round_.id}"):
        st.markdown(f"**{widgets.md(t('round_header', number=round_.number))} — {widgets.md(t('status_draft'))}**")
        target_column, action_column = st.columns([1, 2])
        with target_column:
            target_and_secret(round_, width=220)
        with action_column:
            if current is not None and current.status == RoundStatus.OPEN:
                st.caption(t("close_before_start", number=current.number))
            if st.button(
                t("start_round_n_button", number=round_.number),
                key=f"start_round_{round_.id}",
                type="primary",
                disabled=round_.target_status != TargetStatus.READY,
            ):
                run_action(start_round, round_.id)
            ai_controls(round_, key=f"add_ai_player_{round_.id}")


def retention_line(console: Console) -> None:
    """When the game and every student's data in it will be deleted, and keeping it longer."""
    if console.deleted_on is None:
        return
    st.caption(t("game_deleted_on", date=console.deleted_on.astimezone().strftime("%Y-%m-%d")))
    with st.expander(t("keep_longer_header")):
        days = st.number_input(t("keep_days_label"), min_value=1, max_value=3650, value=90, step=1, key="keep_days")
        if st.button(t("keep_button"), key="keep_game") and services.done(
            db, lambda session: keep_longer(session, code, token, int(days))
        ):
            st.rerun()


def save_as_lesson_button(console: Console) -> None:
    """The game's rounds, each with its seed, as a lesson to start again with another class."""
    if st.session_state.pop("lesson_saved_from_game", False):
        st.success(t("saved_as_lesson"))
        st.page_link(
            "app_pages/lessons.py", label=t("nav_lessons"), icon="📚", query_params={"lang": current_language()}
        )
    has_rounds = console.rounds.current is not None or bool(console.rounds.prepared)
    if st.button(t("save_as_lesson"), key="save_as_lesson", icon="📚", disabled=not has_rounds):
        language = current_language()
        if services.write(db, lambda session: save_as_lesson(session, code, token, language=language)) is not None:
            st.session_state["lesson_saved_from_game"] = True
            st.rerun()
    st.caption(t("save_as_lesson_help"))


def hints_switch(enabled: bool) -> None:
    wanted = st.toggle(t("hints_toggle"), value=enabled, key="hints_enabled")
    if wanted != enabled and services.write(db, lambda session: set_hints(session, code, token, wanted)) is not None:
        st.rerun()


def rounds_panel(console: Console) -> None:
    """The round being played, then the New round form with the rounds prepared right under
    it: a round just created shows up (with its Start button) where the teacher is looking."""
    rounds = console.rounds
    if rounds.current is not None:
        current_round_panel(rounds.current, console)
        st.divider()
    else:
        live_page(code, console.versions)  # keeps the console current before the first round
    new_round_form(console)
    if rounds.prepared:
        st.subheader(t("prepared_rounds_header"))
        for prepared in rounds.prepared:
            prepared_round_panel(prepared, rounds.current)


if st.session_state.pop("game_deleted", False):
    st.success(t("game_deleted"))

require_teacher_page()
if code and old_host_key():
    # The old host address of a game from before accounts: it becomes this teacher's, once.
    if services.write(db, lambda session: claim_game(session, code, old_host_key(), token)):
        st.session_state["game_claimed"] = True
    del st.query_params["host"]  # never keep a key in the address
    st.rerun()
if st.session_state.pop("game_claimed", False):
    st.success(t("game_claimed"))
if not code:
    create_game_form()
    st.stop()
try:
    with db.read() as session:
        console = read_console(session, code)
except GameError as error:  # another teacher's game, or no game with this code
    faults.show_error(error)
    st.page_link("app_pages/games.py", label=t("nav_games"), icon="🗂️")
    st.stop()

st.title(widgets.md(console.game.title))
engine_banner()
if console.progress is not None:  # an assignment: students play alone, at their own pace
    st.caption(t("assignment_explain"))
    deadline_panel(db, code, token, console.game)
    live_page(code, console.versions)  # the progress table follows every attempt
    progress_table(console.progress)
    retention_line(console)
    st.divider()
    join_panel(console.game.code, board=False)
    save_as_lesson_button(console)
    st.divider()
    moderation_panel(db, code, token, console.moderation)
    st.stop()
join_panel(console.game.code)
hints_switch(console.hints)
save_as_lesson_button(console)
retention_line(console)
st.divider()
rounds_panel(console)
st.divider()
moderation_panel(db, code, token, console.moderation)

"""Teacher console: create a game, then run its rounds."""

from collections.abc import Callable

import streamlit as st

from config import ENGINES, SCORERS
from game.coaching import add_ai_player, hints_enabled, set_hints
from game.games import IMAGE_SIZES, GameSettings, create_game, find_game, is_host
from game.presets import PRESETS
from game.ranking import host_gallery, reveal_summary, round_leaderboard
from game.rounds import close_round, create_round, host_rounds, reveal_round, start_round
from game.views import RoundView
from ui import widgets
from ui.i18n import t
from ui.identity import game_code, host_token, remember
from ui.links import join_link, qr_png
from ui.moderation import moderation_panel
from ui.services import database, settings, teacher_pin, worker_notes

db = database()
code, token = game_code(), host_token()


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
    pin = teacher_pin()
    typed_pin = st.text_input(t("pin_label"), type="password", key="teacher_pin") if pin else None
    if st.button(t("create_game_button"), key="create_game", type="primary"):
        if pin and typed_pin != pin:
            st.error(t("wrong_pin"))
            return
        game_settings = GameSettings(
            engine=engine,
            scorer=scorer,
            attempts_per_round=int(attempts),
            round_seconds=int(minutes * 60),
            image_size=int(size),
        )
        created = widgets.write(db, lambda session: create_game(session, title, game_settings))
        if created is not None:
            remember(code=created.game.code, host=created.host_token)
            st.rerun()


def join_panel(game_code_: str) -> None:
    link = join_link(game_code_)
    code_column, qr_column = st.columns([2, 1])
    with code_column:
        with st.container(key="join_code_display"):
            st.markdown(f"# `{game_code_}`")
        st.caption(t("join_link_caption"))
        st.code(link, language=None)
        st.info(t("host_link_warning"))
        st.page_link("app_pages/board.py", label=t("board_link"), icon="📺", query_params={"code": game_code_})
        st.page_link(
            "app_pages/results.py",
            label=t("results_link"),
            icon="📊",
            query_params={"code": game_code_, "host": token or ""},
        )
    with qr_column:
        st.image(qr_png(link), width=220)


def engine_banner() -> None:
    alive, notes = worker_notes(db)
    if settings().worker == "external":
        st.caption(t("workers_alive", count=alive))
        if alive == 0:
            st.warning(t("no_worker"))
    for note in notes:
        st.warning(t("engine_banner", note=note))


def new_round_form() -> None:
    st.subheader(t("new_round_header"))
    sources = {"prompt": t("source_prompt"), "preset": t("source_preset"), "upload": t("source_upload")}
    source = st.radio(
        t("target_source_label"), list(sources), format_func=sources.get, horizontal=True, key="target_source"
    )
    secret, preset_id, upload = None, None, None
    if source == "prompt":
        secret = st.text_area(t("target_prompt_label"), key="target_prompt", max_chars=300)
    elif source == "preset":
        preset_id = st.selectbox(
            t("target_preset_label"),
            [p.id for p in PRESETS],
            key="target_preset",
            format_func=lambda pid: next(f"[{p.difficulty}] {p.prompt}" for p in PRESETS if p.id == pid),
        )
    else:
        upload = st.file_uploader(t("target_upload_label"), type=["png", "jpg", "jpeg", "webp"], key="target_upload")
    if st.button(t("create_round_button"), key="create_round"):
        if source == "upload" and upload is None:
            st.error(t("upload_missing"))
            return
        data = upload.getvalue() if upload is not None else None
        created = widgets.write(
            db,
            lambda session: create_round(
                session, code, token, source=source, secret_prompt=secret, preset_id=preset_id, upload=data
            ),
        )
        if created is not None:
            st.rerun()


def run_action(action: Callable[..., RoundView], round_id: int) -> None:
    if widgets.write(db, lambda session: action(session, code, token, round_id)) is not None:
        st.rerun()


def round_signature(round_: RoundView) -> tuple[int, str, str]:
    return round_.id, round_.status, round_.target_status


@st.fragment(run_every="1s")
def round_controls(shown: tuple[int, str, str]) -> None:
    """Polls with text and buttons only; reruns the page (which redraws the target and the
    gallery once) when the round changes."""
    with db.read() as session:
        current = host_rounds(session, code, token)[-1]
        rows = round_leaderboard(session, current.id)
    if round_signature(current) != shown:
        st.rerun(scope="app")
    widgets.countdown(current)
    buttons = st.columns(3)
    if buttons[0].button(
        t("start_round_button"),
        key="start_round",
        disabled=current.status != "draft" or current.target_status != "ready",
    ):
        run_action(start_round, current.id)
    if buttons[1].button(t("close_round_button"), key="close_round", disabled=current.status != "open"):
        run_action(close_round, current.id)
    if buttons[2].button(
        t("reveal_round_button"), key="reveal_round", disabled=current.status in ("draft", "revealed")
    ):
        run_action(reveal_round, current.id)
    ai_controls(current)
    widgets.round_table(rows)


def ai_controls(current: RoundView) -> None:
    """The AI opponent: a button until it is added, then what it is doing."""
    if current.ai_status in (None, "failed"):
        if current.ai_status == "failed":
            st.warning(t("ai_status_failed"))
        if st.button(
            t("add_ai_button"), key="add_ai_player", help=t("ai_explain"), disabled=current.status == "revealed"
        ):
            run_action(add_ai_player, current.id)
    else:
        st.caption("🤖 " + t(f"ai_status_{current.ai_status}"))


def hints_switch() -> None:
    with db.read() as session:
        enabled = hints_enabled(session, code, token)
    wanted = st.toggle(t("hints_toggle"), value=enabled, key="hints_enabled")
    if wanted != enabled and widgets.write(db, lambda session: set_hints(session, code, token, wanted)) is not None:
        st.rerun()


def live_round() -> None:
    with db.read() as session:
        rounds = host_rounds(session, code, token)
    if not rounds:
        return
    current = rounds[-1]
    st.subheader(t("round_header", number=current.number) + " — " + widgets.status_text(current.status))
    target_column, board_column = st.columns([1, 1])
    with target_column:
        if current.target_status == "ready":
            widgets.image(db, current.target_image_id, caption=t("target_caption"))
        elif current.target_status == "failed":
            st.error(t("target_failed", error=current.target_error))
        else:
            st.info(t("target_pending"))
        if current.secret_prompt:
            st.caption(t("secret_prompt_is"))
            st.text(current.secret_prompt)
    with board_column:
        round_controls(round_signature(current))
    if current.status == "revealed":
        with db.read() as session:
            items = host_gallery(session, code, token, current.id)
            summary = reveal_summary(session, code, current.id, token)
        widgets.reveal_side_by_side(db, summary)
        st.subheader(t("gallery_header"))
        widgets.gallery(db, items)


if st.session_state.pop("game_deleted", False):
    st.success(t("game_deleted"))

with db.read() as session:
    authorized = bool(code) and is_host(session, code, token)
if not authorized:
    if code and token:
        st.error(t("not_host"))
    create_game_form()
    st.stop()

with db.read() as session:
    game = find_game(session, code)
st.title(widgets.md(game.title))
engine_banner()
join_panel(game.code)
hints_switch()
st.divider()
live_round()
st.divider()
new_round_form()
st.divider()
moderation_panel(db, code, token)

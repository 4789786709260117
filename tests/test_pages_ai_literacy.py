"""AI literacy through Streamlit's AppTest: word feedback, the hint, the host's AI button and
hints switch, the reveal side by side, the results page's records and report, and Korean."""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest
from apptest import page, table_rows, texts
from helpers import Classroom, drain
from streamlit.testing.v1 import AppTest

from config import PROJECT_DIR
from db.session import Database
from game.ai_opponent import add_ai_player
from game.exports import results_zip
from game.ranking import reveal_summary
from game.report import report_html
from game.rounds import reveal_round
from game.submissions import submit_prompt
from ui.i18n import translate
from worker.runner import Worker

pytestmark = pytest.mark.usefixtures("app_environment")

TARGET = "a big red circle on a blue background"


def keyed(app: AppTest, key: str) -> Any | None:
    """The container made with st.container(key=key), if the page drew it."""

    def walk(node: Any) -> Any | None:
        if getattr(getattr(node, "proto", None), "id", "").endswith(f"-{key}"):
            return node
        for child in getattr(node, "children", {}).values():
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(app._tree)


def block_text(block: Any) -> str:
    parts = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        for field in ("body", "value"):
            if proto is not None and isinstance(getattr(proto, field, None), str):
                parts.append(getattr(proto, field))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(block)
    return "\n".join(parts)


def played_round(db: Database, worker: Worker, prompt: str = "a big red fluffy circle") -> tuple[Classroom, int, str]:
    classroom = Classroom(db)
    round_id = classroom.round(worker, prompt=TARGET)
    token = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, token, prompt)
    drain(worker)
    return classroom, round_id, token


def test_the_student_sees_coloured_word_feedback_and_one_hint(db, worker) -> None:
    classroom, _, token = played_round(db, worker)
    app = page("play", code=classroom.code, token=token)
    assert not app.exception
    words = block_text(keyed(app, "word_feedback"))
    # The sketch engine drew "red" and "circle", and says plainly it cannot draw "fluffy".
    assert ":green[✓ red]" in words and ":green[✓ circle]" in words and ":red[✗ fluffy]" in words
    assert "it cannot draw: fluffy." in block_text(keyed(app, "word_feedback"))
    assert "Hint: the target has a lot of “blue”" in block_text(keyed(app, "hint"))


def test_the_host_turns_hints_off_and_the_student_sees_none(db, worker) -> None:
    classroom, _, token = played_round(db, worker)
    host = page("host", code=classroom.code, teacher=classroom.host)
    host.toggle(key="hints_enabled").set_value(False).run()
    assert not host.exception
    app = page("play", code=classroom.code, token=token)
    assert keyed(app, "hint") is None
    assert keyed(app, "word_feedback") is not None


def test_the_host_adds_the_ai_player_and_the_reveal_shows_it_beside_the_best_student(db, worker) -> None:
    classroom, round_id, token = played_round(db, worker, prompt="a green triangle")
    host = page("host", code=classroom.code, teacher=classroom.host)
    host.button(key="add_ai_player").click().run()
    assert not host.exception
    drain(worker)
    board = page("board", code=classroom.code)
    assert any("🤖 AI" in row for row in table_rows(board))
    with db.write() as s:
        reveal_round(s, classroom.code, classroom.host, round_id)
    app = page("play", code=classroom.code, token=token)
    compare = block_text(keyed(app, "reveal_compare"))
    assert TARGET in compare and "a green triangle" in compare
    assert "Best student" in compare and "AI player" in compare and "Prompt similarity to the secret" in compare
    assert "a big red circle" in compare  # the AI's own prompt, read from the target


def test_results_page_has_learning_records_charts_and_the_report_download(db, worker) -> None:
    classroom, _, _ = played_round(db, worker)
    app = page("results", code=classroom.code, teacher=classroom.host)
    assert not app.exception
    urls = [e.proto.url for e in app.get("link_button")]
    assert any(u.split("?")[0].endswith("/download/report.html") for u in urls)
    assert any(u.split("?")[0].endswith("/download/learning_records.csv") for u in urls)
    assert len(app.get("vega_lite_chart")) == 2  # scores per attempt, score distribution


def test_the_html_report_holds_the_game_with_images_embedded_and_text_escaped(db, worker) -> None:
    classroom = Classroom(db)
    round_id = classroom.round(worker, prompt=TARGET)
    tricky = classroom.join("<b>Joon</b>")
    with db.write() as s:
        submit_prompt(s, classroom.code, tricky, "a red circle <script>alert(1)</script>")
        add_ai_player(s, classroom.code, classroom.host, round_id)
    drain(worker)
    with db.write() as s:
        reveal_round(s, classroom.code, classroom.host, round_id)
    labels = functools.partial(translate, "en")
    with db.read() as s:
        html = report_html(s, classroom.code, classroom.host, labels)
        archive = results_zip(s, classroom.code, classroom.host, labels)
    assert html.startswith("<!doctype html>") and "Test class" in html
    assert TARGET in html  # the secret prompt, after the reveal
    assert "&lt;b&gt;Joon&lt;/b&gt;" in html and "<b>Joon</b>" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    # Target (PNG), best student and AI (WebP), each embedded.
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)) == 1
    assert len(re.findall(r'src="data:image/webp;base64,[A-Za-z0-9+/=]+"', html)) == 2
    assert "Best student" in html and "AI player" in html and "Learning records" in html
    assert "Improvement" in html and "+0.00" in html  # one attempt each: no improvement yet
    assert b"report.html" in archive and b"learning_records.csv" in archive


ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Words that are the same in Korean classrooms: names of formats, and the game's code.
ALLOWED = {"PNG", "JPEG", "WebP", "CSV", "ZIP", "HTML", "PIN"}


def english_left(app: AppTest, user_text: set[str]) -> list[str]:
    shown = texts(app) + "\n" + "\n".join(str(e.value) for e in [*app.info, *app.warning, *app.error])
    shown += "\n" + "\n".join(str(m.label) for m in app.metric)
    shown += "\n" + "\n".join(str(b.label) for b in app.button)
    for text in user_text:
        shown = shown.replace(text, "")
    shown = re.sub(r":(green|red|gray)\[", "", shown)  # colour markup, not shown as text
    shown = re.sub(r"https?://\S+", "", shown)  # the join link
    return sorted({w for w in ENGLISH_WORD.findall(shown) if w not in ALLOWED})


def test_the_korean_student_pages_have_no_english_left(db, worker) -> None:
    classroom, round_id, token = played_round(db, worker, prompt="빨간 원")
    with db.write() as s:
        add_ai_player(s, classroom.code, classroom.host, round_id)
    drain(worker)
    # What students wrote, and the English words a hint suggests typing (the model reads English).
    user_text = {"Test class", "Mina", "빨간 원", TARGET, classroom.code, "“blue”"}

    def korean(name: str, **query: str) -> AppTest:
        app = AppTest.from_file(str(PROJECT_DIR / "streamlit_app.py"), default_timeout=30)
        app.session_state["language"] = "ko"
        app.switch_page(f"app_pages/{name}.py")
        app.query_params.update(query)
        return app.run()

    join = korean("play", code=classroom.code)
    play = korean("play", code=classroom.code, token=token)
    assert "이미지 모델은 영어만 이해하므로" in texts(play)  # the Korean prompt note
    home = korean("home")
    with db.write() as s:
        reveal_round(s, classroom.code, classroom.host, round_id)
    revealed = korean("play", code=classroom.code, token=token)
    board = korean("board", code=classroom.code)
    with db.read() as s:
        ai_prompt = reveal_summary(s, classroom.code, round_id).ai.prompt
    for app in (home, join, play, revealed, board):
        assert not app.exception
        assert english_left(app, user_text | {ai_prompt}) == []

"""What a student's browser receives, recorded in a real browser.

Before the reveal nothing sent to a student (websocket messages, images) holds the secret
prompt or another player's prompt or image; and a nickname or prompt that looks like HTML or
markdown is shown literally everywhere, with no script run.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from browsing import key, submit, teacher_context
from helpers import Classroom, wait_until
from PIL import Image
from playwright.sync_api import Page, Route, expect
from servers import streamlit_server

from db.models import ImageBlob, Submission
from db.session import open_database
from game.rounds import reveal_round
from game.submissions import submit_prompt

pytestmark = pytest.mark.e2e

SECRET = "three small yellow stars on a navy background"
MINA_PROMPT = "a green triangle with zebrawords"
EVIL_NAME = "**Joon** <i>x</i>"  # nicknames have at most 24 characters
MARKDOWN_PROMPT = "**bold** <img src=x onerror=alert(1)> red circle"
# Names and a title that markdown would turn into links.
LINK_NAMES = ("www.evil.example", "https://bit.ly/x", "kid@evil.example")
LINK_TITLE = "Art with www.example.org"
ANY_LINK_TO_THEM = "a[href*='evil.example'], a[href*='bit.ly'], a[href*='example.org']"


class Recorder:
    """Every websocket frame a page receives, every picture it loads (the bytes captured as
    they arrive, through a route: nothing is fetched again afterwards), and any dialog."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.frames: list[bytes] = []
        self.media: list[tuple[str, bytes]] = []  # (content type, body)
        self.dialogs: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.route(re.compile(r"/(media|api/images)/"), self._picture)
        page.on("dialog", self._dialog)

    def _frame(self, payload: str | bytes) -> None:
        self.frames.append(payload.encode() if isinstance(payload, str) else payload)

    def _picture(self, route: Route) -> None:
        response = route.fetch()
        if response.ok:
            self.media.append((response.headers.get("content-type", ""), response.body()))
        route.fulfill(response=response)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def received(self, text: str) -> bool:
        return any(text.encode() in frame for frame in self.frames)

    def pictures(self) -> list[np.ndarray]:
        return [
            np.asarray(Image.open(io.BytesIO(body)).convert("RGB"))
            for content_type, body in self.media
            if content_type.startswith("image/")
        ]


def as_shown(text: str) -> re.Pattern[str]:
    """The text as a person sees it: markdown text may carry invisible word joiners (what
    keeps an address from becoming a link, ui/widgets.md)."""
    return re.compile("\u2060?".join(re.escape(c) for c in text))


def same_picture(shown: np.ndarray, original: np.ndarray) -> bool:
    """Streamlit may re-encode a picture (JPEG): alike within a few levels on average."""
    if shown.shape != original.shape:
        return False
    return float(np.abs(shown.astype(np.int16) - original.astype(np.int16)).mean()) < 4


def test_nothing_secret_reaches_a_student_before_the_reveal_and_text_stays_text(tmp_path: Path, browser) -> None:
    url = f"sqlite:///{tmp_path / 'game.db'}"
    db = open_database(url)
    classroom = Classroom(db, title=LINK_TITLE)
    round_id = classroom.round(prompt=SECRET, start=False)
    mina = classroom.join("Mina")
    linkers = [classroom.join(name) for name in LINK_NAMES]

    with streamlit_server(tmp_path, database_url=url, engine="sketch", worker="thread") as server:
        student = browser.new_context().new_page()
        seen = Recorder(student)
        student.goto(f"{server}/play?code={classroom.code}")  # the first page starts the worker
        wait_until(classroom.target_ready, 60, "the embedded worker to draw the target")
        classroom.start_all()
        with db.write() as s:
            submit_prompt(s, classroom.code, mina, MINA_PROMPT)
            for token in linkers:
                submit_prompt(s, classroom.code, token, "a plain white picture")  # scores below Mina
        key(student, "nickname", "input").fill(EVIL_NAME)
        key(student, "join", "button").click()
        submit(student, MARKDOWN_PROMPT)
        expect(student.get_by_text("Score", exact=True)).to_have_count(1, timeout=60_000)
        board = browser.new_context().new_page()
        projector = Recorder(board)
        board.goto(f"{server}/board?code={classroom.code}")
        expect(key(board, "round_leaderboard")).to_contain_text("Mina", timeout=60_000)
        expect(key(board, "round_leaderboard")).to_contain_text(EVIL_NAME)
        # The student's page has loaded the target and their own picture (anything else it was
        # sent would have come with them).
        wait_until(lambda: len(seen.pictures()) >= 2, 60, "the student's page to load its pictures")

        with db.read() as s:
            mina_image = s.get(
                ImageBlob, s.query(Submission).filter(Submission.prompt == MINA_PROMPT).one().image_id
            ).data
        mina_pixels = np.asarray(Image.open(io.BytesIO(mina_image)).convert("RGB"))
        # A student who guesses the address of Mina's picture gets nothing: it is signed.
        with db.read() as s:
            mina_image_id = s.query(Submission).filter(Submission.prompt == MINA_PROMPT).one().image_id
        assert student.request.get(f"{server}/api/images/{mina_image_id}/0123456789abcdef01234567").status == 404
        for recorded in (seen, projector):
            assert recorded.frames, "the websocket recording caught nothing"
            assert not recorded.received(SECRET) and not recorded.received("navy background")
            assert not recorded.received(MINA_PROMPT) and not recorded.received("zebrawords")
            assert recorded.media, "no image was loaded at all"
            assert not any(same_picture(p, mina_pixels) for p in recorded.pictures()), (
                "another player's picture reached the page before the reveal"
            )
        assert not seen.received(MINA_PROMPT)

        with db.write() as s:
            reveal_round(s, classroom.code, classroom.host, round_id)
        expect(key(student, "reveal_compare")).to_contain_text(SECRET, timeout=60_000)
        # The recording does see them once they are public: the checks above could fail.
        # (Mina's attempt may sit in the folded gallery: it reached the page all the same.)
        wait_until(lambda: seen.received(MINA_PROMPT), 60, "Mina's prompt to reach the student after the reveal")
        assert seen.received(SECRET)
        # Pictures below the fold or in the folded gallery load when a student looks: look.
        key(student, "reveal_compare").scroll_into_view_if_needed()
        for folded in student.locator("details:not([open]) > summary").all():
            folded.click()
        student.mouse.wheel(0, 20_000)
        wait_until(
            lambda: any(same_picture(p, mina_pixels) for p in seen.pictures()), 60, "Mina's picture after the reveal"
        )
        results = teacher_context(browser, server, classroom.host).new_page()
        host_seen = Recorder(results)
        results.goto(f"{server}/results?code={classroom.code}")
        expect(results.get_by_text(EVIL_NAME).first).to_be_visible(timeout=60_000)
        board.reload()
        expect(key(board, "reveal")).to_contain_text(MARKDOWN_PROMPT, timeout=60_000)
        for page in (student, board, results):
            # Shown literally: the markup is text, no <img src=x> element, no <strong>bold</strong>.
            expect(page.get_by_text(EVIL_NAME).first).to_be_visible()
            if page is not results:  # the results page shows prompts in the downloads only
                expect(page.get_by_text(MARKDOWN_PROMPT).first).to_be_visible()
            assert page.locator("img[src='x']").count() == 0
            assert page.locator("strong", has_text="bold").count() == 0
            assert page.locator("strong", has_text="Joon").count() == 0
            assert page.locator("i", has_text="x").count() == 0
        expect(student.get_by_text(MARKDOWN_PROMPT).first).to_be_visible()
        # Addresses in names and the title are text, never links, on every page.
        host = teacher_context(browser, server, classroom.host).new_page()
        host.goto(f"{server}/host?code={classroom.code}")
        expect(host.get_by_text(as_shown(LINK_TITLE)).first).to_be_visible(timeout=60_000)
        for name in LINK_NAMES:
            expect(board.get_by_text(as_shown(name)).first).to_be_visible()
            expect(results.get_by_text(as_shown(name)).first).to_be_visible()
        expect(student.get_by_text(as_shown(LINK_TITLE)).first).to_be_visible()
        for page in (student, board, results, host):
            assert page.locator(ANY_LINK_TO_THEM).count() == 0, page.url
        assert seen.dialogs == [] and projector.dialogs == [] and host_seen.dialogs == []
    db.dispose()

"""Open pages cost nothing while nothing changes, and show a change within seconds.

Recorded in a real browser: while the class sits idle with a round open, the projector and a
student's page receive no websocket message (no page run) and load no picture again, while
their countdowns tick every second in the browser; a stored result then reaches both pages
without a reload, loading only the new picture.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browsing import countdown, join, key
from helpers import Classroom, wait_until
from playwright.sync_api import Page, expect
from servers import streamlit_server

from db.session import open_database
from game.submissions import submit_prompt

pytestmark = pytest.mark.e2e


class Traffic:
    """Websocket messages and picture requests a page receives, with a mark to count from."""

    def __init__(self, page: Page) -> None:
        self.frames = 0
        self.pictures: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("request", lambda request: self._request(request.url))

    def _frame(self, _payload: object) -> None:
        self.frames += 1

    def _request(self, url: str) -> None:
        if "/api/images/" in url or "/media/" in url:
            self.pictures.append(url)


def countdown_seconds(page: Page) -> int:
    text = countdown(page).inner_text()
    minutes, seconds = re.search(r"(\d+):(\d\d)", text).groups()
    return int(minutes) * 60 + int(seconds)


def test_idle_pages_cost_nothing_and_a_result_reaches_them(tmp_path: Path, browser) -> None:
    url = f"sqlite:///{tmp_path / 'idle.db'}"
    db = open_database(url)
    classroom = Classroom(db)
    classroom.round(start=False)
    other = classroom.join("Joon")
    with streamlit_server(tmp_path, database_url=url, engine="sketch", worker="thread") as server:
        wait_until(classroom.target_ready, 60, "the embedded worker to draw the target")
        classroom.start_all()
        board = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        student = browser.new_context().new_page()
        board_traffic, student_traffic = Traffic(board), Traffic(student)
        board.goto(f"{server}/board?code={classroom.code}")
        join(student, server, classroom.code, "Mina")
        for page in (board, student):
            expect(countdown(page)).to_contain_text("left", timeout=60_000)
            expect(page.locator("img").first).to_be_visible(timeout=60_000)
        board.wait_for_timeout(2_000)  # the first drawing settles

        frames = (board_traffic.frames, student_traffic.frames)
        pictures = (len(board_traffic.pictures), len(student_traffic.pictures))
        ticks = {countdown_seconds(board)}
        for _ in range(8):
            board.wait_for_timeout(500)
            ticks.add(countdown_seconds(board))
        assert (board_traffic.frames, student_traffic.frames) == frames, "an idle page was run again"
        assert (len(board_traffic.pictures), len(student_traffic.pictures)) == pictures, "a picture was sent again"
        assert len(ticks) >= 3, f"the countdown did not tick in the browser: {sorted(ticks)}"

        with db.write() as s:
            submit_prompt(s, classroom.code, other, "a red circle on blue")
        expect(key(board, "round_leaderboard")).to_contain_text("Joon", timeout=10_000)
        assert student_traffic.frames == frames[1], "another student's attempt reran Mina's page"
        assert len(board_traffic.pictures) == pictures[0], "the board loaded a student's picture before the reveal"
    db.dispose()
